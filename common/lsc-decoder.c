/* SPDX-License-Identifier: MIT */
/*
 * lsc-decoder.c: the streaming LSC frame decoder, a pure state machine fed
 * bytes (no I/O, no allocation, no clock).
 *
 * The state is the number of bytes held: 0 = hunting for 0x55, 1 = one 0x55,
 * 2 = header, 3 = Length read, >= 4 = collecting Cmd and parameters until
 * Length + 2 bytes are held. Each byte is checked against its position; a
 * byte that cannot be there is a rejection: the first held byte is discarded
 * (counted once) and every byte held after it is scanned again, so a frame
 * that starts inside rejected bytes is still found.
 *
 * Behaviour on each malformed input class (an idle line, reported with
 * lsc_decoder_idle(), helps with the last two):
 *  - Garbage (bytes other than 0x55 while hunting, or a 0x55 not followed
 *    by 0x55): discarded byte by byte; decoding resumes at the next 55 55.
 *  - Runs of 0x55: of k >= 2 consecutive 0x55 the last two are the header
 *    and the k - 2 before are discarded (Length 0x55 is never accepted; no
 *    known command has Length 85).
 *  - A Cmd of 0x55: never a frame start. No command is 85, and "55 55 L"
 *    followed by 0x55 is a false header (noise, or a frame cut off after
 *    its Length) before the header of a real frame, which would otherwise
 *    be swallowed as the parameters of an unknown command. The first 0x55
 *    is discarded and the bytes after it scanned again, so
 *    "55 55 09 55 55 02 07" yields the STOP with 3 bytes discarded.
 *  - Length 0 or 1: impossible (a frame holds at least Cmd and Length). The
 *    first 0x55 is discarded and scanning resumes at the second, which is
 *    then discarded with the Length byte: 3 bytes in all.
 *  - A known command whose Length does not fit its layout (see
 *    lsc_frame_length_plausible(); SERVO_MOVE is checked once its servo
 *    count is read): the first 0x55 is discarded and the 3 or 4 bytes held
 *    after it are scanned again, so "55 55 05 07 55 55 02 07" yields the
 *    STOP at its end with 4 bytes discarded.
 *  - An unknown command (any Cmd but 0x55) is accepted with any Length from
 *    2 to 255 but 85: its frame is returned (lsc_frame_parse() says
 *    LSC_E_UNKNOWN_CMD).
 *  - A truncated frame followed by a frame: without a checksum nothing
 *    marks the cut, so the truncated frame takes its missing bytes from the
 *    next one, is returned with those bytes as parameters, and what is left
 *    of the next frame is discarded as garbage; unless the borrowed bytes
 *    make its Length implausible (as "55 55 08 03" + "55 55 02 07" does)
 *    or its Cmd 0x55 (a frame cut after its Length), and then the next
 *    frame is found as above. A frame's bytes arrive back to back, so when
 *    the line went idle between the two, lsc_decoder_idle() ends the
 *    truncated frame first: it is rejected, and the next frame is found.
 *  - Truncated at the end of the input: the bytes stay pending
 *    (lsc_decoder_pending()) until more input completes or rejects them,
 *    lsc_decoder_idle() rejects them (finding any frame they hold), or
 *    lsc_decoder_reset() discards them.
 *
 * Byte accounting: every byte fed is, at any time, in exactly one returned
 * frame (Length + 2 bytes each), counted once in `discarded`, or pending:
 *     sum of returned frame sizes + discarded + lsc_decoder_pending() == fed.
 */
#include <string.h>

#include "lsc/frame.h"

/* Offsets in a frame of Length, Cmd and the first parameter. Length is
 * checked against Cmd at Cmd when Length is 2, else at the first parameter,
 * which SERVO_MOVE's rule needs (its servo count). */
#define DECODER_LENGTH_AT 2
#define DECODER_CMD_AT    3
#define DECODER_COUNT_AT  4

/*
 * The bytes of buf: [0, held) is the frame being read, then
 * [held, held + replay) are bytes still to scan, oldest first. An input byte
 * is appended at buf[held] as a replay of one byte, so one path scans both.
 * held + replay <= LSC_FRAME_MAX_SIZE always: a byte is appended only when
 * replay is 0, and then held < LSC_FRAME_MAX_SIZE (a frame is handed out
 * as soon as it is complete); a rejection or a frame only takes bytes away.
 */

void lsc_decoder_init(struct lsc_decoder *d)
{
        memset(d, 0, sizeof(*d));
}

size_t lsc_decoder_pending(const struct lsc_decoder *d)
{
        return d->held + d->replay;
}

size_t lsc_decoder_reset(struct lsc_decoder *d)
{
        size_t dropped = lsc_decoder_pending(d);

        d->discarded += dropped;
        d->held = 0;
        d->replay = 0;
        return dropped;
}

/* Whether byte may be the next one, at offset d->held of a frame. */
static int decoder_fits(const struct lsc_decoder *d, uint8_t byte)
{
        uint8_t length = d->buf[DECODER_LENGTH_AT];

        switch (d->held) {
        case 0:
        case 1:
                return byte == LSC_FRAME_HEADER;
        case DECODER_LENGTH_AT:
                return byte >= 2 && byte != LSC_FRAME_HEADER;
        case DECODER_CMD_AT:
                return byte != LSC_FRAME_HEADER &&
                       (length > 2 || lsc_frame_length_plausible(byte, length, 0));
        case DECODER_COUNT_AT:
                return lsc_frame_length_plausible(d->buf[DECODER_CMD_AT], length, byte);
        default:
                return 1;
        }
}

/* Discard the first byte held (or the byte being scanned, when none is
 * held) and queue every byte after it for scanning again. */
static void decoder_reject(struct lsc_decoder *d)
{
        size_t rest = d->held + d->replay - 1;

        memmove(d->buf, d->buf + 1, rest);
        d->held = 0;
        d->replay = rest;
        d->discarded++;
}

/* Hand the complete frame in buf[0, held) out; keep the replay bytes after
 * it. After the rejection of a long partial frame by lsc_decoder_idle()
 * they can hold more frames. */
static void decoder_emit(struct lsc_decoder *d, struct lsc_frame *frame)
{
        frame->cmd = d->buf[DECODER_CMD_AT];
        frame->n_params = (uint8_t)(d->held - 4);
        memcpy(frame->params, d->buf + 4, frame->n_params);
        memmove(d->buf, d->buf + d->held, d->replay);
        d->held = 0;
        d->frames++;
}

/* Scan buf[held], the oldest replay byte. Returns 1 when a frame is complete. */
static int decoder_scan(struct lsc_decoder *d, struct lsc_frame *frame)
{
        if (!decoder_fits(d, d->buf[d->held])) {
                decoder_reject(d);
                return 0;
        }
        d->held++;
        d->replay--;
        if (d->held <= DECODER_CMD_AT || d->held != d->buf[DECODER_LENGTH_AT] + 2u)
                return 0;
        decoder_emit(d, frame);
        return 1;
}

int lsc_decoder_next(struct lsc_decoder *d, const uint8_t **buf, size_t *len,
                     struct lsc_frame *frame)
{
        for (;;) {
                if (d->replay == 0) {
                        if (*len == 0)
                                return 0;
                        d->buf[d->held] = **buf;
                        d->replay = 1;
                        (*buf)++;
                        (*len)--;
                }
                if (decoder_scan(d, frame))
                        return 1;
        }
}

int lsc_decoder_idle(struct lsc_decoder *d, struct lsc_frame *frame)
{
        while (lsc_decoder_pending(d) > 0) {
                if (d->replay == 0)
                        decoder_reject(d);
                else if (decoder_scan(d, frame))
                        return 1;
        }
        return 0;
}

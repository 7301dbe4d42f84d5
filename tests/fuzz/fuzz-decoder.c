/* SPDX-License-Identifier: MIT */
/*
 * fuzz-decoder.c: fuzz target "decoder", the streaming frame decoder
 * (lsc-decoder.c) and the frame codec: the bytes lscd reads from the board's
 * serial line, up to 16 of the longest frames.
 *
 * The input is decoded twice: split in two at a point taken from its first
 * byte, and one byte at a time; in both the line goes idle
 * (lsc_decoder_idle()) before the byte at a point taken from its second
 * byte. Both must return the same frames and discard the same bytes; after
 * every call each byte fed must be in a returned frame, discarded or
 * pending, and after an idle line nothing may be pending. Every frame of a
 * known command must parse, and must encode back to the same bytes exactly
 * when all of its values are within the encoders' ranges (those of
 * lsc/frame.h, checked here independently of the encoders). At the end the
 * first decoding is reset and the second sees the line go idle: the idle
 * line may only turn bytes that the reset discards into frames.
 */
#include <string.h>

#include "fuzz.h"
#include "lsc/frame.h"

/* Inputs of up to 16 of the longest frames: the decoder never holds more
 * than one (held + replay <= LSC_FRAME_MAX_SIZE), so they cover every state
 * it has, many times over, with garbage between frames. */
#define FUZZ_MAX_INPUT (16 * LSC_FRAME_MAX_SIZE)

/* One decoding of the input: what was fed and the frames returned, as
 * their wire bytes back to back (never more bytes than were fed). */
struct fuzz_pass {
        struct lsc_decoder d;
        size_t fed;
        size_t out_len;
        uint8_t out[FUZZ_MAX_INPUT];
};

static int fuzz_in(long v, long min, long max)
{
        return v >= min && v <= max;
}

/* seen: one bit for each servo id. */
_Static_assert(LSC_SERVO_ID_MAX - LSC_SERVO_ID_MIN < 32, "fuzz_move_in_range() has 32 bits for ids");

/* N distinct ids 1..32 (N at least 1), each position within MIN..MAX. */
static int fuzz_ids_in_range(unsigned n, const struct lsc_servo *servos, const int *ids,
                             long min, long max)
{
        uint32_t seen = 0, bit;

        if (!fuzz_in(n, 1, LSC_MOVE_MAX_SERVOS))
                return 0;
        for (unsigned i = 0; i < n; i++) {
                int id = servos ? servos[i].id : ids[i];

                if (!fuzz_in(id, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX) ||
                    (servos && !fuzz_in(servos[i].position, min, max)))
                        return 0;
                bit = UINT32_C(1) << (id - LSC_SERVO_ID_MIN);
                if (seen & bit)
                        return 0;
                seen |= bit;
        }
        return 1;
}

static int fuzz_move_in_range(const struct lsc_msg *m)
{
        return fuzz_in(m->u.move.time_ms, 0, LSC_TIME_MAX) &&
               fuzz_ids_in_range(m->u.move.n_servos, m->u.move.servos, NULL,
                                 LSC_POSITION_MIN, LSC_POSITION_MAX);
}

/* Whether the encoders accept every value of m: the ranges of lsc/frame.h. */
static int fuzz_msg_in_range(const struct lsc_msg *m)
{
        switch (m->type) {
        case LSC_MSG_SERVO_MOVE:
                return fuzz_move_in_range(m);
        case LSC_MSG_GROUP_RUN:
        case LSC_MSG_GROUP_COMPLETE:
                return fuzz_in(m->u.group.group, 0, LSC_GROUP_MAX) &&
                       fuzz_in(m->u.group.runs, 0, LSC_RUNS_MAX);
        case LSC_MSG_GROUP_SPEED:
                return fuzz_in(m->u.speed.group, 0, LSC_GROUP_ALL) &&
                       fuzz_in(m->u.speed.percent, LSC_PERCENT_MIN, LSC_PERCENT_MAX);
        case LSC_MSG_SERVO_UNLOAD:
        case LSC_MSG_POSITION_QUERY:
                return fuzz_ids_in_range(m->u.ids.n, NULL, m->u.ids.ids, 0, 0);
        case LSC_MSG_POSITION_REPLY:
                return fuzz_ids_in_range(m->u.positions.n, m->u.positions.servos, NULL, 0, 0xffff);
        default:
                return 1;       /* no value, or millivolts: any 16-bit value */
        }
}

static void fuzz_check_frame(const struct lsc_frame *f, const uint8_t *wire, size_t n)
{
        uint8_t again[LSC_FRAME_MAX_SIZE];
        struct lsc_msg m;
        int r = lsc_frame_parse(f, &m);

        if (r == LSC_E_UNKNOWN_CMD)
                return;
        fuzz_assert(r == LSC_OK);
        r = lsc_frame_encode_msg(again, sizeof(again), &m);
        fuzz_assert((r >= 0) == fuzz_msg_in_range(&m));
        fuzz_assert(r < 0 || ((size_t)r == n && memcmp(again, wire, n) == 0));
}

/* unread: bytes of the last input not consumed yet. */
static void fuzz_check_accounting(const struct fuzz_pass *p, size_t unread)
{
        size_t pending = lsc_decoder_pending(&p->d);

        fuzz_assert(pending < LSC_FRAME_MAX_SIZE);
        fuzz_assert(p->out_len + p->d.discarded + pending == p->fed - unread);
}

/* Append a returned frame to the pass's output, and check it. */
static void fuzz_record(struct fuzz_pass *p, const struct lsc_frame *f)
{
        uint8_t *wire = p->out + p->out_len;
        int w = lsc_frame_write(wire, sizeof(p->out) - p->out_len, f);

        fuzz_assert(w == f->n_params + 4);
        p->out_len += (size_t)w;
        fuzz_check_frame(f, wire, (size_t)w);
}

static void fuzz_feed(struct fuzz_pass *p, const uint8_t *data, size_t n)
{
        struct lsc_frame f;

        p->fed += n;
        while (lsc_decoder_next(&p->d, &data, &n, &f) > 0) {
                fuzz_record(p, &f);
                fuzz_check_accounting(p, n);
        }
        fuzz_assert(n == 0);
        fuzz_check_accounting(p, 0);
}

static void fuzz_idle(struct fuzz_pass *p)
{
        struct lsc_frame f;

        while (lsc_decoder_idle(&p->d, &f) > 0) {
                fuzz_record(p, &f);
                fuzz_check_accounting(p, 0);
        }
        fuzz_assert(lsc_decoder_pending(&p->d) == 0);
        fuzz_check_accounting(p, 0);
}

/* Feed data[from, to), the line going idle before data[quiet] if it is
 * among them. */
static void fuzz_feed_range(struct fuzz_pass *p, const uint8_t *data, size_t from, size_t to,
                            size_t quiet)
{
        if (quiet >= from && quiet < to) {
                fuzz_feed(p, data + from, quiet - from);
                fuzz_idle(p);
                from = quiet;
        }
        fuzz_feed(p, data + from, to - from);
}

static void fuzz_pass_init(struct fuzz_pass *p)
{
        lsc_decoder_init(&p->d);
        p->fed = 0;
        p->out_len = 0;
}

static int fuzz_decoder(const uint8_t *data, size_t size)
{
        static struct fuzz_pass split, bytes;
        size_t cut = size > 0 ? (size_t)data[0] * size / 255 : 0;
        size_t quiet = size > 1 ? (size_t)data[1] * size / 255 : size;
        size_t pending;

        if (size > FUZZ_MAX_INPUT)
                return -1;              /* not added to the corpus */
        fuzz_pass_init(&split);
        fuzz_feed_range(&split, data, 0, cut, quiet);
        fuzz_feed_range(&split, data, cut, size, quiet);
        fuzz_pass_init(&bytes);
        for (size_t i = 0; i < size; i++)
                fuzz_feed_range(&bytes, data, i, i + 1, quiet);
        fuzz_assert(split.d.frames == bytes.d.frames);
        fuzz_assert(split.d.discarded == bytes.d.discarded);
        fuzz_assert(split.out_len == bytes.out_len);
        fuzz_assert(memcmp(split.out, bytes.out, split.out_len) == 0);
        pending = lsc_decoder_pending(&split.d);
        fuzz_assert(lsc_decoder_reset(&split.d) == pending);
        fuzz_assert(split.out_len + split.d.discarded == size);
        fuzz_idle(&bytes);
        fuzz_assert(bytes.out_len + bytes.d.discarded == size);
        fuzz_assert(bytes.out_len >= split.out_len);
        fuzz_assert(memcmp(split.out, bytes.out, split.out_len) == 0);
        return 0;
}

FUZZ_TARGET(decoder, FUZZ_MAX_INPUT, fuzz_decoder);

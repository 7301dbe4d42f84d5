/* SPDX-License-Identifier: MIT */
/*
 * lsc/frame.h: encode and decode frames of the Hiwonder/LOBOT LSC servo
 * controller serial protocol (LSC-6, LSC-16, LSC-32), protocol V1.1.
 *
 *     0x55 0x55 | Length | Cmd | Param1 ... ParamN       Length = N + 2
 *
 * Pure code: no I/O, no globals, no allocation. Safe to use from any number
 * of threads as long as each decoder is used by one thread at a time.
 */
#ifndef LSC_FRAME_H
#define LSC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LSC_FRAME_HEADER     0x55
#define LSC_FRAME_MAX_LENGTH 255                        /* the Length byte */
#define LSC_FRAME_MAX_PARAMS (LSC_FRAME_MAX_LENGTH - 2) /* 253 */
#define LSC_FRAME_MAX_SIZE   (LSC_FRAME_MAX_LENGTH + 2) /* 257 bytes on the wire */

/* Command numbers. Cmd 6 and 7 travel both ways with the same layout. */
enum lsc_cmd {
        LSC_CMD_SERVO_MOVE           = 3,
        LSC_CMD_ACTION_GROUP_RUN     = 6,
        LSC_CMD_ACTION_GROUP_STOP    = 7,
        LSC_CMD_ACTION_GROUP_COMPLETE = 8,
        LSC_CMD_ACTION_GROUP_SPEED   = 11,
        LSC_CMD_GET_BATTERY_VOLTAGE  = 15,
        /* Bus Servo Controller only (bus-servo-and-d6a.md, "CMD 20" and
         * "CMD 21"); PWM LSC boards do not list them. */
        LSC_CMD_MULT_SERVO_UNLOAD    = 20,
        LSC_CMD_MULT_SERVO_POS_READ  = 21,
};

/*
 * Ranges the encoders enforce. Every value must also fit its wire field.
 *  - servo id 1..32: channels are numbered from 1; the LSC-32 has the most.
 *  - position 500..2500: the hobby-servo pulse width in microseconds that the
 *    boards accept; values outside it would drive a servo past its end stops.
 *  - time 0..65535 ms: the full 16-bit field (0 = as fast as possible).
 *  - group 0..254: 255 (0xFF) is reserved by ACTION_GROUP_SPEED for "all".
 *  - runs 0..65535: the 16-bit field; 0 means repeat forever.
 *  - percent 1..65535: the 16-bit field; 0 would stretch every group's
 *    duration to infinity, so it is refused.
 *  - servos per SERVO_MOVE frame 1..LSC_MOVE_MAX_SERVOS, each id at most once.
 */
#define LSC_SERVO_ID_MIN   1
#define LSC_SERVO_ID_MAX   32
#define LSC_POSITION_MIN   500
#define LSC_POSITION_MAX   2500
#define LSC_TIME_MAX       65535
#define LSC_GROUP_MAX      254
#define LSC_GROUP_ALL      255
#define LSC_RUNS_MAX       65535
#define LSC_PERCENT_MIN    1
#define LSC_PERCENT_MAX    65535
/* Bus-servo positions: 0..1000 over 240 degrees (bus-servo-and-d6a.md,
 * "CMD 21"). A bus board's SERVO_MOVE carries them in the same field. */
#define LSC_BUS_POSITION_MIN 0
#define LSC_BUS_POSITION_MAX 1000
/* What one frame can carry: Length = 3 * servos + 5 <= 255. */
#define LSC_MOVE_FRAME_MAX_SERVOS ((LSC_FRAME_MAX_LENGTH - 5) / 3) /* 83 */
/* What a valid frame can hold: ids are unique within 1..32. */
#define LSC_MOVE_MAX_SERVOS (LSC_SERVO_ID_MAX - LSC_SERVO_ID_MIN + 1)

/* Wire sizes of the fixed frames, and of a SERVO_MOVE with n servos. */
#define LSC_FRAME_SIZE_RUN     7
#define LSC_FRAME_SIZE_STOP    4
#define LSC_FRAME_SIZE_SPEED   7
#define LSC_FRAME_SIZE_BATTERY 4
#define LSC_FRAME_SIZE_MOVE(n) (3 * (n) + 7)
/* UNLOAD and POS_READ requests with n ids (Length = n + 3), a POS_READ
 * reply with n positions (Length = 3n + 3); bus-servo-and-d6a.md, "CMD 20"
 * and "CMD 21". The decoder takes up to LSC_MOVE_FRAME_MAX_SERVOS of
 * either, as many as a SERVO_MOVE, so that struct lsc_msg keeps its size. */
#define LSC_FRAME_SIZE_IDS(n)  ((n) + 5)
#define LSC_FRAME_SIZE_POSITIONS(n) (3 * (n) + 5)

/* Errors: every codec call returns one of these (negative) or a result >= 0. */
enum lsc_error {
        LSC_OK               = 0,
        LSC_E_NOSPACE        = -1,  /* output buffer too small */
        LSC_E_NO_SERVOS      = -2,  /* SERVO_MOVE with 0 servos */
        LSC_E_TOO_MANY_SERVOS = -3, /* more servos than allowed in one frame */
        LSC_E_DUP_SERVO      = -4,  /* the same servo id twice in one frame */
        LSC_E_SERVO_ID       = -5,  /* id outside LSC_SERVO_ID_MIN..MAX */
        LSC_E_POSITION       = -6,  /* position outside LSC_POSITION_MIN..MAX */
        LSC_E_TIME           = -7,  /* time outside 0..LSC_TIME_MAX */
        LSC_E_GROUP          = -8,  /* group outside 0..LSC_GROUP_MAX (or ALL) */
        LSC_E_RUNS           = -9,  /* runs outside 0..LSC_RUNS_MAX */
        LSC_E_PERCENT        = -10, /* percent outside LSC_PERCENT_MIN..MAX */
        LSC_E_MILLIVOLTS     = -11, /* battery reply value outside 0..65535 */
        LSC_E_UNKNOWN_CMD    = -12, /* lsc_frame_parse: a command we do not know */
        LSC_E_MALFORMED      = -13, /* lsc_frame_parse: known command, wrong layout */
};

/* A short, constant, human-readable description of an lsc_error. */
const char *lsc_strerror(int error);

/* One servo target. Wide types so that encoders can detect values that do
 * not fit; decoders fill them from the 8- and 16-bit fields. */
struct lsc_servo {
        int id;
        int position;
};

/* ---- Encoders: write one frame into buf, return its size or an lsc_error.
 * On error nothing is written; buf may be NULL only when size is 0. ---- */
int lsc_frame_encode_move(uint8_t *buf, size_t size, long time_ms,
                          const struct lsc_servo *servos, size_t n_servos);
/* The same with positions within MIN..MAX, themselves within 0..65535 (a
 * bus board: LSC_BUS_POSITION_MIN..MAX); LSC_E_POSITION outside. */
int lsc_frame_encode_move_within(uint8_t *buf, size_t size, long time_ms,
                                 const struct lsc_servo *servos, size_t n_servos,
                                 long min, long max);
/* Bus boards: torque off, or read the positions of n_ids distinct servo ids
 * (1..LSC_MOVE_MAX_SERVOS of them, each 1..32). */
int lsc_frame_encode_unload(uint8_t *buf, size_t size, const int *ids, size_t n_ids);
int lsc_frame_encode_position_query(uint8_t *buf, size_t size, const int *ids, size_t n_ids);
int lsc_frame_encode_group_run(uint8_t *buf, size_t size, long group, long runs);
int lsc_frame_encode_group_stop(uint8_t *buf, size_t size);
/* group LSC_GROUP_ALL (255) sets the speed of every stored group. */
int lsc_frame_encode_group_speed(uint8_t *buf, size_t size, long group, long percent);
int lsc_frame_encode_battery_query(uint8_t *buf, size_t size);
/* Board-to-host frames, for simulators and tests. A RUN or STOP report has
 * the same bytes as the host's request and uses the encoders above. */
int lsc_frame_encode_group_complete(uint8_t *buf, size_t size, long group, long runs);
int lsc_frame_encode_battery_reply(uint8_t *buf, size_t size, long millivolts);
/* A bus board's positions: ids as in a query, positions 0..65535. */
int lsc_frame_encode_position_reply(uint8_t *buf, size_t size,
                                    const struct lsc_servo *servos, size_t n_servos);
/* An older firmware's run report, without parameters: 55 55 02 06. */
int lsc_frame_encode_group_run_bare(uint8_t *buf, size_t size);

/* ---- A decoded frame: the bytes between the Length byte and the end. ---- */
struct lsc_frame {
        uint8_t cmd;
        uint8_t n_params;                     /* Length - 2 */
        uint8_t params[LSC_FRAME_MAX_PARAMS];
};

/* Typed view of a frame of a known command. */
enum lsc_msg_type {
        LSC_MSG_SERVO_MOVE = 1,     /* host -> board */
        LSC_MSG_GROUP_RUN,          /* both ways: request, or "group started" */
        LSC_MSG_GROUP_STOP,         /* both ways: request, or "group stopped" */
        LSC_MSG_GROUP_COMPLETE,     /* board -> host */
        LSC_MSG_GROUP_SPEED,        /* host -> board */
        LSC_MSG_BATTERY_QUERY,      /* host -> board: Cmd 15, no parameters */
        LSC_MSG_BATTERY_REPLY,      /* board -> host: Cmd 15, millivolts */
        LSC_MSG_SERVO_UNLOAD,       /* host -> board: Cmd 20, ids */
        LSC_MSG_POSITION_QUERY,     /* host -> board: Cmd 21, ids */
        LSC_MSG_POSITION_REPLY,     /* board -> host: Cmd 21, positions */
        LSC_MSG_GROUP_RUN_BARE,     /* board -> host: Cmd 6 without parameters,
                                       an older firmware's "a group started" */
};

struct lsc_msg {
        enum lsc_msg_type type;
        union {
                struct {
                        unsigned time_ms;
                        unsigned n_servos;
                        struct lsc_servo servos[LSC_MOVE_FRAME_MAX_SERVOS];
                } move;
                struct {
                        unsigned group;
                        unsigned runs;  /* 0 = forever */
                } group;                /* GROUP_RUN and GROUP_COMPLETE */
                struct {
                        unsigned group; /* LSC_GROUP_ALL = every group */
                        unsigned percent;
                } speed;
                unsigned millivolts;    /* BATTERY_REPLY */
                struct {
                        unsigned n;
                        int ids[LSC_MOVE_FRAME_MAX_SERVOS];
                } ids;                  /* SERVO_UNLOAD, POSITION_QUERY */
                struct {
                        unsigned n;
                        struct lsc_servo servos[LSC_MOVE_FRAME_MAX_SERVOS];
                } positions;            /* POSITION_REPLY */
        } u;
};

/* Interpret a frame of a known command. Returns LSC_OK, LSC_E_UNKNOWN_CMD
 * (the caller may still report the raw frame), or LSC_E_MALFORMED when the
 * Length does not fit the command's layout. Values are not range-checked:
 * the board may report anything its fields hold. */
int lsc_frame_parse(const struct lsc_frame *frame, struct lsc_msg *msg);

/* Encode a typed message with the encoder of its type (the reverse of
 * lsc_frame_parse() for values in range). Returns the frame size, that
 * encoder's lsc_error, or LSC_E_UNKNOWN_CMD for an unknown msg->type. */
int lsc_frame_encode_msg(uint8_t *buf, size_t size, const struct lsc_msg *msg);

/* Write a frame (as decoded, or built by hand) back as its wire bytes.
 * Returns n_params + 4, LSC_E_NOSPACE, or LSC_E_MALFORMED when n_params
 * exceeds LSC_FRAME_MAX_PARAMS. Nothing is checked against the command. */
int lsc_frame_write(uint8_t *buf, size_t size, const struct lsc_frame *frame);

/* Whether Length fits the layout of cmd (always true for unknown commands).
 * The decoder uses this to tell a frame from garbage that looks like one. */
int lsc_frame_length_plausible(uint8_t cmd, uint8_t length, uint8_t first_param);

/* ---- Streaming decoder ----
 * Feed it bytes as they arrive, split anywhere. It finds "55 55", reads
 * Length, collects Length - 1 more bytes, and returns the frame.
 *  - Bytes that cannot start or belong to a frame are discarded and counted.
 *  - A run of k > 2 bytes 0x55 is k - 2 discarded bytes and a header: Length
 *    0x55 (85) fits no known command, so a third 0x55 extends the header.
 *  - Length < 2 is impossible: its header is discarded and scanning goes on
 *    from the byte after the first 0x55.
 *  - Cmd 0x55 is never a frame start: "55 55 L 55" is a false header (noise,
 *    or a frame cut after its Length) followed by a real frame's header. The
 *    first 0x55 is discarded and scanning goes on from the second, so the
 *    real frame is found.
 *  - A known command whose Length does not fit its layout is garbage that
 *    looked like a header: the first 0x55 is discarded and the bytes held
 *    since are scanned again, so a real frame hidden inside is still found.
 *  - An idle line ends any partial frame (lsc_decoder_idle()): its first
 *    byte is discarded and the bytes after it scanned again, as above.
 * All state lives in the struct; lsc_decoder_init() before first use.
 */
struct lsc_decoder {
        /* private: buf[0, held) is the frame being read, buf[held,
         * held + replay) the bytes still to scan, oldest first (after a
         * rejection). held + replay < LSC_FRAME_MAX_SIZE whenever
         * lsc_decoder_next() or lsc_decoder_idle() has returned 0. */
        uint8_t buf[LSC_FRAME_MAX_SIZE];
        size_t held;
        size_t replay;
        /* public, read-only counters */
        uint64_t frames;                 /* frames returned */
        uint64_t discarded;              /* bytes discarded */
};

void lsc_decoder_init(struct lsc_decoder *d);

/* Consume bytes from *buf (advancing *buf and *len) until a frame completes
 * or the input runs out. Returns 1 with *frame filled when a frame is
 * complete, 0 when every input byte has been consumed and no frame is
 * complete. Loop until it returns 0:
 *     while (lsc_decoder_next(&d, &p, &n, &f) > 0) handle(&f);
 */
int lsc_decoder_next(struct lsc_decoder *d, const uint8_t **buf, size_t *len,
                     struct lsc_frame *frame);

/* Drop a partly read frame (counted as discarded), e.g. after the line was
 * reopened. Returns the number of bytes dropped. */
size_t lsc_decoder_reset(struct lsc_decoder *d);

/* Bytes currently held as the start of an incomplete frame. */
size_t lsc_decoder_pending(const struct lsc_decoder *d);

/*
 * How long the line must have been quiet, in microseconds, before the
 * caller tells the decoder with lsc_decoder_idle(): 50 ms.
 *  - Longer than any pause inside a frame. The board sends a frame's bytes
 *    back to back (1.04 ms each at 9600 baud, 8N1), but a USB serial bridge
 *    hands them to the host in packets: a CH340 or CP210x within a few ms,
 *    an FTDI chip when its latency timer expires (16 ms by default). 50 ms
 *    is three times that, with room for the host's USB and tty latency.
 *  - Far shorter than the pauses between the board's frames: it reports
 *    group starts, stops and completions, or answers a battery query, a
 *    frame or two at a time with pauses as long as the servos take to
 *    move. A false header is ended by the first pause, usually before the
 *    frames after it fill its Length (up to 254 bytes, 265 ms of traffic),
 *    and they are then found, at most 50 ms late.
 */
#define LSC_DECODER_IDLE_USEC 50000

/*
 * The line has been quiet for LSC_DECODER_IDLE_USEC: no frame pending can
 * still complete. Its first byte is discarded and the bytes after it are
 * scanned again, as after a rejection, so a real frame that a false header
 * swallowed is still found; whatever is pending after the last byte is
 * discarded the same way. Returns 1 with *frame filled for each frame
 * found, and 0 once nothing is pending. Call it until it returns 0, before
 * feeding more bytes:
 *     while (lsc_decoder_idle(&d, &f) > 0) handle(&f);
 * It takes no clock: the caller measures the quiet time. With nothing
 * pending it returns 0 and changes nothing, so a caller need only watch
 * the line while lsc_decoder_pending() is not 0.
 */
int lsc_decoder_idle(struct lsc_decoder *d, struct lsc_frame *frame);

#ifdef __cplusplus
}
#endif

#endif

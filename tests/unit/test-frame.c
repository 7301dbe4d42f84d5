/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the LSC frame codec (client/lsc-frame.c, lsc-decoder.c):
 * every byte example of the protocol reference both ways, every encoder
 * error, the parser's layout rules, the decoder on every malformed input
 * class at every split of its input, and a seeded property test of the
 * decoder's byte accounting.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lsc/frame.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define STREAM_MAX 16384
/* For the helpers run millions of times: unlike ck_assert*(), costs nothing
 * (no message to the runner) until it fails. */
#define require(cond, ...) do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

/* ---- helpers ---- */

/* Parse "55 55 02 07" into out; returns the byte count. */
static size_t hex_parse(const char *s, uint8_t *out, size_t max)
{
        size_t n = 0;

        while (*s) {
                char *end;
                unsigned long v;

                if (*s == ' ') {
                        s++;
                        continue;
                }
                v = strtoul(s, &end, 16);
                ck_assert_msg(end == s + 2 && v <= 0xff, "bad hex near '%s'", s);
                ck_assert_uint_lt(n, max);
                out[n++] = (uint8_t)v;
                s = end;
        }
        return n;
}

static void hex_format(const uint8_t *p, size_t n, char *out, size_t size)
{
        size_t o = 0;

        out[0] = '\0';
        for (size_t i = 0; i < n && o + 4 < size; i++)
                o += (size_t)snprintf(out + o, size - o, i ? " %02X" : "%02X", p[i]);
}

static void assert_bytes(const uint8_t *got, size_t got_n, const uint8_t *want, size_t want_n,
                         const char *what)
{
        char g[1024], w[1024];

        if (got_n == want_n && memcmp(got, want, want_n) == 0)
                return;
        hex_format(got, got_n, g, sizeof(g));
        hex_format(want, want_n, w, sizeof(w));
        ck_abort_msg("%s: got [%s], want [%s]", what, g, w);
}

static void assert_msg_equal(const struct lsc_msg *got, const struct lsc_msg *want, const char *what)
{
        ck_assert_msg(got->type == want->type, "%s: type %d, want %d", what, got->type, want->type);
        switch (want->type) {
        case LSC_MSG_SERVO_MOVE:
                ck_assert_uint_eq(got->u.move.time_ms, want->u.move.time_ms);
                ck_assert_uint_eq(got->u.move.n_servos, want->u.move.n_servos);
                for (unsigned i = 0; i < want->u.move.n_servos; i++) {
                        ck_assert_int_eq(got->u.move.servos[i].id, want->u.move.servos[i].id);
                        ck_assert_int_eq(got->u.move.servos[i].position,
                                         want->u.move.servos[i].position);
                }
                break;
        case LSC_MSG_GROUP_RUN:
        case LSC_MSG_GROUP_COMPLETE:
                ck_assert_uint_eq(got->u.group.group, want->u.group.group);
                ck_assert_uint_eq(got->u.group.runs, want->u.group.runs);
                break;
        case LSC_MSG_GROUP_SPEED:
                ck_assert_uint_eq(got->u.speed.group, want->u.speed.group);
                ck_assert_uint_eq(got->u.speed.percent, want->u.speed.percent);
                break;
        case LSC_MSG_BATTERY_REPLY:
                ck_assert_uint_eq(got->u.millivolts, want->u.millivolts);
                break;
        case LSC_MSG_SERVO_UNLOAD:
        case LSC_MSG_POSITION_QUERY:
                ck_assert_uint_eq(got->u.ids.n, want->u.ids.n);
                for (unsigned i = 0; i < want->u.ids.n; i++)
                        ck_assert_int_eq(got->u.ids.ids[i], want->u.ids.ids[i]);
                break;
        case LSC_MSG_POSITION_REPLY:
                ck_assert_uint_eq(got->u.positions.n, want->u.positions.n);
                for (unsigned i = 0; i < want->u.positions.n; i++) {
                        ck_assert_int_eq(got->u.positions.servos[i].id,
                                         want->u.positions.servos[i].id);
                        ck_assert_int_eq(got->u.positions.servos[i].position,
                                         want->u.positions.servos[i].position);
                }
                break;
        case LSC_MSG_GROUP_STOP:
        case LSC_MSG_BATTERY_QUERY:
        case LSC_MSG_GROUP_RUN_BARE:
                break;
        }
}

/*
 * A decoding run: the decoder, what was fed, and the transcript of returned
 * frames (their wire bytes back to back). run_feed() and run_idle() check
 * after every call that each byte fed is in a frame, discarded, or pending,
 * and that every frame of a known command parses.
 */
struct run {
        struct lsc_decoder d;
        size_t fed;
        size_t n_frames;
        size_t out_len;
        uint8_t out[STREAM_MAX];
};

static void run_init(struct run *r)
{
        memset(r, 0, sizeof(*r));
        lsc_decoder_init(&r->d);
}

/* unread: bytes of the last input not consumed yet. */
static void run_check_accounting(const struct run *r, size_t unread)
{
        require(r->d.frames == r->n_frames, "frames counter %llu, returned %zu",
                (unsigned long long)r->d.frames, r->n_frames);
        require(r->out_len + r->d.discarded + lsc_decoder_pending(&r->d) == r->fed - unread,
                "accounting: frames %zu + discarded %llu + pending %zu != consumed %zu",
                r->out_len, (unsigned long long)r->d.discarded,
                lsc_decoder_pending(&r->d), r->fed - unread);
}

/* Append a returned frame to the transcript. */
static void run_record(struct run *r, const struct lsc_frame *f)
{
        struct lsc_msg m;
        int e = lsc_frame_parse(f, &m);

        require(e == LSC_OK || e == LSC_E_UNKNOWN_CMD,
                "decoder returned a frame that does not parse: %s", lsc_strerror(e));
        require(r->out_len + f->n_params + 4u <= sizeof(r->out), "transcript full");
        r->out_len += (size_t)lsc_frame_write(r->out + r->out_len, sizeof(r->out) - r->out_len, f);
        r->n_frames++;
}

static void run_feed(struct run *r, const uint8_t *p, size_t n)
{
        struct lsc_frame f;

        r->fed += n;
        while (lsc_decoder_next(&r->d, &p, &n, &f) > 0) {
                run_record(r, &f);
                run_check_accounting(r, n);
        }
        require(n == 0, "lsc_decoder_next returned 0 with %zu bytes unread", n);
        run_check_accounting(r, 0);
}

/* The line went quiet: every byte fed is now in a frame or discarded. */
static void run_idle(struct run *r)
{
        struct lsc_frame f;

        while (lsc_decoder_idle(&r->d, &f) > 0) {
                run_record(r, &f);
                run_check_accounting(r, 0);
        }
        require(lsc_decoder_pending(&r->d) == 0, "%zu bytes pending after an idle line",
                lsc_decoder_pending(&r->d));
        run_check_accounting(r, 0);
}

/* Feed p in pieces cut at `cut` and at each offset of idles[] (ascending),
 * with the line going idle at each of idles[]. */
static void run_feed_idles(struct run *r, const uint8_t *p, size_t n, size_t cut,
                           const size_t *idles, size_t n_idles)
{
        size_t at = 0;

        run_init(r);
        for (size_t i = 0; i <= n_idles; i++) {
                size_t end = i < n_idles ? idles[i] : n;

                if (cut > at && cut < end) {
                        run_feed(r, p + at, cut - at);
                        at = cut;
                }
                run_feed(r, p + at, end - at);
                at = end;
                if (i < n_idles)
                        run_idle(r);
        }
}

/* Feed input cut at the given offsets (ascending, each <= n). */
static void run_feed_cuts(struct run *r, const uint8_t *p, size_t n, const size_t *cuts, size_t n_cuts)
{
        size_t at = 0;

        run_init(r);
        for (size_t i = 0; i < n_cuts; i++) {
                run_feed(r, p + at, cuts[i] - at);
                at = cuts[i];
        }
        run_feed(r, p + at, n - at);
}

static void run_assert_same(const struct run *got, const struct run *want, const char *how)
{
        require(got->n_frames == want->n_frames, "%s: %zu frames, want %zu",
                how, got->n_frames, want->n_frames);
        assert_bytes(got->out, got->out_len, want->out, want->out_len, how);
        require(got->d.discarded == want->d.discarded, "%s: discarded %llu, want %llu", how,
                (unsigned long long)got->d.discarded, (unsigned long long)want->d.discarded);
        require(lsc_decoder_pending(&got->d) == lsc_decoder_pending(&want->d),
                "%s: pending %zu, want %zu", how, lsc_decoder_pending(&got->d),
                lsc_decoder_pending(&want->d));
}

/* Decode p all at once into ref, then check that one byte at a time, every
 * cut into two and every cut into three give the same result. */
static void run_all_splits(struct run *ref, const uint8_t *p, size_t n)
{
        static struct run r;
        size_t cuts[2];

        run_feed_cuts(ref, p, n, NULL, 0);
        run_init(&r);
        for (size_t i = 0; i < n; i++)
                run_feed(&r, p + i, 1);
        run_assert_same(&r, ref, "one byte at a time");
        for (cuts[0] = 0; cuts[0] <= n; cuts[0]++) {
                run_feed_cuts(&r, p, n, cuts, 1);
                run_assert_same(&r, ref, "split in two");
                for (cuts[1] = cuts[0]; cuts[1] <= n; cuts[1]++) {
                        run_feed_cuts(&r, p, n, cuts, 2);
                        run_assert_same(&r, ref, "split in three");
                }
        }
}

/* ---- the reference's byte examples, both ways ---- */

struct example {
        const char *name;
        const char *hex;
        struct lsc_msg msg;
};

static const struct example examples[] = {
        { "servo 1 to 2000 in 1000 ms", "55 55 08 03 01 E8 03 01 D0 07",
          { .type = LSC_MSG_SERVO_MOVE, .u.move = { 1000, 1, { { 1, 2000 } } } } },
        { "servos 2 and 9 in 800 ms", "55 55 0B 03 02 20 03 02 B0 04 09 FC 08",
          { .type = LSC_MSG_SERVO_MOVE, .u.move = { 800, 2, { { 2, 1200 }, { 9, 2300 } } } } },
        { "run group 8 once (also: group 8 started)", "55 55 05 06 08 01 00",
          { .type = LSC_MSG_GROUP_RUN, .u.group = { 8, 1 } } },
        { "run group 2 forever", "55 55 05 06 02 00 00",
          { .type = LSC_MSG_GROUP_RUN, .u.group = { 2, 0 } } },
        { "stop (also: group stopped)", "55 55 02 07",
          { .type = LSC_MSG_GROUP_STOP } },
        { "group 8 at 50 %", "55 55 05 0B 08 32 00",
          { .type = LSC_MSG_GROUP_SPEED, .u.speed = { 8, 50 } } },
        { "every group at 300 %", "55 55 05 0B FF 2C 01",
          { .type = LSC_MSG_GROUP_SPEED, .u.speed = { LSC_GROUP_ALL, 300 } } },
        { "battery query", "55 55 02 0F",
          { .type = LSC_MSG_BATTERY_QUERY } },
        { "battery reply 7500 mV", "55 55 04 0F 4C 1D",
          { .type = LSC_MSG_BATTERY_REPLY, .u.millivolts = 7500 } },
        { "group 8 finished its 1 run", "55 55 05 08 08 01 00",
          { .type = LSC_MSG_GROUP_COMPLETE, .u.group = { 8, 1 } } },
        /* bus-servo-and-d6a.md, "CMD 20", "CMD 21", "Older firmware report forms" */
        { "unload servos 1, 2 and 3", "55 55 06 14 03 01 02 03",
          { .type = LSC_MSG_SERVO_UNLOAD, .u.ids = { 3, { 1, 2, 3 } } } },
        { "unload servos 1 to 6", "55 55 09 14 06 01 02 03 04 05 06",
          { .type = LSC_MSG_SERVO_UNLOAD, .u.ids = { 6, { 1, 2, 3, 4, 5, 6 } } } },
        { "read positions of servos 1 to 6", "55 55 09 15 06 01 02 03 04 05 06",
          { .type = LSC_MSG_POSITION_QUERY, .u.ids = { 6, { 1, 2, 3, 4, 5, 6 } } } },
        { "servos 1 to 6 at 500", "55 55 15 15 06 01 F4 01 02 F4 01 03 F4 01 04 F4 01 "
          "05 F4 01 06 F4 01",
          { .type = LSC_MSG_POSITION_REPLY, .u.positions = { 6, { { 1, 500 }, { 2, 500 },
            { 3, 500 }, { 4, 500 }, { 5, 500 }, { 6, 500 } } } } },
        { "servo 32 at 0, servo 7 at 1000", "55 55 09 15 02 20 00 00 07 E8 03",
          { .type = LSC_MSG_POSITION_REPLY, .u.positions = { 2, { { 32, 0 }, { 7, 1000 } } } } },
        { "older firmware: a group started", "55 55 02 06",
          { .type = LSC_MSG_GROUP_RUN_BARE } },
};

/* Every example stream, back to back. */
static size_t examples_stream(uint8_t *out, size_t max)
{
        size_t n = 0;

        for (size_t i = 0; i < ARRAY_SIZE(examples); i++)
                n += hex_parse(examples[i].hex, out + n, max - n);
        return n;
}

START_TEST(test_example_encode)
{
        const struct example *e = &examples[_i];
        uint8_t want[LSC_FRAME_MAX_SIZE], buf[LSC_FRAME_MAX_SIZE + 8];
        size_t n = hex_parse(e->hex, want, sizeof(want));
        int r;

        memset(buf, 0xAA, sizeof(buf));
        r = lsc_frame_encode_msg(buf, sizeof(buf), &e->msg);
        ck_assert_msg(r == (int)n, "%s: encoded %d bytes, want %zu", e->name, r, n);
        assert_bytes(buf, (size_t)r, want, n, e->name);
        ck_assert_uint_eq(buf[n], 0xAA);
        /* An exact fit works; one byte less writes nothing. */
        ck_assert_int_eq(lsc_frame_encode_msg(buf, n, &e->msg), (int)n);
        memset(buf, 0xAA, sizeof(buf));
        ck_assert_int_eq(lsc_frame_encode_msg(buf, n - 1, &e->msg), LSC_E_NOSPACE);
        for (size_t i = 0; i < sizeof(buf); i++)
                ck_assert_uint_eq(buf[i], 0xAA);
        ck_assert_int_eq(lsc_frame_encode_msg(NULL, 0, &e->msg), LSC_E_NOSPACE);
}
END_TEST

START_TEST(test_example_decode)
{
        const struct example *e = &examples[_i];
        uint8_t bytes[LSC_FRAME_MAX_SIZE];
        size_t n = hex_parse(e->hex, bytes, sizeof(bytes));
        static struct run r;
        struct lsc_frame f;
        struct lsc_msg m;
        const uint8_t *p = bytes;

        run_all_splits(&r, bytes, n);
        ck_assert_uint_eq(r.n_frames, 1);
        assert_bytes(r.out, r.out_len, bytes, n, e->name);
        ck_assert_uint_eq(r.d.discarded, 0);
        ck_assert_uint_eq(lsc_decoder_pending(&r.d), 0);

        lsc_decoder_init(&r.d);
        ck_assert_int_eq(lsc_decoder_next(&r.d, &p, &n, &f), 1);
        ck_assert_uint_eq(n, 0);
        memset(&m, 0xEE, sizeof(m));
        ck_assert_int_eq(lsc_frame_parse(&f, &m), LSC_OK);
        assert_msg_equal(&m, &e->msg, e->name);
}
END_TEST

/* All examples in one chunk, in many chunks, and at every split. */
START_TEST(test_example_stream)
{
        uint8_t stream[512];
        size_t n = examples_stream(stream, sizeof(stream));
        static struct run r;
        size_t at = 0;

        run_all_splits(&r, stream, n);
        ck_assert_uint_eq(r.n_frames, ARRAY_SIZE(examples));
        assert_bytes(r.out, r.out_len, stream, n, "all examples");
        ck_assert_uint_eq(r.d.discarded, 0);
        for (size_t i = 0; i < ARRAY_SIZE(examples); i++) {
                struct lsc_frame f;
                struct lsc_msg m;
                const uint8_t *p = r.out + at;
                size_t len = (size_t)p[2] + 2;
                struct lsc_decoder d;

                lsc_decoder_init(&d);
                ck_assert_int_eq(lsc_decoder_next(&d, &p, &len, &f), 1);
                ck_assert_int_eq(lsc_frame_parse(&f, &m), LSC_OK);
                assert_msg_equal(&m, &examples[i].msg, examples[i].name);
                at += f.n_params + 4u;
        }
}
END_TEST

/* ---- encoder errors ---- */

enum enc { ENC_MOVE, ENC_RUN, ENC_COMPLETE, ENC_SPEED, ENC_REPLY, ENC_BUS_MOVE, ENC_UNLOAD,
           ENC_POS_QUERY, ENC_POS_REPLY };

struct enc_case {
        const char *name;
        enum enc enc;
        long a, b;                      /* time, or group, or millivolts; runs/percent */
        size_t n_servos;
        struct lsc_servo servos[4];
        int want;
};

#define S(i, p) { i, p }
static const struct enc_case enc_cases[] = {
        { "move: no servos", ENC_MOVE, 1000, 0, 0, { S(1, 1500) }, LSC_E_NO_SERVOS },
        { "move: id 0", ENC_MOVE, 1000, 0, 1, { S(0, 1500) }, LSC_E_SERVO_ID },
        { "move: id 33", ENC_MOVE, 1000, 0, 1, { S(33, 1500) }, LSC_E_SERVO_ID },
        { "move: id -1", ENC_MOVE, 1000, 0, 1, { S(-1, 1500) }, LSC_E_SERVO_ID },
        { "move: id 256", ENC_MOVE, 1000, 0, 1, { S(256, 1500) }, LSC_E_SERVO_ID },
        { "move: duplicate id", ENC_MOVE, 1000, 0, 3, { S(1, 1500), S(2, 1500), S(1, 1600) },
          LSC_E_DUP_SERVO },
        { "move: position 499", ENC_MOVE, 1000, 0, 1, { S(1, 499) }, LSC_E_POSITION },
        { "move: position 2501", ENC_MOVE, 1000, 0, 1, { S(1, 2501) }, LSC_E_POSITION },
        { "move: position 65536+1500", ENC_MOVE, 1000, 0, 1, { S(1, 65536 + 1500) },
          LSC_E_POSITION },
        { "move: time -1", ENC_MOVE, -1, 0, 1, { S(1, 1500) }, LSC_E_TIME },
        { "move: time 65536", ENC_MOVE, 65536, 0, 1, { S(1, 1500) }, LSC_E_TIME },
        { "move: servos checked in order, position first", ENC_MOVE, -1, 0, 2,
          { S(1, 100), S(40, 1500) }, LSC_E_POSITION },
        { "move: servos checked in order, id first", ENC_MOVE, -1, 0, 2,
          { S(40, 100), S(1, 100) }, LSC_E_SERVO_ID },
        { "move: duplicate before its position", ENC_MOVE, 1000, 0, 2,
          { S(5, 1500), S(5, 9999) }, LSC_E_DUP_SERVO },
        { "move: servos before time", ENC_MOVE, 70000, 0, 1, { S(1, 2600) }, LSC_E_POSITION },
        { "move: bounds", ENC_MOVE, 65535, 0, 4,
          { S(1, 500), S(32, 2500), S(16, 1500), S(17, 501) }, LSC_FRAME_SIZE_MOVE(4) },
        { "move: time 0", ENC_MOVE, 0, 0, 1, { S(1, 1500) }, LSC_FRAME_SIZE_MOVE(1) },
        { "run: group -1", ENC_RUN, -1, 1, 0, { S(0, 0) }, LSC_E_GROUP },
        { "run: group 255", ENC_RUN, 255, 1, 0, { S(0, 0) }, LSC_E_GROUP },
        { "run: runs -1", ENC_RUN, 0, -1, 0, { S(0, 0) }, LSC_E_RUNS },
        { "run: runs 65536", ENC_RUN, 0, 65536, 0, { S(0, 0) }, LSC_E_RUNS },
        { "run: group before runs", ENC_RUN, 300, -1, 0, { S(0, 0) }, LSC_E_GROUP },
        { "run: bounds", ENC_RUN, 254, 65535, 0, { S(0, 0) }, LSC_FRAME_SIZE_RUN },
        { "complete: group 255", ENC_COMPLETE, 255, 1, 0, { S(0, 0) }, LSC_E_GROUP },
        { "complete: runs 65536", ENC_COMPLETE, 1, 65536, 0, { S(0, 0) }, LSC_E_RUNS },
        { "complete: bounds", ENC_COMPLETE, 0, 0, 0, { S(0, 0) }, LSC_FRAME_SIZE_RUN },
        { "speed: group -1", ENC_SPEED, -1, 100, 0, { S(0, 0) }, LSC_E_GROUP },
        { "speed: group 256", ENC_SPEED, 256, 100, 0, { S(0, 0) }, LSC_E_GROUP },
        { "speed: percent 0", ENC_SPEED, 1, 0, 0, { S(0, 0) }, LSC_E_PERCENT },
        { "speed: percent 65536", ENC_SPEED, 1, 65536, 0, { S(0, 0) }, LSC_E_PERCENT },
        { "speed: group before percent", ENC_SPEED, 256, 0, 0, { S(0, 0) }, LSC_E_GROUP },
        { "speed: all, bounds", ENC_SPEED, 255, 65535, 0, { S(0, 0) }, LSC_FRAME_SIZE_SPEED },
        { "speed: group 0, percent 1", ENC_SPEED, 0, 1, 0, { S(0, 0) }, LSC_FRAME_SIZE_SPEED },
        { "battery reply: -1 mV", ENC_REPLY, -1, 0, 0, { S(0, 0) }, LSC_E_MILLIVOLTS },
        { "battery reply: 65536 mV", ENC_REPLY, 65536, 0, 0, { S(0, 0) }, LSC_E_MILLIVOLTS },
        { "battery reply: 65535 mV", ENC_REPLY, 65535, 0, 0, { S(0, 0) }, 6 },
        { "battery reply: 0 mV", ENC_REPLY, 0, 0, 0, { S(0, 0) }, 6 },
        { "bus move: bounds", ENC_BUS_MOVE, 100, 0, 2, { S(1, 0), S(2, 1000) },
          LSC_FRAME_SIZE_MOVE(2) },
        { "bus move: position -1", ENC_BUS_MOVE, 100, 0, 1, { S(1, -1) }, LSC_E_POSITION },
        { "bus move: position 1001", ENC_BUS_MOVE, 100, 0, 1, { S(1, 1001) }, LSC_E_POSITION },
        { "unload: none", ENC_UNLOAD, 0, 0, 0, { S(1, 0) }, LSC_E_NO_SERVOS },
        { "unload: id 33", ENC_UNLOAD, 0, 0, 1, { S(33, 0) }, LSC_E_SERVO_ID },
        { "unload: duplicate", ENC_UNLOAD, 0, 0, 2, { S(3, 0), S(3, 0) }, LSC_E_DUP_SERVO },
        { "unload: 1 and 32", ENC_UNLOAD, 0, 0, 2, { S(1, 0), S(32, 0) }, LSC_FRAME_SIZE_IDS(2) },
        { "position query: id 0", ENC_POS_QUERY, 0, 0, 1, { S(0, 0) }, LSC_E_SERVO_ID },
        { "position query: one", ENC_POS_QUERY, 0, 0, 1, { S(9, 0) }, LSC_FRAME_SIZE_IDS(1) },
        { "position reply: 65536", ENC_POS_REPLY, 0, 0, 1, { S(1, 65536) }, LSC_E_POSITION },
        { "position reply: bounds", ENC_POS_REPLY, 0, 0, 2, { S(1, 0), S(32, 65535) },
          LSC_FRAME_SIZE_POSITIONS(2) },
};
#undef S

static int enc_case_run(const struct enc_case *c, uint8_t *buf, size_t size)
{
        switch (c->enc) {
        case ENC_MOVE:
                return lsc_frame_encode_move(buf, size, c->a, c->servos, c->n_servos);
        case ENC_RUN:
                return lsc_frame_encode_group_run(buf, size, c->a, c->b);
        case ENC_COMPLETE:
                return lsc_frame_encode_group_complete(buf, size, c->a, c->b);
        case ENC_SPEED:
                return lsc_frame_encode_group_speed(buf, size, c->a, c->b);
        case ENC_REPLY:
                return lsc_frame_encode_battery_reply(buf, size, c->a);
        case ENC_BUS_MOVE:
                return lsc_frame_encode_move_within(buf, size, c->a, c->servos, c->n_servos,
                                                    LSC_BUS_POSITION_MIN, LSC_BUS_POSITION_MAX);
        case ENC_POS_REPLY:
                return lsc_frame_encode_position_reply(buf, size, c->servos, c->n_servos);
        case ENC_UNLOAD:
        case ENC_POS_QUERY: {
                int ids[ARRAY_SIZE(c->servos)];

                for (size_t i = 0; i < c->n_servos; i++)
                        ids[i] = c->servos[i].id;
                return c->enc == ENC_UNLOAD ? lsc_frame_encode_unload(buf, size, ids, c->n_servos)
                        : lsc_frame_encode_position_query(buf, size, ids, c->n_servos);
        }
        }
        return 0;
}

START_TEST(test_encode_errors)
{
        const struct enc_case *c = &enc_cases[_i];
        uint8_t buf[LSC_FRAME_MAX_SIZE];
        int r;

        memset(buf, 0xAA, sizeof(buf));
        r = enc_case_run(c, buf, sizeof(buf));
        ck_assert_msg(r == c->want, "%s: got %d (%s), want %d (%s)", c->name,
                      r, lsc_strerror(r), c->want, lsc_strerror(c->want));
        if (r < 0) {
                for (size_t i = 0; i < sizeof(buf); i++)
                        ck_assert_uint_eq(buf[i], 0xAA);
                /* An argument error wins over a missing buffer. */
                ck_assert_int_eq(enc_case_run(c, NULL, 0), c->want);
        } else {
                ck_assert_int_eq(enc_case_run(c, buf, (size_t)r - 1), LSC_E_NOSPACE);
        }
}
END_TEST

/* A move of all 32 servos fits; 33 and 83 servos fail on ids; 84 is too many. */
START_TEST(test_move_counts)
{
        struct lsc_servo s[LSC_MOVE_FRAME_MAX_SERVOS + 1];
        uint8_t buf[LSC_FRAME_MAX_SIZE];
        struct lsc_frame f;
        struct lsc_msg m;
        const uint8_t *p = buf;
        size_t n;
        struct lsc_decoder d;

        for (size_t i = 0; i < ARRAY_SIZE(s); i++) {
                s[i].id = (int)(i % 32) + 1;
                s[i].position = 500 + (int)i * 60;
        }
        ck_assert_int_eq(lsc_frame_encode_move(buf, sizeof(buf), 1234, s, 32),
                         LSC_FRAME_SIZE_MOVE(32));
        n = LSC_FRAME_SIZE_MOVE(32);
        lsc_decoder_init(&d);
        ck_assert_int_eq(lsc_decoder_next(&d, &p, &n, &f), 1);
        ck_assert_int_eq(lsc_frame_parse(&f, &m), LSC_OK);
        ck_assert_uint_eq(m.u.move.n_servos, 32);
        ck_assert_uint_eq(m.u.move.time_ms, 1234);
        for (size_t i = 0; i < 32; i++) {
                ck_assert_int_eq(m.u.move.servos[i].id, s[i].id);
                ck_assert_int_eq(m.u.move.servos[i].position, s[i].position);
        }
        ck_assert_int_eq(lsc_frame_encode_move(buf, sizeof(buf), 0, s, 33), LSC_E_DUP_SERVO);
        s[32].id = 33;
        ck_assert_int_eq(lsc_frame_encode_move(buf, sizeof(buf), 0, s, 33), LSC_E_SERVO_ID);
        ck_assert_int_eq(lsc_frame_encode_move(buf, sizeof(buf), 0, s, 83), LSC_E_SERVO_ID);
        ck_assert_int_eq(lsc_frame_encode_move(buf, sizeof(buf), 0, s, 84),
                         LSC_E_TOO_MANY_SERVOS);
        ck_assert_int_eq(lsc_frame_encode_move(buf, sizeof(buf), 0, s, (size_t)-1),
                         LSC_E_TOO_MANY_SERVOS);
}
END_TEST

START_TEST(test_strerror)
{
        for (int e = LSC_OK; e >= LSC_E_MALFORMED; e--) {
                const char *s = lsc_strerror(e);

                ck_assert_ptr_nonnull(s);
                ck_assert_str_ne(s, lsc_strerror(1));
                for (int o = LSC_OK; o > e; o--)
                        ck_assert_str_ne(s, lsc_strerror(o));
        }
        ck_assert_str_eq(lsc_strerror(LSC_E_MALFORMED - 1), lsc_strerror(1));
        ck_assert_str_eq(lsc_strerror(-2147483647 - 1), lsc_strerror(1));
}
END_TEST

/* ---- parser and Length rules ---- */

struct parse_case {
        const char *hex;                /* Cmd then parameters */
        int want;
};

static const struct parse_case parse_cases[] = {
        { "03", LSC_E_MALFORMED },
        { "03 01 E8 03", LSC_E_MALFORMED },
        { "03 00 E8 03", LSC_E_MALFORMED },
        { "03 01 E8 03 01 D0", LSC_E_MALFORMED },
        { "03 01 E8 03 01 D0 07", LSC_OK },
        { "03 02 E8 03 01 D0 07", LSC_E_MALFORMED },
        { "03 01 E8 03 01 D0 07 00", LSC_E_MALFORMED },
        { "06 08 01", LSC_E_MALFORMED },
        { "06 08 01 00 00", LSC_E_MALFORMED },
        { "08", LSC_E_MALFORMED },
        { "08 08 01 00", LSC_OK },
        { "0B 08 32", LSC_E_MALFORMED },
        { "07 00", LSC_E_MALFORMED },
        { "07", LSC_OK },
        { "0F 4C", LSC_E_MALFORMED },
        { "0F 4C 1D 00", LSC_E_MALFORMED },
        { "0F 4C 1D", LSC_OK },
        { "0F", LSC_OK },
        { "06", LSC_OK },
        { "06 08", LSC_E_MALFORMED },
        { "14", LSC_E_MALFORMED },
        { "14 00", LSC_E_MALFORMED },
        { "14 01 01", LSC_OK },
        { "14 02 01", LSC_E_MALFORMED },
        { "14 01 01 F4 01", LSC_E_MALFORMED },
        { "15 01 01", LSC_OK },
        { "15 01 01 F4 01", LSC_OK },
        { "15 01 01 F4", LSC_E_MALFORMED },
        { "15 02 01 F4 01", LSC_E_MALFORMED },
        { "15 00", LSC_E_MALFORMED },
        { "00", LSC_E_UNKNOWN_CMD },
        { "01 02 03", LSC_E_UNKNOWN_CMD },
        { "55", LSC_E_UNKNOWN_CMD },
        { "FF", LSC_E_UNKNOWN_CMD },
};

START_TEST(test_parse)
{
        const struct parse_case *c = &parse_cases[_i];
        uint8_t bytes[LSC_FRAME_MAX_SIZE];
        size_t n = hex_parse(c->hex, bytes, sizeof(bytes));
        struct lsc_frame f;
        struct lsc_msg m;
        int r;

        f.cmd = bytes[0];
        f.n_params = (uint8_t)(n - 1);
        memcpy(f.params, bytes + 1, n - 1);
        r = lsc_frame_parse(&f, &m);
        ck_assert_msg(r == c->want, "[%s]: %s, want %s", c->hex, lsc_strerror(r),
                      lsc_strerror(c->want));
        /* Length plausibility agrees with the parser for every known command. */
        ck_assert_int_eq(lsc_frame_length_plausible(f.cmd, (uint8_t)(n + 1), n > 1 ? bytes[1] : 0),
                         r != LSC_E_MALFORMED);
}
END_TEST

/* The largest SERVO_MOVE the layout allows (83 servos, Length 254) parses;
 * values are not range-checked on the way in. */
START_TEST(test_parse_move_max)
{
        struct lsc_frame f;
        struct lsc_msg m;

        f.cmd = LSC_CMD_SERVO_MOVE;
        f.n_params = 3 + 3 * LSC_MOVE_FRAME_MAX_SERVOS;
        for (unsigned i = 0; i < f.n_params; i++)
                f.params[i] = (uint8_t)(i * 7);
        f.params[0] = LSC_MOVE_FRAME_MAX_SERVOS;
        ck_assert_int_eq(lsc_frame_parse(&f, &m), LSC_OK);
        ck_assert_uint_eq(m.u.move.n_servos, LSC_MOVE_FRAME_MAX_SERVOS);
        ck_assert_int_eq(m.u.move.servos[82].id, (uint8_t)(249 * 7));
        ck_assert_int_eq(m.u.move.servos[82].position,
                         (uint8_t)(250 * 7) | (uint8_t)(251 * 7) << 8);
        ck_assert_int_eq(lsc_frame_length_plausible(LSC_CMD_SERVO_MOVE, 254, 83), 1);
        ck_assert_int_eq(lsc_frame_length_plausible(LSC_CMD_SERVO_MOVE, 255, 83), 0);
        ck_assert_int_eq(lsc_frame_length_plausible(LSC_CMD_SERVO_MOVE, 5, 0), 0);
        ck_assert_int_eq(lsc_frame_length_plausible(0x42, 200, 0), 1);
}
END_TEST

START_TEST(test_frame_write)
{
        struct lsc_frame f = { .cmd = 0x42, .n_params = 3, .params = { 1, 0x55, 3 } };
        uint8_t buf[LSC_FRAME_MAX_SIZE + 1], want[8];
        size_t n = hex_parse("55 55 05 42 01 55 03", want, sizeof(want));

        memset(buf, 0xAA, sizeof(buf));
        ck_assert_int_eq(lsc_frame_write(buf, n - 1, &f), LSC_E_NOSPACE);
        ck_assert_uint_eq(buf[0], 0xAA);
        ck_assert_int_eq(lsc_frame_write(buf, n, &f), (int)n);
        assert_bytes(buf, n, want, n, "raw frame");
        f.n_params = LSC_FRAME_MAX_PARAMS;
        ck_assert_int_eq(lsc_frame_write(buf, sizeof(buf), &f), LSC_FRAME_MAX_SIZE);
        ck_assert_uint_eq(buf[2], LSC_FRAME_MAX_LENGTH);
        f.n_params = LSC_FRAME_MAX_PARAMS + 1;
        ck_assert_int_eq(lsc_frame_write(buf, sizeof(buf), &f), LSC_E_MALFORMED);
        ck_assert_int_eq(lsc_frame_parse(&f, &(struct lsc_msg){ 0 }), LSC_E_MALFORMED);
}
END_TEST

/* ---- decoder on each input class, at every split ---- */

struct dec_case {
        const char *name;
        const char *in;
        const char *frames;     /* wire bytes of the frames returned, back to back */
        size_t n_frames;
        size_t discarded;
        size_t pending;
};

static const struct dec_case dec_cases[] = {
        { "empty", "", "", 0, 0, 0 },
        { "leading garbage", "00 01 FF 54 56 55 55 02 07", "55 55 02 07", 1, 5, 0 },
        { "lone 55 in garbage", "55 01 55 AA 55 55 02 07", "55 55 02 07", 1, 4, 0 },
        { "interleaved garbage", "55 55 02 07 13 37 55 55 02 0F 00 55 55 04 0F 4C 1D 99",
          "55 55 02 07 55 55 02 0F 55 55 04 0F 4C 1D", 3, 4, 0 },
        { "garbage only", "01 02 03 04 AA", "", 0, 5, 0 },
        { "run of 3", "55 55 55 02 07", "55 55 02 07", 1, 1, 0 },
        { "run of 4", "55 55 55 55 02 07", "55 55 02 07", 1, 2, 0 },
        { "run of 5", "55 55 55 55 55 05 06 08 01 00", "55 55 05 06 08 01 00", 1, 3, 0 },
        { "run of 5 at the end", "55 55 55 55 55", "", 0, 3, 2 },
        { "single 55 at the end", "02 07 55", "", 0, 2, 1 },
        { "Length 0", "55 55 00 55 55 02 07", "55 55 02 07", 1, 3, 0 },
        { "Length 1", "55 55 01 55 55 02 07", "55 55 02 07", 1, 3, 0 },
        { "Length 1 then header", "55 55 01 55 55 55 02 07", "55 55 02 07", 1, 4, 0 },
        { "Length 2, known", "55 55 02 0F", "55 55 02 0F", 1, 0, 0 },
        { "Length 2, unknown command", "55 55 02 42 55 55 02 07", "55 55 02 42 55 55 02 07",
          2, 0, 0 },
        { "Length 2, SERVO_MOVE", "55 55 02 03 55 55 02 07", "55 55 02 07", 1, 4, 0 },
        /* An older firmware's run report (bus-servo-and-d6a.md, "Older
         * firmware report forms"): a RUN of Length 2 is a frame. */
        { "Length 2, RUN", "55 55 02 06 08 01 00", "55 55 02 06", 1, 3, 0 },
        { "Length 2, RUN, then a STOP", "55 55 02 06 55 55 02 07", "55 55 02 06 55 55 02 07",
          2, 0, 0 },
        { "position reply", "55 55 06 15 01 03 E8 03", "55 55 06 15 01 03 E8 03", 1, 0, 0 },
        { "position count 0 hides a STOP", "55 55 03 15 00 55 55 02 07", "55 55 02 07", 1, 5, 0 },
        { "position count fits neither Length", "55 55 05 15 01 55 55 02 07", "55 55 02 07",
          1, 5, 0 },
        { "unload with a reply's Length", "55 55 06 14 01 01 F4 01", "", 0, 8, 0 },
        { "STOP with Length 5 hides a STOP", "55 55 05 07 55 55 02 07", "55 55 02 07", 1, 4, 0 },
        { "RUN with Length 3 hides a RUN", "55 55 03 06 55 55 05 06 08 01 00",
          "55 55 05 06 08 01 00", 1, 4, 0 },
        { "battery with Length 3", "55 55 03 0F 55 55 04 0F 4C 1D", "55 55 04 0F 4C 1D", 1, 4, 0 },
        { "SERVO_MOVE count does not fit Length", "55 55 08 03 55 55 02 07", "55 55 02 07", 1, 4, 0 },
        { "SERVO_MOVE count 0", "55 55 05 03 00 55 55 02 07", "55 55 02 07", 1, 5, 0 },
        { "SERVO_MOVE count 2 in Length 8", "55 55 08 03 02 E8 03 01 D0 07", "", 0, 10, 0 },
        { "header inside a rejected header", "55 55 0B 07 55 55 08 03 01 E8 03 01 D0 07",
          "55 55 08 03 01 E8 03 01 D0 07", 1, 4, 0 },
        { "unknown command swallows what its Length says", "55 55 03 AA 55 55 02 07",
          "55 55 03 AA 55", 1, 3, 0 },
        { "parameters may hold 55 55", "55 55 05 06 55 55 55 55 55 02 07",
          "55 55 05 06 55 55 55 55 55 02 07", 2, 0, 0 },
        { "truncated frame followed by a frame", "55 55 05 06 08 55 55 02 07",
          "55 55 05 06 08 55 55", 1, 2, 0 },
        { "truncated SERVO_MOVE followed by a frame", "55 55 08 03 01 E8 55 55 02 07",
          "55 55 08 03 01 E8 55 55 02 07", 1, 0, 0 },
        { "truncated header followed by a frame", "55 55 05 55 55 02 07",
          "55 55 02 07", 1, 3, 0 },
        { "truncated at the end", "55 55 02 07 55 55 05 06 08", "55 55 02 07", 1, 0, 5 },
        { "header at the end", "55 55", "", 0, 0, 2 },
        { "Length at the end", "07 55 55 0B", "", 0, 1, 3 },
};

START_TEST(test_decoder_cases)
{
        const struct dec_case *c = &dec_cases[_i];
        uint8_t in[512], want[512];
        size_t n = hex_parse(c->in, in, sizeof(in));
        size_t want_n = hex_parse(c->frames, want, sizeof(want));
        static struct run r;

        run_all_splits(&r, in, n);
        ck_assert_msg(r.n_frames == c->n_frames, "%s: %zu frames, want %zu", c->name,
                      r.n_frames, c->n_frames);
        assert_bytes(r.out, r.out_len, want, want_n, c->name);
        ck_assert_msg(r.d.discarded == c->discarded, "%s: discarded %llu, want %zu", c->name,
                      (unsigned long long)r.d.discarded, c->discarded);
        ck_assert_uint_eq(lsc_decoder_pending(&r.d), c->pending);
        ck_assert_uint_eq(lsc_decoder_reset(&r.d), c->pending);
        ck_assert_uint_eq(r.d.discarded, c->discarded + c->pending);
        ck_assert_uint_eq(lsc_decoder_pending(&r.d), 0);
        /* After a reset the decoder starts afresh. */
        run_feed(&r, (const uint8_t *)"\x55\x55\x02\x07", 4);
        ck_assert_uint_eq(r.n_frames, c->n_frames + 1);
}
END_TEST

/* Length 255: the longest frame. An unknown command is returned whole; no
 * known command fits, so SERVO_MOVE is dropped and the next frame found. */
START_TEST(test_length_255)
{
        uint8_t in[600];
        size_t n = 0;
        static struct run r;

        in[n++] = 0x55;
        in[n++] = 0x55;
        in[n++] = 0xFF;
        in[n++] = 0x42;
        for (int i = 0; i < LSC_FRAME_MAX_PARAMS; i++)
                in[n++] = (uint8_t)(i * 13);    /* holds 0x55 bytes too */
        ck_assert_uint_eq(n, LSC_FRAME_MAX_SIZE);
        run_all_splits(&r, in, n);
        ck_assert_uint_eq(r.n_frames, 1);
        assert_bytes(r.out, r.out_len, in, n, "Length 255");
        ck_assert_uint_eq(r.d.discarded, 0);

        in[3] = LSC_CMD_SERVO_MOVE;
        in[4] = 83;
        in[n++] = 0x55;
        in[n++] = 0x55;
        in[n++] = 0x02;
        in[n++] = 0x07;
        run_all_splits(&r, in, n);
        ck_assert_uint_eq(r.n_frames, 1);
        assert_bytes(r.out, r.out_len, in + n - 4, 4, "frame after SERVO_MOVE Length 255");
        ck_assert_uint_eq(r.d.discarded, LSC_FRAME_MAX_SIZE);
}
END_TEST

/* ---- false headers: the frames after one are still found ---- */

/*
 * Noise ending in a false header "55 55 L ...", then real frames back to
 * back. Without a checksum the false header would take the next frames as
 * its own, up to L + 2 bytes. Each real frame must come out exactly, and
 * exactly the noise must be discarded:
 *  - always when the line goes idle between the noise and the frames;
 *  - when `needs` allows, also with the line going idle only after the
 *    frames, or never.
 */
enum resync_needs {
        RESYNC_AT_ONCE,         /* no idle line: a Cmd 0x55 gives it away */
        RESYNC_IDLE_AFTER,      /* an idle line after the frames */
        RESYNC_IDLE_BETWEEN,    /* the frames fill the false Length */
};

struct resync_case {
        const char *name;
        const char *noise;
        const char *frames;
        enum resync_needs needs;
};

#define STOP     "55 55 02 07"
#define BATTERY  "55 55 04 0F 4C 1D"
#define COMPLETE "55 55 05 08 08 01 00"
static const struct resync_case resync_cases[] = {
        { "Length 9, then a STOP", "55 55 09", STOP, RESYNC_AT_ONCE },
        { "Length 9, then a battery reply", "55 55 09", BATTERY, RESYNC_AT_ONCE },
        { "Length 9, then group.completed", "55 55 09", COMPLETE, RESYNC_AT_ONCE },
        { "Length 9, then three frames", "55 55 09", STOP " " BATTERY " " COMPLETE,
          RESYNC_AT_ONCE },
        { "Length 2, then a STOP", "55 55 02", STOP, RESYNC_AT_ONCE },
        { "Length 255, then a battery reply", "55 55 FF", BATTERY, RESYNC_AT_ONCE },
        { "run of 55 and Length 9, then a STOP", "55 55 55 55 09", STOP, RESYNC_AT_ONCE },
        { "Length 9 and a Cmd 55, then a STOP", "55 55 09 55", STOP, RESYNC_AT_ONCE },
        { "Length 9 and 55s, then a battery reply", "55 55 09 55 55 55", BATTERY, RESYNC_AT_ONCE },
        { "garbage and Length 9, then group.completed", "01 02 55 55 09", COMPLETE,
          RESYNC_AT_ONCE },
        { "Length 255 and Cmd 0, then a STOP", "55 55 FF 00", STOP, RESYNC_IDLE_AFTER },
        { "Length 255 and Cmd 0, then three frames", "55 55 FF 00",
          STOP " " BATTERY " " COMPLETE, RESYNC_IDLE_AFTER },
        { "Length 9 and Cmd 0, then a STOP", "55 55 09 00 00", STOP, RESYNC_IDLE_AFTER },
        { "Length 9 and Cmd 0, then group.completed", "55 55 09 00", COMPLETE,
          RESYNC_IDLE_BETWEEN },
        { "group.completed cut short, then a STOP", "55 55 05 08 08", STOP,
          RESYNC_IDLE_BETWEEN },
        { "RUN cut after its Cmd, then a battery reply", "55 55 05 06", BATTERY,
          RESYNC_IDLE_BETWEEN },
        { "SERVO_MOVE cut short, then a STOP", "55 55 08 03 01 E8", STOP, RESYNC_IDLE_BETWEEN },
        { "battery reply cut short, then a STOP", "55 55 04 0F 4C", STOP, RESYNC_IDLE_BETWEEN },
};

static void resync_assert(const struct run *r, const struct resync_case *c, size_t noise,
                          const char *how)
{
        uint8_t want[512];
        size_t want_n = hex_parse(c->frames, want, sizeof(want));
        char what[256];

        snprintf(what, sizeof(what), "%s, %s", c->name, how);
        assert_bytes(r->out, r->out_len, want, want_n, what);
        require(r->d.discarded == noise, "%s: discarded %llu, want %zu", what,
                (unsigned long long)r->d.discarded, noise);
        require(lsc_decoder_pending(&r->d) == 0, "%s: %zu bytes pending", what,
                lsc_decoder_pending(&r->d));
}

/* Decode with the line going idle at idles[], at every split. */
static void resync_check_idles(const struct resync_case *c, const uint8_t *in, size_t n,
                               size_t noise, const size_t *idles, size_t n_idles,
                               const char *how)
{
        static struct run r;

        for (size_t cut = 0; cut <= n; cut++) {
                run_feed_idles(&r, in, n, cut, idles, n_idles);
                resync_assert(&r, c, noise, how);
        }
}

START_TEST(test_resync)
{
        const struct resync_case *c = &resync_cases[_i];
        uint8_t in[512];
        size_t noise = hex_parse(c->noise, in, sizeof(in));
        size_t n = noise + hex_parse(c->frames, in + noise, sizeof(in) - noise);
        const size_t between[] = { noise, n }, after[] = { n };
        static struct run r;

        resync_check_idles(c, in, n, noise, between, 2, "idle between");
        if (c->needs <= RESYNC_IDLE_AFTER)
                resync_check_idles(c, in, n, noise, after, 1, "idle after");
        if (c->needs == RESYNC_AT_ONCE) {
                run_all_splits(&r, in, n);
                resync_assert(&r, c, noise, "no idle");
        }
}
END_TEST

/* A false Length 255 can hold 63 STOPs (252 bytes) and a part of the 64th.
 * An idle line after 63 finds them all; after 64, the false frame is full
 * and taken for a frame. An idle line between finds all 64. */
START_TEST(test_resync_length_255)
{
        static uint8_t in[4 + 64 * 4];
        static struct run r;
        size_t k = 63 + (size_t)_i, n = 4 + 4 * k;
        size_t between[] = { 4, n }, after[] = { n };

        hex_parse("55 55 FF 00", in, 4);
        for (size_t i = 0; i < k; i++)
                hex_parse(STOP, in + 4 + 4 * i, 4);
        run_feed_idles(&r, in, n, 0, between, 2);
        ck_assert_uint_eq(r.n_frames, k);
        assert_bytes(r.out, r.out_len, in + 4, n - 4, "idle between");
        ck_assert_uint_eq(r.d.discarded, 4);
        run_feed_idles(&r, in, n, 0, after, 1);
        if (k == 63) {
                assert_bytes(r.out, r.out_len, in + 4, n - 4, "idle after 63 STOPs");
                ck_assert_uint_eq(r.d.discarded, 4);
        } else {
                assert_bytes(r.out, r.out_len, in, LSC_FRAME_MAX_SIZE, "idle after 64 STOPs");
                ck_assert_uint_eq(r.d.discarded, n - LSC_FRAME_MAX_SIZE);
        }
}
END_TEST

/* lsc_decoder_idle() returns the frames found in what it rescans one at a
 * time, discards the rest, and changes nothing when no byte is pending. */
START_TEST(test_idle_api)
{
        uint8_t in[32];
        size_t n = hex_parse("55 55 FF 00 " STOP " 55 55 02 0F 55 55", in, sizeof(in));
        const uint8_t *p = in;
        struct lsc_decoder d;
        struct lsc_frame f;

        lsc_decoder_init(&d);
        ck_assert_int_eq(lsc_decoder_idle(&d, &f), 0);
        ck_assert_int_eq(lsc_decoder_next(&d, &p, &n, &f), 0);
        ck_assert_uint_eq(lsc_decoder_pending(&d), 14);
        ck_assert_int_eq(lsc_decoder_idle(&d, &f), 1);
        ck_assert_uint_eq(f.cmd, LSC_CMD_ACTION_GROUP_STOP);
        ck_assert_uint_eq(lsc_decoder_pending(&d), 6);
        ck_assert_int_eq(lsc_decoder_idle(&d, &f), 1);
        ck_assert_uint_eq(f.cmd, LSC_CMD_GET_BATTERY_VOLTAGE);
        ck_assert_uint_eq(f.n_params, 0);
        ck_assert_int_eq(lsc_decoder_idle(&d, &f), 0);
        ck_assert_uint_eq(lsc_decoder_pending(&d), 0);
        ck_assert_uint_eq(d.frames, 2);
        ck_assert_uint_eq(d.discarded, 6);
        ck_assert_int_eq(lsc_decoder_idle(&d, &f), 0);
        ck_assert_uint_eq(d.discarded, 6);
}
END_TEST

/* A frame whose bytes are apart by more than the gap is cut: both parts
 * are discarded. Whole frames are not affected by an idle line. */
START_TEST(test_idle_cuts_frame)
{
        static const size_t idles[] = { 2, 4, 8 };
        uint8_t in[16];
        size_t n = hex_parse(STOP " " STOP " " STOP, in, sizeof(in));
        static struct run r;

        run_feed_idles(&r, in, n, 0, idles, ARRAY_SIZE(idles));
        ck_assert_uint_eq(r.n_frames, 2);
        assert_bytes(r.out, r.out_len, in, 8, "two STOPs");
        ck_assert_uint_eq(r.d.discarded, 4);
}
END_TEST

/* k bytes 0x55 then "02 07": k - 2 discarded, then the STOP. */
START_TEST(test_runs_of_55)
{
        static const size_t ks[] = { 2, 3, 4, 5, 6, 7, 100, 257, 258, 1000, 4000 };
        static uint8_t in[4100];
        static struct run r;
        size_t k = ks[_i];

        memset(in, 0x55, k);
        in[k] = 0x02;
        in[k + 1] = 0x07;
        run_feed_cuts(&r, in, k + 2, NULL, 0);
        ck_assert_uint_eq(r.n_frames, 1);
        ck_assert_uint_eq(r.d.discarded, k - 2);
        run_init(&r);
        for (size_t i = 0; i < k + 2; i++)
                run_feed(&r, in + i, 1);
        ck_assert_uint_eq(r.n_frames, 1);
        ck_assert_uint_eq(r.d.discarded, k - 2);
        if (k < 300)
                run_all_splits(&r, in, k + 2);
        ck_assert_uint_eq(r.n_frames, 1);
        ck_assert_uint_eq(r.d.discarded, k - 2);
}
END_TEST

START_TEST(test_next_api)
{
        struct lsc_decoder d;
        struct lsc_frame f;
        const uint8_t two[] = { 0x55, 0x55, 0x02, 0x07, 0x55, 0x55, 0x02, 0x0F, 0x01 };
        const uint8_t *p = two;
        size_t n = 0;

        lsc_decoder_init(&d);
        ck_assert_int_eq(lsc_decoder_next(&d, &p, &n, &f), 0);
        ck_assert_ptr_eq(p, two);
        n = sizeof(two);
        ck_assert_int_eq(lsc_decoder_next(&d, &p, &n, &f), 1);
        ck_assert_ptr_eq(p, two + 4);
        ck_assert_uint_eq(n, 5);
        ck_assert_uint_eq(f.cmd, LSC_CMD_ACTION_GROUP_STOP);
        ck_assert_int_eq(lsc_decoder_next(&d, &p, &n, &f), 1);
        ck_assert_uint_eq(f.cmd, LSC_CMD_GET_BATTERY_VOLTAGE);
        ck_assert_uint_eq(f.n_params, 0);
        ck_assert_int_eq(lsc_decoder_next(&d, &p, &n, &f), 0);
        ck_assert_uint_eq(n, 0);
        ck_assert_ptr_eq(p, two + sizeof(two));
        ck_assert_uint_eq(d.frames, 2);
        ck_assert_uint_eq(d.discarded, 1);
        ck_assert_uint_eq(lsc_decoder_reset(&d), 0);
}
END_TEST

/* ---- seeded property tests ---- */

/* A fixed-seed generator (splitmix64), so every run tests the same streams. */
static uint64_t prng_next(uint64_t *s)
{
        uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));

        z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
        return z ^ (z >> 31);
}

static unsigned prng_below(uint64_t *s, unsigned n)
{
        return (unsigned)(prng_next(s) % n);
}

/* A random valid frame: an encoded message of the PWM boards' commands, or
 * an unknown command with a Length the decoder accepts (neither Length nor
 * Cmd is 0x55). Returns its size. */
static size_t prng_frame(uint64_t *s, uint8_t *out)
{
        struct lsc_msg m;
        unsigned n;
        int r;

        memset(&m, 0, sizeof(m));
        m.type = (enum lsc_msg_type)(1 + prng_below(s, 8));
        switch (m.type) {
        case LSC_MSG_SERVO_MOVE:
                m.u.move.time_ms = prng_below(s, 65536);
                m.u.move.n_servos = 1 + prng_below(s, 32);
                for (unsigned i = 0; i < m.u.move.n_servos; i++) {
                        m.u.move.servos[i].id = (int)((i + 7 * m.u.move.n_servos) % 32) + 1;
                        m.u.move.servos[i].position = 500 + (int)prng_below(s, 2001);
                }
                break;
        case LSC_MSG_GROUP_RUN:
        case LSC_MSG_GROUP_COMPLETE:
                m.u.group.group = prng_below(s, 255);
                m.u.group.runs = prng_below(s, 65536);
                break;
        case LSC_MSG_GROUP_SPEED:
                m.u.speed.group = prng_below(s, 256);
                m.u.speed.percent = 1 + prng_below(s, 65535);
                break;
        case LSC_MSG_BATTERY_REPLY:
                m.u.millivolts = prng_below(s, 65536);
                break;
        case LSC_MSG_GROUP_STOP:
        case LSC_MSG_BATTERY_QUERY:
                break;
        default:                        /* an unknown command */
                do {
                        n = prng_below(s, LSC_FRAME_MAX_PARAMS + 1);
                } while (n + 2 == LSC_FRAME_HEADER);
                out[0] = out[1] = LSC_FRAME_HEADER;
                out[2] = (uint8_t)(n + 2);
                /* 20 and 21 are a bus board's known commands. */
                do {
                        out[3] = (uint8_t)(16 + prng_below(s, 240));
                } while (out[3] == LSC_FRAME_HEADER || out[3] == LSC_CMD_MULT_SERVO_UNLOAD ||
                         out[3] == LSC_CMD_MULT_SERVO_POS_READ);
                for (unsigned i = 0; i < n; i++)
                        out[4 + i] = (uint8_t)(prng_below(s, 4) ? prng_next(s) : 0x55);
                return n + 4;
        }
        r = lsc_frame_encode_msg(out, LSC_FRAME_MAX_SIZE, &m);
        ck_assert_int_gt(r, 0);
        return (size_t)r;
}

/* Feed p in random chunks of 0..max bytes. */
static void prng_feed(uint64_t *s, struct run *r, const uint8_t *p, size_t n, unsigned max)
{
        run_init(r);
        while (n > 0) {
                size_t k = prng_below(s, max + 1);

                if (k > n)
                        k = n;
                run_feed(r, p, k);
                p += k;
                n -= k;
        }
}

/* Valid frames separated by garbage without 0x55: every frame comes out
 * exactly, every garbage byte is counted, nothing stays pending. */
START_TEST(test_property_clean)
{
        static uint8_t in[STREAM_MAX], want[STREAM_MAX];
        static struct run r;
        uint64_t s = 0x15C0DEC + (uint64_t)_i;
        size_t n = 0, want_n = 0, frames = 0, garbage = 0;

        while (n + 2 * LSC_FRAME_MAX_SIZE < sizeof(in)) {
                unsigned g = prng_below(&s, 3) ? 0 : 1 + prng_below(&s, 6);
                size_t k;

                for (unsigned i = 0; i < g; i++) {
                        do
                                in[n] = (uint8_t)prng_next(&s);
                        while (in[n] == LSC_FRAME_HEADER);
                        n++;
                }
                garbage += g;
                k = prng_frame(&s, in + n);
                memcpy(want + want_n, in + n, k);
                n += k;
                want_n += k;
                frames++;
        }
        prng_feed(&s, &r, in, n, 1 + prng_below(&s, 300));
        ck_assert_uint_eq(r.n_frames, frames);
        assert_bytes(r.out, r.out_len, want, want_n, "clean stream");
        ck_assert_uint_eq(r.d.discarded, garbage);
        ck_assert_uint_eq(lsc_decoder_pending(&r.d), 0);
}
END_TEST

/* Anything at all (frames, cut frames, runs of 0x55, random bytes): the
 * byte accounting holds after every call (run_feed checks it) and the
 * result does not depend on how the input is split. */
START_TEST(test_property_dirty)
{
        static uint8_t in[STREAM_MAX];
        static struct run whole, chunks, bytes;
        uint64_t s = 0xBADF00D + (uint64_t)_i;
        size_t n = 0;

        while (n + 2 * LSC_FRAME_MAX_SIZE < sizeof(in)) {
                uint8_t frame[LSC_FRAME_MAX_SIZE];
                size_t k;

                switch (prng_below(&s, 4)) {
                case 0:                 /* a frame, maybe cut short */
                        k = prng_frame(&s, frame);
                        if (prng_below(&s, 3) == 0)
                                k = prng_below(&s, (unsigned)k);
                        memcpy(in + n, frame, k);
                        n += k;
                        break;
                case 1:                 /* a run of 0x55 */
                        k = prng_below(&s, 8);
                        memset(in + n, 0x55, k);
                        n += k;
                        break;
                case 2:                 /* a header and a random Length and Cmd */
                        in[n++] = 0x55;
                        in[n++] = 0x55;
                        in[n++] = (uint8_t)prng_below(&s, 16);
                        in[n++] = (uint8_t)prng_below(&s, 16);
                        break;
                default:                /* random bytes */
                        k = prng_below(&s, 8);
                        for (size_t i = 0; i < k; i++)
                                in[n++] = (uint8_t)prng_next(&s);
                        break;
                }
        }
        run_feed_cuts(&whole, in, n, NULL, 0);
        prng_feed(&s, &chunks, in, n, 1 + prng_below(&s, 64));
        run_assert_same(&chunks, &whole, "random chunks");
        run_init(&bytes);
        for (size_t i = 0; i < n; i++)
                run_feed(&bytes, in + i, 1);
        run_assert_same(&bytes, &whole, "one byte at a time");
        ck_assert_uint_gt(whole.n_frames, 0);
        ck_assert_uint_gt(whole.d.discarded, 0);
}
END_TEST

static Suite *frame_suite(void)
{
        Suite *s = suite_create("frame");
        TCase *t;

        t = tcase_create("encode");
        tcase_add_loop_test(t, test_example_encode, 0, ARRAY_SIZE(examples));
        tcase_add_loop_test(t, test_encode_errors, 0, ARRAY_SIZE(enc_cases));
        tcase_add_test(t, test_move_counts);
        tcase_add_test(t, test_strerror);
        suite_add_tcase(s, t);

        t = tcase_create("parse");
        tcase_add_loop_test(t, test_parse, 0, ARRAY_SIZE(parse_cases));
        tcase_add_test(t, test_parse_move_max);
        tcase_add_test(t, test_frame_write);
        suite_add_tcase(s, t);

        t = tcase_create("decode");
        tcase_set_timeout(t, 120);
        tcase_add_loop_test(t, test_example_decode, 0, ARRAY_SIZE(examples));
        tcase_add_test(t, test_example_stream);
        tcase_add_loop_test(t, test_decoder_cases, 0, ARRAY_SIZE(dec_cases));
        tcase_add_test(t, test_length_255);
        tcase_add_loop_test(t, test_resync, 0, ARRAY_SIZE(resync_cases));
        tcase_add_loop_test(t, test_resync_length_255, 0, 2);
        tcase_add_test(t, test_idle_api);
        tcase_add_test(t, test_idle_cuts_frame);
        tcase_add_loop_test(t, test_runs_of_55, 0, 11);
        tcase_add_test(t, test_next_api);
        suite_add_tcase(s, t);

        t = tcase_create("property");
        tcase_set_timeout(t, 120);
        tcase_add_loop_test(t, test_property_clean, 0, 16);
        tcase_add_loop_test(t, test_property_dirty, 0, 16);
        suite_add_tcase(s, t);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(frame_suite());
        int failed;

        srunner_set_tap(sr, "-");
        srunner_run_all(sr, CK_SILENT);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

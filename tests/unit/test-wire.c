/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of wire.c on a pseudo-terminal and a private sd-event loop:
 * what reaches the line and in which order, that a frame the idle line
 * takes is written by its own submit, that every frame is answered exactly
 * once and never synchronously by its own submit, halt, replace, the owner
 * bound, device loss and write errors. No timing assertions; the pacing
 * test prints what it measured as TAP comments.
 *
 * To see the queue's order, a test first blocks the line: block() writes a
 * frame of the largest size at 9600 baud, 268 ms on the wire, so that the
 * frames submitted after it wait, however slowly the test runs.
 */
#include "lscd-check.h"
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "lsc/frame.h"
#include "wire.h"

#define MAX_FRAMES (WIRE_OWNER_MAX + 8)

static const char owner_a, owner_b;

/* Test state: the loop, the port, and per-frame answers. */
static struct {
        sd_event *event;
        struct wire *wire;
        struct serial *port;
        int master;
        unsigned answers[MAX_FRAMES];   /* calls per frame id */
        enum wire_result result[MAX_FRAMES];
        size_t n_answers;
        int errors, last_error;
        bool blocked;                   /* block() wrote BLOCK_ID first */
} t;

#define BLOCK_ID (MAX_FRAMES - 1)

static void on_done(void *userdata, enum wire_result result)
{
        size_t id = (size_t)(uintptr_t)userdata;

        t.answers[id]++;
        t.result[id] = result;
        t.n_answers++;
}

static void on_error(void *userdata, int error)
{
        t.errors++;
        t.last_error = error;
}

static void open_port(unsigned baud)
{
        char path[64];
        int slave;

        memset(&t, 0, sizeof(t));
        ck_assert_int_eq(openpty(&t.master, &slave, path, NULL, NULL), 0);
        ck_assert_int_eq(fcntl(t.master, F_SETFL, O_NONBLOCK), 0);
        ck_assert_int_eq(serial_open(&t.port, path, baud), 0);
        close(slave);
        ck_assert_int_eq(sd_event_new(&t.event), 0);
        ck_assert_int_eq(wire_new(&t.wire, t.event, on_error, NULL), 0);
        wire_attach(t.wire, t.port);
}

static void setup(void)
{
        open_port(9600);
}

static void teardown(void)
{
        t.wire = wire_free(t.wire);
        t.event = sd_event_unref(t.event);
        t.port = serial_free(t.port);
        if (t.master >= 0)
                close(t.master);
}

/* A 6-byte frame tagged with ID; the tag tells frames apart on the line. */
static int submit(size_t id, const void *owner, enum wire_lane lane, unsigned flags, uint64_t mask)
{
        uint8_t frame[6] = { 0x55, 0x55, 0x04, 0x03, (uint8_t)(id >> 8), (uint8_t)id };
        struct wire_request req = {
                .frame = frame, .size = sizeof(frame), .owner = owner, .lane = lane,
                .flags = flags, .servo_mask = mask, .done = on_done,
                .userdata = (void *)(uintptr_t)id,
        };

        return wire_submit(t.wire, &req);
}

/* Write the blocking frame (tagged BLOCK_ID): it goes out at once. */
static void block(void)
{
        uint8_t frame[LSC_FRAME_MAX_SIZE] = { 0x55, 0x55, 0xff, 0x03 };
        struct wire_request req = {
                .frame = frame, .size = sizeof(frame), .owner = &owner_b,
                .done = on_done, .userdata = (void *)(uintptr_t)BLOCK_ID,
        };

        ck_assert_int_eq(wire_submit(t.wire, &req), 0);
        ck_assert_uint_eq(wire_queued(t.wire), 0);
        t.blocked = true;
}

static void run_until(size_t answers)
{
        while (t.n_answers < answers)
                ck_assert_int_ge(sd_event_run(t.event, 100000), 0);
}

/* Check that exactly the frames EXPECT reached the other end, in order.
 * The pty moves bytes to the master asynchronously, so wait for them
 * (generously: this checks what arrives, not how fast). */
static void check_line(const size_t *expect, size_t n)
{
        size_t skip = t.blocked ? LSC_FRAME_MAX_SIZE : 0;
        uint8_t buf[LSC_FRAME_MAX_SIZE + 6 * 64];
        size_t got = 0;
        struct pollfd p = { .fd = t.master, .events = POLLIN };

        ck_assert_uint_le(n, 64);
        while (got < skip + 6 * n && poll(&p, 1, 5000) == 1) {
                ssize_t r = read(t.master, buf + got, sizeof(buf) - got);

                ck_assert_int_gt(r, 0);
                got += (size_t)r;
        }
        /* Nothing more follows. */
        ck_assert_int_eq(poll(&p, 1, 100), 0);
        ck_assert_uint_eq(got, skip + 6 * n);
        if (skip)
                ck_assert_int_eq(buf[2], 0xff);
        for (size_t i = 0; i < n; i++) {
                const uint8_t *f = buf + skip + 6 * i;

                ck_assert_int_eq(f[0], 0x55);
                ck_assert_uint_eq((size_t)f[4] << 8 | f[5], expect[i]);
        }
}

static void check_answer(size_t id, enum wire_result result)
{
        ck_assert_uint_eq(t.answers[id], 1);
        ck_assert_int_eq(t.result[id], result);
}

START_TEST(test_order)
{
        static const size_t expect[] = { 5, 6, 1, 4, 2, 3 };

        block();
        ck_assert_int_eq(submit(1, &owner_a, WIRE_LANE_NORMAL, WIRE_HALTABLE, 0x2), 0);
        ck_assert_int_eq(submit(2, &owner_a, WIRE_LANE_NORMAL, WIRE_HALTABLE, 0x2), 0);
        ck_assert_int_eq(submit(3, &owner_a, WIRE_LANE_NORMAL, 0, 0), 0);
        ck_assert_int_eq(submit(4, &owner_b, WIRE_LANE_NORMAL, WIRE_HALTABLE, 0x4), 0);
        ck_assert_int_eq(submit(5, &owner_b, WIRE_LANE_PRIORITY, 0, 0), 0);
        ck_assert_int_eq(submit(6, NULL, WIRE_LANE_PRIORITY, 0, 0), 0);
        /* Nothing answered inside wire_submit(). */
        ck_assert_uint_eq(t.n_answers, 0);
        ck_assert_uint_eq(wire_queued(t.wire), 6);
        run_until(7);
        for (size_t id = 1; id <= 6; id++)
                check_answer(id, WIRE_WRITTEN);
        check_line(expect, 6);
        ck_assert_uint_eq(wire_queued(t.wire), 0);
        ck_assert_uint_eq(wire_stats(t.wire)->frames, 7);
        ck_assert_uint_eq(wire_stats(t.wire)->bytes, 36 + LSC_FRAME_MAX_SIZE);
}
END_TEST

/* A frame the idle line takes is on it when wire_submit() returns, before
 * the loop runs; its answer comes from the loop. */
START_TEST(test_idle_writes_at_once)
{
        static const size_t expect[] = { 1 };
        uint8_t buf[6];
        struct pollfd p = { .fd = t.master, .events = POLLIN };

        ck_assert_int_eq(submit(1, &owner_a, WIRE_LANE_NORMAL, 0, 0), 0);
        ck_assert_uint_eq(wire_queued(t.wire), 0);
        ck_assert_uint_eq(wire_stats(t.wire)->frames, 1);
        ck_assert_uint_eq(t.n_answers, 0);
        ck_assert_int_eq(poll(&p, 1, 5000), 1);
        ck_assert_int_eq(read(t.master, buf, sizeof(buf)), 6);
        ck_assert_int_eq(buf[5], 1);
        run_until(1);
        check_answer(1, WIRE_WRITTEN);
        check_line(expect, 0);
}
END_TEST

/* Idle means idle: once everything is written nothing wakes the loop. */
START_TEST(test_idle_no_wakeup)
{
        ck_assert_int_eq(submit(1, &owner_a, WIRE_LANE_NORMAL, 0, 0), 0);
        run_until(1);
        ck_assert_int_eq(sd_event_run(t.event, 200000), 0);
        ck_assert_uint_eq(t.n_answers, 1);
}
END_TEST

START_TEST(test_halt)
{
        static const size_t expect[] = { 5, 3 };

        block();
        ck_assert_int_eq(submit(1, &owner_a, WIRE_LANE_NORMAL, WIRE_HALTABLE, 0x2), 0);
        ck_assert_int_eq(submit(2, &owner_a, WIRE_LANE_NORMAL, WIRE_HALTABLE, 0), 0);
        ck_assert_int_eq(submit(3, &owner_a, WIRE_LANE_NORMAL, 0, 0), 0);
        ck_assert_int_eq(submit(4, &owner_b, WIRE_LANE_NORMAL, WIRE_HALTABLE, 0x2), 0);
        ck_assert_uint_eq(wire_halt(t.wire), 3);
        check_answer(1, WIRE_HALTED);
        check_answer(2, WIRE_HALTED);
        check_answer(4, WIRE_HALTED);
        ck_assert_uint_eq(t.answers[3], 0);
        ck_assert_int_eq(submit(5, NULL, WIRE_LANE_PRIORITY, 0, 0), 0);
        run_until(6);
        check_answer(3, WIRE_WRITTEN);
        check_answer(5, WIRE_WRITTEN);
        check_line(expect, 2);
        ck_assert_uint_eq(wire_stats(t.wire)->halted, 3);
        ck_assert_uint_eq(wire_halt(t.wire), 0);
}
END_TEST

START_TEST(test_replace)
{
        static const size_t expect[] = { 3, 5, 4 };

        block();
        ck_assert_int_eq(submit(1, &owner_a, WIRE_LANE_NORMAL, WIRE_HALTABLE, 0x2), 0);
        ck_assert_int_eq(submit(2, &owner_a, WIRE_LANE_NORMAL, WIRE_HALTABLE, 0x6), 0);
        ck_assert_int_eq(submit(3, &owner_a, WIRE_LANE_NORMAL, WIRE_HALTABLE, 0xc), 0);
        ck_assert_int_eq(submit(5, &owner_b, WIRE_LANE_NORMAL, WIRE_HALTABLE, 0x2), 0);
        ck_assert_int_eq(submit(4, &owner_a, WIRE_LANE_NORMAL, WIRE_HALTABLE | WIRE_REPLACE, 0x6), 0);
        /* The superseded frames are answered by the submit, the new one not. */
        check_answer(1, WIRE_SUPERSEDED);
        check_answer(2, WIRE_SUPERSEDED);
        ck_assert_uint_eq(t.n_answers, 2);
        run_until(6);
        check_answer(3, WIRE_WRITTEN);
        check_answer(4, WIRE_WRITTEN);
        check_answer(5, WIRE_WRITTEN);
        check_line(expect, 3);
        ck_assert_uint_eq(wire_stats(t.wire)->superseded, 2);
}
END_TEST

START_TEST(test_bound_and_detach)
{
        block();
        for (size_t id = 0; id < WIRE_OWNER_MAX; id++)
                ck_assert_int_eq(submit(id, &owner_a, WIRE_LANE_NORMAL, WIRE_HALTABLE, 0x2), 0);
        ck_assert_int_eq(submit(WIRE_OWNER_MAX, &owner_a, WIRE_LANE_NORMAL, 0, 0), -ENOBUFS);
        ck_assert_int_eq(submit(WIRE_OWNER_MAX + 1, &owner_b, WIRE_LANE_NORMAL, 0, 0), 0);
        ck_assert_uint_eq(wire_queued(t.wire), WIRE_OWNER_MAX + 1);
        wire_detach(t.wire);
        ck_assert_uint_eq(t.n_answers, WIRE_OWNER_MAX + 2);
        check_answer(BLOCK_ID, WIRE_WRITTEN);
        for (size_t id = 0; id < WIRE_OWNER_MAX; id++)
                check_answer(id, WIRE_DEVICE_LOST);
        ck_assert_uint_eq(t.answers[WIRE_OWNER_MAX], 0);
        check_answer(WIRE_OWNER_MAX + 1, WIRE_DEVICE_LOST);
        ck_assert_int_eq(submit(1, &owner_a, WIRE_LANE_NORMAL, 0, 0), -ENOTCONN);
        /* Attached again, the wire writes again. */
        wire_attach(t.wire, t.port);
        ck_assert_int_eq(submit(7, &owner_a, WIRE_LANE_NORMAL, 0, 0), 0);
        run_until(WIRE_OWNER_MAX + 3);
        ck_assert_int_eq(t.result[7], WIRE_WRITTEN);
        ck_assert_uint_eq(t.answers[7], 2);
}
END_TEST

START_TEST(test_invalid)
{
        uint8_t big[300] = { 0x55 };
        struct wire_request req = { .frame = big, .size = 0, .done = on_done };

        ck_assert_int_eq(wire_submit(t.wire, &req), -EINVAL);
        req.size = sizeof(big);
        ck_assert_int_eq(wire_submit(t.wire, &req), -EINVAL);
        req.frame = NULL;
        req.size = 4;
        ck_assert_int_eq(wire_submit(t.wire, &req), -EINVAL);
        ck_assert_uint_eq(t.n_answers, 0);
}
END_TEST

START_TEST(test_free_answers_shutdown)
{
        block();
        ck_assert_int_eq(submit(1, &owner_a, WIRE_LANE_NORMAL, 0, 0), 0);
        ck_assert_int_eq(submit(2, NULL, WIRE_LANE_PRIORITY, 0, 0), 0);
        t.wire = wire_free(t.wire);
        check_answer(BLOCK_ID, WIRE_WRITTEN);
        check_answer(1, WIRE_SHUTDOWN);
        check_answer(2, WIRE_SHUTDOWN);
}
END_TEST

static int resubmitted = 1;

/* A completion that queues another frame (frame 9) as it is answered. */
static void on_done_resubmit(void *userdata, enum wire_result result)
{
        on_done(userdata, result);
        resubmitted = submit(9, &owner_a, WIRE_LANE_NORMAL, 0, 0);
}

/* A frame submitted from a completion run by wire_free() is refused, not
 * queued on a wire about to go (where nothing would ever answer it). */
START_TEST(test_free_refuses_submit)
{
        uint8_t frame[4] = { 0x55, 0x55, 0x02, 0x07 };
        struct wire_request req = {
                .frame = frame, .size = sizeof(frame), .owner = &owner_a,
                .done = on_done_resubmit, .userdata = (void *)(uintptr_t)1,
        };

        block();
        ck_assert_int_eq(wire_submit(t.wire, &req), 0);
        t.wire = wire_free(t.wire);
        check_answer(1, WIRE_SHUTDOWN);
        ck_assert_int_eq(resubmitted, -ENOTCONN);
        ck_assert_uint_eq(t.answers[9], 0);
        ck_assert_int_eq(t.errors, 0);
}
END_TEST

/* The board's end goes away: the write fails, on_error is called once,
 * nothing more is written, and the frames wait for wire_detach(). */
START_TEST(test_write_error)
{
        block();
        ck_assert_int_eq(submit(1, &owner_a, WIRE_LANE_NORMAL, 0, 0), 0);
        ck_assert_int_eq(submit(2, &owner_a, WIRE_LANE_NORMAL, 0, 0), 0);
        close(t.master);
        t.master = -1;
        while (t.errors == 0)
                ck_assert_int_ge(sd_event_run(t.event, 100000), 0);
        ck_assert_int_eq(t.errors, 1);
        ck_assert_int_lt(t.last_error, 0);
        ck_assert_int_ne(t.last_error, -EAGAIN);
        ck_assert_int_eq(sd_event_run(t.event, 100000), 0);
        ck_assert_int_eq(t.errors, 1);
        ck_assert_uint_eq(t.n_answers, 1);
        check_answer(BLOCK_ID, WIRE_WRITTEN);
        ck_assert_int_eq(submit(3, &owner_a, WIRE_LANE_NORMAL, 0, 0), -ENOTCONN);
        wire_detach(t.wire);
        check_answer(1, WIRE_DEVICE_LOST);
        check_answer(2, WIRE_DEVICE_LOST);
}
END_TEST

enum { BP_N = 600, BP_SIZE = 257 }; /* 150 KiB: more than a pty buffers */
static uint8_t bp_frames[BP_N][BP_SIZE];

/* Queue BP_N big frames at 921600 baud with nobody reading the pty's other
 * end, and run until the wire makes no more progress: its writes fail with
 * EAGAIN (and one usually went through in part). */
static void stall(void)
{
        int idle = 0;

        teardown();
        open_port(921600);
        for (size_t i = 0; i < BP_N; i++) {
                struct wire_request req = {
                        .frame = bp_frames[i], .size = BP_SIZE, .owner = &owner_a,
                        .done = on_done, .userdata = (void *)(uintptr_t)i,
                };

                for (size_t k = 0; k < BP_SIZE; k++)
                        bp_frames[i][k] = (uint8_t)(i * 7 + k);
                ck_assert_int_eq(wire_submit(t.wire, &req), 0);
        }
        while (idle < 20) {
                uint64_t bytes = wire_stats(t.wire)->bytes;

                ck_assert_int_ge(sd_event_run(t.event, 10000), 0);
                idle = wire_stats(t.wire)->bytes == bytes ? idle + 1 : 0;
        }
        ck_assert_uint_lt(t.n_answers, BP_N);
        printf("# stalled after %llu bytes\n", (unsigned long long)wire_stats(t.wire)->bytes);
}

/* Once the other end reads again, every frame arrives whole and in order
 * and is answered once. */
START_TEST(test_backpressure)
{
        static uint8_t line[BP_N * BP_SIZE];
        size_t got = 0;

        stall();
        while (got < sizeof(line)) {
                ssize_t n = read(t.master, line + got, sizeof(line) - got);

                if (n < 0)
                        ck_assert_int_eq(errno, EAGAIN);
                else
                        got += (size_t)n;
                ck_assert_int_ge(sd_event_run(t.event, 1000), 0);
        }
        ck_assert_uint_eq(t.n_answers, BP_N);
        for (size_t i = 0; i < BP_N; i++) {
                check_answer(i, WIRE_WRITTEN);
                ck_assert_mem_eq(line + i * BP_SIZE, bp_frames[i], BP_SIZE);
        }
        ck_assert_uint_eq(wire_stats(t.wire)->bytes, sizeof(line));
        ck_assert_uint_eq(wire_stats(t.wire)->frames, BP_N);
}
END_TEST

/* Lost while stalled: the frames written are answered written, every other
 * one (the one partly written included) device lost, each exactly once. */
START_TEST(test_detach_stalled)
{
        size_t written;

        stall();
        written = t.n_answers;
        ck_assert_uint_eq(wire_stats(t.wire)->frames, written);
        wire_detach(t.wire);
        ck_assert_uint_eq(t.n_answers, BP_N);
        for (size_t i = 0; i < BP_N; i++)
                check_answer(i, i < written ? WIRE_WRITTEN : WIRE_DEVICE_LOST);
        ck_assert_uint_eq(wire_queued(t.wire), 0);
}
END_TEST

static uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int on_master(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        uint64_t *arrivals = userdata;
        uint8_t buf[60]; /* whole frames */
        ssize_t n;

        while ((n = read(fd, buf, sizeof(buf))) > 0)
                for (ssize_t i = 0; i + 5 < n; i += 6)
                        arrivals[buf[i + 5]] = now_usec();
        return 0;
}

/* Figures, not assertions: how far apart frames reach the other end at
 * BAUD (a pty has no wire, so this is lscd's pacing alone). */
static void measure(unsigned baud)
{
        enum { N = 40 };
        uint64_t arrivals[N + 1] = { 0 }, frame_usec = 6ULL * 10 * 1000000 / baud;
        uint64_t min = UINT64_MAX, max = 0;
        sd_event_source *io;

        teardown();
        open_port(baud);
        ck_assert_int_eq(sd_event_add_io(t.event, &io, t.master, EPOLLIN, on_master, arrivals), 0);
        for (size_t id = 1; id <= N; id++)
                ck_assert_int_eq(submit(id, &owner_a, WIRE_LANE_NORMAL, 0, 0), 0);
        run_until(N);
        while (arrivals[N] == 0)
                ck_assert_int_ge(sd_event_run(t.event, 100000), 0);
        for (size_t id = 2; id <= N; id++) {
                uint64_t gap = arrivals[id] - arrivals[id - 1];

                min = gap < min ? gap : min;
                max = gap > max ? gap : max;
        }
        printf("# %u baud, 6-byte frames: wire time %llu us, gaps min %llu mean %llu max %llu us\n",
               baud, (unsigned long long)frame_usec, (unsigned long long)min,
               (unsigned long long)((arrivals[N] - arrivals[1]) / (N - 1)), (unsigned long long)max);
        ck_assert_uint_eq(wire_stats(t.wire)->frames, N);
        sd_event_source_unref(io);
}

START_TEST(test_pacing_figures)
{
        measure(9600);
        measure(115200);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("wire");
        TCase *tc = tcase_create("wire");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 30);
        tcase_add_test(tc, test_order);
        tcase_add_test(tc, test_idle_writes_at_once);
        tcase_add_test(tc, test_idle_no_wakeup);
        tcase_add_test(tc, test_halt);
        tcase_add_test(tc, test_replace);
        tcase_add_test(tc, test_bound_and_detach);
        tcase_add_test(tc, test_invalid);
        tcase_add_test(tc, test_free_answers_shutdown);
        tcase_add_test(tc, test_free_refuses_submit);
        tcase_add_test(tc, test_write_error);
        tcase_add_test(tc, test_backpressure);
        tcase_add_test(tc, test_detach_stalled);
        tcase_add_test(tc, test_pacing_figures);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

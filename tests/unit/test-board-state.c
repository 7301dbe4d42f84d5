/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the board's pure state machine (daemon/robot/board-state.c):
 * starts and their echoes, waits for completion, STOP, the shared battery
 * query, the remembered speeds re-applied after a reconnect, abort, unknown
 * frames and deadlines. Deterministic: time is an argument. The ops are a
 * recording fake; every waiter used must be answered exactly once, which
 * the teardown checks after board_state_done().
 */
#include "frame-check.h"
#include "lscd-check.h"
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "board-state.h"

#define T0 5000000ull                   /* an arbitrary "now", in microseconds */
#define MS 1000ull
#define SEC 1000000ull
#define BATTERY_TIMEOUT_USEC (500 * MS)
#define MAX_RECORDS 1024
#define N_WAITERS 8

struct answer_rec {
        struct board_waiter *w;
        enum board_result result;
        unsigned value;
};

struct event_rec {
        struct board_event e;
        struct lsc_frame frame;         /* a copy of *e.frame, when set */
};

struct sent_rec {
        enum board_frame kind;
        uint8_t bytes[LSC_FRAME_MAX_SIZE];
        size_t size;
        int ret;
};

/* The recording fake of board_ops. send() returns send_ret; the frames it
 * accepts are "in the wire" until the test reports them with sent(). */
static struct {
        struct answer_rec answers[MAX_RECORDS];
        size_t n_answers;
        struct event_rec events[MAX_RECORDS];
        size_t n_events;
        struct sent_rec sent[MAX_RECORDS];
        size_t n_sent;
        int send_ret;
        unsigned speed_outstanding, battery_outstanding;
        unsigned max_speed_outstanding;
        /* Called from answer(), after recording it: re-entrancy tests. */
        void (*on_answer)(struct board_waiter *w, enum board_result result);
} fk;

static struct board_state bs;
static struct board_waiter waiters[N_WAITERS];
static bool used[N_WAITERS];

#define W(i) (&waiters[(i)])

static size_t waiter_index(const struct board_waiter *w)
{
        ck_assert_ptr_nonnull(w);
        ck_assert(w >= waiters && w < waiters + N_WAITERS);
        return (size_t) (w - waiters);
}

static void fake_answer(void *userdata, struct board_waiter *w, enum board_result result,
                        unsigned value)
{
        ck_assert_ptr_eq(userdata, &fk);
        waiter_index(w);
        ck_assert_ptr_null(w->next);
        ck_assert_uint_lt(fk.n_answers, MAX_RECORDS);
        fk.answers[fk.n_answers++] = (struct answer_rec) {
                .w = w, .result = result, .value = value,
        };
        if (fk.on_answer)
                fk.on_answer(w, result);
}

static void fake_event(void *userdata, const struct board_event *e)
{
        struct event_rec *r;

        ck_assert_ptr_eq(userdata, &fk);
        ck_assert_uint_lt(fk.n_events, MAX_RECORDS);
        r = &fk.events[fk.n_events++];
        r->e = *e;
        if (e->frame)
                r->frame = *e->frame;
}

static int fake_send(void *userdata, enum board_frame kind, const uint8_t *frame, size_t size)
{
        struct sent_rec *r;

        ck_assert_ptr_eq(userdata, &fk);
        ck_assert_uint_lt(fk.n_sent, MAX_RECORDS);
        ck_assert_uint_gt(size, 0);
        ck_assert_uint_le(size, LSC_FRAME_MAX_SIZE);
        r = &fk.sent[fk.n_sent++];
        r->kind = kind;
        memcpy(r->bytes, frame, size);
        r->size = size;
        r->ret = fk.send_ret;
        if (fk.send_ret == 0) {
                if (kind == BOARD_FRAME_SPEED) {
                        fk.speed_outstanding++;
                        if (fk.speed_outstanding > fk.max_speed_outstanding)
                                fk.max_speed_outstanding = fk.speed_outstanding;
                        /* At most one remembered speed ahead of a STOP. */
                        ck_assert_uint_le(fk.speed_outstanding, 1);
                } else
                        fk.battery_outstanding++;
        }
        return fk.send_ret;
}

static const struct board_ops fake_ops = {
        .answer = fake_answer,
        .event = fake_event,
        .send = fake_send,
};

/* ---- Invariants, checked after every call into the state ---- */

static void link_waiter(unsigned *linked, const struct board_waiter *w)
{
        size_t i = waiter_index(w);

        linked[i]++;
        ck_assert_uint_eq(linked[i], 1);        /* linked once, no cycle */
}

static size_t answers_of(const struct board_waiter *w)
{
        size_t n = 0;

        for (size_t i = 0; i < fk.n_answers; i++)
                if (fk.answers[i].w == w)
                        n++;
        return n;
}

static void check_state(void)
{
        unsigned linked[N_WAITERS] = { 0 };
        uint64_t last = 0;
        size_t n = 0;

        for (const struct board_start *st = bs.starts; st; st = st->next) {
                ck_assert_uint_lt(n++, 1000);
                ck_assert_uint_ge(st->deadline, last);
                last = st->deadline;
                if (st->waiter) {
                        link_waiter(linked, st->waiter);
                        ck_assert_uint_eq(st->waiter->group, st->group);
                }
        }
        for (const struct board_waiter *w = bs.completion; w; w = w->next)
                link_waiter(linked, w);
        for (const struct board_waiter *w = bs.battery.waiters; w; w = w->next)
                link_waiter(linked, w);
        ck_assert_int_eq(bs.battery.waiters != NULL, bs.battery.pending);
        for (const struct board_waiter *w = bs.positions.waiters; w; w = w->next) {
                link_waiter(linked, w);
                ck_assert_uint_eq(w->servos & ~bs.positions_asked, 0);
        }
        ck_assert_int_eq(bs.positions.waiters != NULL, bs.positions.pending);
        for (const struct board_waiter *w = bs.positions_next.waiters; w; w = w->next)
                link_waiter(linked, w);
        ck_assert(!bs.positions_next.pending);
        ck_assert(!bs.positions_next.waiters || bs.positions.pending);
        for (size_t i = 0; i < N_WAITERS; i++)
                if (linked[i]) {
                        ck_assert(used[i]);
                        ck_assert_uint_eq(answers_of(W(i)), 0);
                }
        if (bs.restoring)
                ck_assert_uint_eq(fk.speed_outstanding, 1);
}

/* ---- Calls into the state ---- */

static void use(struct board_waiter *w)
{
        size_t i = waiter_index(w);

        ck_assert(!used[i]);            /* each waiter is one request */
        used[i] = true;
}

static void run_written(struct board_waiter *w, unsigned group, unsigned runs, uint64_t now)
{
        if (w)
                use(w);
        board_state_run_written(&bs, w, group, runs, NULL, now);
        check_state();
}

static void battery(struct board_waiter *w, uint64_t now)
{
        use(w);
        board_state_battery(&bs, w, now);
        check_state();
}

static void expire(uint64_t now)
{
        board_state_expire(&bs, now);
        check_state();
}

static void speed(unsigned group, unsigned percent)
{
        board_state_speed(&bs, group, percent);
        check_state();
}

static void connected(void)
{
        board_state_connected(&bs);
        check_state();
}

static void abort_state(enum board_result result)
{
        board_state_abort(&bs, result);
        check_state();
}

/* The wire reports the frame of lscd's own it holds. */
static void sent(enum board_frame kind, bool written)
{
        unsigned *outstanding = kind == BOARD_FRAME_SPEED ? &fk.speed_outstanding
                                                          : &fk.battery_outstanding;

        ck_assert_uint_gt(*outstanding, 0);
        (*outstanding)--;
        board_state_sent(&bs, kind, written);
        check_state();
}

static void from_board(const uint8_t *bytes, int n, uint64_t now)
{
        struct lsc_frame f;

        ck_assert_int_gt(n, 0);
        f = frame_check_decode(bytes, (size_t) n);
        board_state_frame(&bs, &f, now);
        check_state();
}

static void echo_run(unsigned group, unsigned runs, uint64_t now)
{
        uint8_t b[LSC_FRAME_SIZE_RUN];

        from_board(b, lsc_frame_encode_group_run(b, sizeof(b), group, runs), now);
}

static void report_stop(uint64_t now)
{
        uint8_t b[LSC_FRAME_SIZE_STOP];

        from_board(b, lsc_frame_encode_group_stop(b, sizeof(b)), now);
}

/* bus-servo-and-d6a.md, "Older firmware report forms". */
static void report_bare_run(uint64_t now)
{
        uint8_t b[LSC_FRAME_SIZE_STOP];

        from_board(b, lsc_frame_encode_group_run_bare(b, sizeof(b)), now);
}

static void positions(struct board_waiter *w, uint64_t servos, uint64_t now)
{
        use(w);
        w->servos = servos;
        board_state_positions(&bs, w, now);
        check_state();
}

/* A reply of N servos: ids and positions (bus-servo-and-d6a.md, "CMD 21"). */
static void report_positions(const struct lsc_servo *servos, size_t n, uint64_t now)
{
        uint8_t b[LSC_FRAME_MAX_SIZE];

        from_board(b, lsc_frame_encode_position_reply(b, sizeof(b), servos, n), now);
}

static void expect_sent_ids(size_t i, enum board_frame kind, const char *hex)
{
        uint8_t want[LSC_FRAME_MAX_SIZE];
        size_t n = 0;

        for (const char *p = hex; *p; p += p[2] ? 3 : 2)
                want[n++] = (uint8_t) strtoul((char[3]) { p[0], p[1], 0 }, NULL, 16);
        ck_assert_uint_lt(i, fk.n_sent);
        ck_assert_int_eq(fk.sent[i].kind, kind);
        ck_assert_uint_eq(fk.sent[i].size, n);
        ck_assert_mem_eq(fk.sent[i].bytes, want, n);
}

static void report_complete(unsigned group, unsigned runs, uint64_t now)
{
        uint8_t b[LSC_FRAME_SIZE_RUN];

        from_board(b, lsc_frame_encode_group_complete(b, sizeof(b), group, runs), now);
}

static void report_battery(unsigned millivolts, uint64_t now)
{
        uint8_t b[8];

        from_board(b, lsc_frame_encode_battery_reply(b, sizeof(b), millivolts), now);
}

/* ---- Expectations ---- */

static void expect_answer(const struct board_waiter *w, enum board_result result, unsigned value)
{
        const struct answer_rec *a = NULL;

        ck_assert_uint_eq(answers_of(w), 1);
        for (size_t i = 0; i < fk.n_answers; i++)
                if (fk.answers[i].w == w)
                        a = &fk.answers[i];
        ck_assert_ptr_nonnull(a);
        ck_assert_int_eq(a->result, result);
        ck_assert_uint_eq(a->value, value);
}

static void expect_unanswered(const struct board_waiter *w)
{
        ck_assert_uint_eq(answers_of(w), 0);
}

static const struct board_event *event_at(size_t i)
{
        ck_assert_uint_lt(i, fk.n_events);
        return &fk.events[i].e;
}

static const struct board_event *last_event(void)
{
        ck_assert_uint_gt(fk.n_events, 0);
        return event_at(fk.n_events - 1);
}

static void expect_started(const struct board_event *e, unsigned group, unsigned runs,
                           bool from_lscd)
{
        ck_assert_int_eq(e->type, LSC_EVENT_GROUP_STARTED);
        ck_assert(e->has_group);
        ck_assert_uint_eq(e->group, group);
        ck_assert_uint_eq(e->runs, runs);
        ck_assert_int_eq(e->from_lscd, from_lscd);
}

static void expect_completed(const struct board_event *e, unsigned group, unsigned runs)
{
        ck_assert_int_eq(e->type, LSC_EVENT_GROUP_COMPLETED);
        ck_assert(e->has_group);
        ck_assert_uint_eq(e->group, group);
        ck_assert_uint_eq(e->runs, runs);
}

static void expect_running(unsigned group, unsigned runs, bool from_lscd)
{
        ck_assert(bs.running);
        ck_assert_uint_eq(bs.group, group);
        ck_assert_uint_eq(bs.runs, runs);
        ck_assert_int_eq(bs.from_lscd, from_lscd);
}

static void expect_sent_speed(size_t i, unsigned group, unsigned percent)
{
        uint8_t b[LSC_FRAME_SIZE_SPEED];
        int n = lsc_frame_encode_group_speed(b, sizeof(b), group, percent);

        ck_assert_int_eq(n, LSC_FRAME_SIZE_SPEED);
        ck_assert_uint_lt(i, fk.n_sent);
        ck_assert_int_eq(fk.sent[i].kind, BOARD_FRAME_SPEED);
        ck_assert_uint_eq(fk.sent[i].size, (size_t) n);
        ck_assert_mem_eq(fk.sent[i].bytes, b, (size_t) n);
}

static void expect_sent_battery_query(size_t i)
{
        static const uint8_t query[] = { 0x55, 0x55, 0x02, 0x0F };

        ck_assert_uint_lt(i, fk.n_sent);
        ck_assert_int_eq(fk.sent[i].kind, BOARD_FRAME_BATTERY);
        ck_assert_uint_eq(fk.sent[i].size, sizeof(query));
        ck_assert_mem_eq(fk.sent[i].bytes, query, sizeof(query));
}

/* ---- Fixture ---- */

static void init(uint64_t battery_timeout_usec)
{
        memset(&fk, 0, sizeof(fk));
        memset(waiters, 0, sizeof(waiters));
        memset(used, 0, sizeof(used));
        board_state_init(&bs, &fake_ops, &fk, battery_timeout_usec);
        check_state();
}

static void setup(void)
{
        init(BATTERY_TIMEOUT_USEC);
}

/* Every waiter used is answered exactly once by the end (done answers what
 * is left BOARD_SHUTDOWN); none is answered that was not used. */
static void teardown(void)
{
        fk.on_answer = NULL;
        board_state_done(&bs);
        check_state();
        ck_assert_ptr_null(bs.starts);
        ck_assert_ptr_null(bs.completion);
        ck_assert_ptr_null(bs.battery.waiters);
        ck_assert_ptr_null(bs.positions.waiters);
        ck_assert_ptr_null(bs.positions_next.waiters);
        for (size_t i = 0; i < N_WAITERS; i++)
                ck_assert_uint_eq(answers_of(W(i)), used[i] ? 1 : 0);
}

/* ---- Starts, echoes, completion ---- */

START_TEST(test_idle_after_init)
{
        ck_assert(!bs.running);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);
        expire(T0);
        ck_assert_uint_eq(fk.n_answers, 0);
        ck_assert_uint_eq(fk.n_events, 0);
        ck_assert_uint_eq(fk.n_sent, 0);
}
END_TEST

START_TEST(test_lscd_run_echoed_then_completed)
{
        run_written(NULL, 3, 2, T0);
        ck_assert_uint_eq(fk.n_events, 0);
        ck_assert(!bs.running);
        ck_assert_uint_eq(board_state_deadline(&bs), T0 + BOARD_START_TIMEOUT_USEC);

        echo_run(3, 2, T0 + 5 * MS);
        ck_assert_uint_eq(fk.n_events, 1);
        expect_started(last_event(), 3, 2, true);
        expect_running(3, 2, true);
        ck_assert_ptr_null(bs.starts);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);

        report_complete(3, 2, T0 + 3 * SEC);
        ck_assert_uint_eq(fk.n_events, 2);
        expect_completed(last_event(), 3, 2);
        ck_assert(!bs.running);
        ck_assert_uint_eq(fk.n_answers, 0);
        ck_assert_uint_eq(fk.n_sent, 0);
}
END_TEST

START_TEST(test_external_start)
{
        echo_run(5, 1, T0);
        ck_assert_uint_eq(fk.n_events, 1);
        expect_started(last_event(), 5, 1, false);
        expect_running(5, 1, false);

        report_complete(5, 1, T0 + SEC);
        expect_completed(last_event(), 5, 1);
        ck_assert(!bs.running);
        ck_assert_uint_eq(fk.n_answers, 0);
}
END_TEST

START_TEST(test_external_start_preempts_completion_wait)
{
        run_written(W(0), 3, 1, T0);
        echo_run(3, 1, T0 + 5 * MS);
        expect_unanswered(W(0));

        echo_run(5, 1, T0 + SEC);
        expect_answer(W(0), BOARD_PREEMPTED, 5);
        expect_started(last_event(), 5, 1, false);
        expect_running(5, 1, false);

        /* The preempted group's completion, should it come, answers nothing. */
        report_complete(3, 1, T0 + 2 * SEC);
        ck_assert_uint_eq(fk.n_answers, 1);
}
END_TEST

/* A start whose echo was lost is forgotten once a later one is echoed, so
 * that the gamepad starting its group later is external and preempts. */
START_TEST(test_lost_echo_forgotten_after_later_echo)
{
        run_written(NULL, 9, 1, T0);
        run_written(W(0), 3, 1, T0 + 10 * MS);
        echo_run(3, 1, T0 + 15 * MS);
        expect_unanswered(W(0));
        echo_run(9, 1, T0 + 500 * MS);
        expect_started(last_event(), 9, 1, false);
        expect_answer(W(0), BOARD_PREEMPTED, 9);
}
END_TEST

START_TEST(test_external_start_preempts_unechoed_wait)
{
        run_written(W(0), 3, 1, T0);
        echo_run(5, 1, T0 + 2 * MS);
        expect_answer(W(0), BOARD_PREEMPTED, 5);
        expect_started(last_event(), 5, 1, false);

        /* lscd's own echo, late: still lscd's start, nobody to answer. */
        echo_run(3, 1, T0 + 4 * MS);
        expect_started(last_event(), 3, 1, true);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);
        report_complete(3, 1, T0 + SEC);
        expire(T0 + 10 * SEC);
        ck_assert_uint_eq(fk.n_answers, 1);
}
END_TEST

/* An echo matches a written start by group and runs: the same group with
 * other runs is someone else's start. */
START_TEST(test_echo_with_other_runs_is_external)
{
        run_written(W(0), 3, 1, T0);
        echo_run(3, 2, T0 + 2 * MS);
        expect_started(last_event(), 3, 2, false);
        expect_answer(W(0), BOARD_PREEMPTED, 3);
        ck_assert_ptr_nonnull(bs.starts);
}
END_TEST

START_TEST(test_wait_completed_once)
{
        run_written(W(0), 3, 1, T0);
        ck_assert_uint_eq(W(0)->group, 3);
        echo_run(3, 1, T0 + 5 * MS);
        expect_started(last_event(), 3, 1, true);
        expect_unanswered(W(0));

        report_complete(3, 1, T0 + SEC);
        expect_answer(W(0), BOARD_COMPLETED, 0);
        expect_completed(last_event(), 3, 1);
        ck_assert(!bs.running);

        /* Nothing after answers it again. */
        report_complete(3, 1, T0 + 2 * SEC);
        report_stop(T0 + 3 * SEC);
        echo_run(4, 1, T0 + 4 * SEC);
        expire(T0 + 10 * SEC);
        ck_assert_uint_eq(fk.n_answers, 1);
}
END_TEST

START_TEST(test_complete_of_other_group_ignored)
{
        run_written(W(0), 3, 1, T0);
        echo_run(3, 1, T0 + 5 * MS);
        report_complete(4, 1, T0 + SEC);
        expect_unanswered(W(0));
        expect_completed(last_event(), 4, 1);
        expect_running(3, 1, true);

        report_complete(3, 1, T0 + 2 * SEC);
        expect_answer(W(0), BOARD_COMPLETED, 0);
        ck_assert(!bs.running);
}
END_TEST

/* Group 3 was running (lscd's, no wait) when lscd wrote it again with a
 * wait: the old run's COMPLETE, arriving before the new echo, is not the
 * new run's. */
START_TEST(test_complete_before_echo_ignored)
{
        run_written(NULL, 3, 1, T0);
        echo_run(3, 1, T0 + 5 * MS);
        run_written(W(0), 3, 1, T0 + SEC);
        report_complete(3, 1, T0 + SEC + 1 * MS);
        expect_unanswered(W(0));
        ck_assert(!bs.running);

        echo_run(3, 1, T0 + SEC + 3 * MS);
        expect_started(last_event(), 3, 1, true);
        expect_unanswered(W(0));
        report_complete(3, 1, T0 + 2 * SEC);
        expect_answer(W(0), BOARD_COMPLETED, 0);
}
END_TEST

/* The repro: the same group written twice with wait, 7 ms apart.
 * The first wait ends at the second write; only the second completes.
 * Loop: 0 = both echoes after the second write, 1 = the first echo
 * between the writes, 2 = likewise and the first run's COMPLETE before the
 * second echo. */
START_TEST(test_same_group_twice_7ms)
{
        run_written(W(0), 3, 1, T0);
        if (_i >= 1)
                echo_run(3, 1, T0 + 3 * MS);
        run_written(W(1), 3, 1, T0 + 7 * MS);
        expect_answer(W(0), BOARD_PREEMPTED, 3);
        expect_unanswered(W(1));

        if (_i == 0)
                echo_run(3, 1, T0 + 8 * MS);
        if (_i == 2) {
                report_complete(3, 1, T0 + 9 * MS);
                expect_unanswered(W(1));
        }
        echo_run(3, 1, T0 + 10 * MS);
        expect_started(last_event(), 3, 1, true);
        ck_assert_ptr_null(bs.starts);
        expect_unanswered(W(1));

        report_complete(3, 1, T0 + SEC);
        expect_answer(W(0), BOARD_PREEMPTED, 3);
        expect_answer(W(1), BOARD_COMPLETED, 0);
        ck_assert_uint_eq(fk.n_answers, 2);
}
END_TEST

START_TEST(test_run_other_group_preempts_echoed_wait)
{
        run_written(W(0), 3, 1, T0);
        echo_run(3, 1, T0 + 5 * MS);
        run_written(W(1), 4, 1, T0 + 100 * MS);
        expect_answer(W(0), BOARD_PREEMPTED, 4);
        expect_unanswered(W(1));

        echo_run(4, 1, T0 + 105 * MS);
        report_complete(3, 1, T0 + 106 * MS);
        expect_unanswered(W(1));
        report_complete(4, 1, T0 + SEC);
        expect_answer(W(1), BOARD_COMPLETED, 0);
}
END_TEST

START_TEST(test_run_other_group_preempts_unechoed_wait)
{
        run_written(W(0), 3, 1, T0);
        run_written(W(1), 4, 1, T0 + 2 * MS);
        expect_answer(W(0), BOARD_PREEMPTED, 4);

        /* Its start is still known to be lscd's, and no longer times out. */
        echo_run(3, 1, T0 + 3 * MS);
        expect_started(last_event(), 3, 1, true);
        echo_run(4, 1, T0 + 4 * MS);
        expect_started(last_event(), 4, 1, true);
        report_complete(4, 1, T0 + SEC);
        expect_answer(W(1), BOARD_COMPLETED, 0);
        ck_assert_uint_eq(fk.n_answers, 2);
}
END_TEST

START_TEST(test_run_without_wait_preempts)
{
        run_written(W(0), 3, 1, T0);
        echo_run(3, 1, T0 + 5 * MS);
        run_written(NULL, 3, 1, T0 + SEC);
        expect_answer(W(0), BOARD_PREEMPTED, 3);
        echo_run(3, 1, T0 + SEC + 5 * MS);
        report_complete(3, 1, T0 + 2 * SEC);
        ck_assert_uint_eq(fk.n_answers, 1);
}
END_TEST

/* ---- Echo timeout ---- */

START_TEST(test_echo_timeout)
{
        uint64_t deadline;

        run_written(W(0), 9, 2, T0);
        deadline = board_state_deadline(&bs);
        ck_assert_uint_eq(deadline, T0 + BOARD_START_TIMEOUT_USEC);

        expire(deadline - 1);
        expect_unanswered(W(0));
        ck_assert_uint_eq(board_state_deadline(&bs), deadline);

        expire(deadline);
        expect_answer(W(0), BOARD_NOT_STARTED, 9);
        ck_assert_ptr_null(bs.starts);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);
        ck_assert_uint_eq(fk.n_events, 0);

        /* The start is forgotten: a late echo is someone else's. */
        echo_run(9, 2, deadline + 1);
        expect_started(last_event(), 9, 2, false);
        expire(deadline + 10 * SEC);
        ck_assert_uint_eq(fk.n_answers, 1);
}
END_TEST

START_TEST(test_echo_timeout_without_waiter)
{
        run_written(NULL, 9, 1, T0);
        expire(T0 + BOARD_START_TIMEOUT_USEC);
        ck_assert_uint_eq(fk.n_answers, 0);
        ck_assert_ptr_null(bs.starts);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);
        echo_run(9, 1, T0 + 2 * SEC);
        expect_started(last_event(), 9, 1, false);
}
END_TEST

START_TEST(test_echo_timeout_several_starts)
{
        run_written(NULL, 7, 1, T0);
        run_written(NULL, 8, 1, T0 + 100 * MS);
        run_written(W(0), 9, 1, T0 + 200 * MS);
        ck_assert_uint_eq(board_state_deadline(&bs), T0 + BOARD_START_TIMEOUT_USEC);

        /* Every start due goes at once; the next deadline is the oldest left. */
        expire(T0 + 100 * MS + BOARD_START_TIMEOUT_USEC);
        expect_unanswered(W(0));
        ck_assert_uint_eq(board_state_deadline(&bs), T0 + 200 * MS + BOARD_START_TIMEOUT_USEC);
        echo_run(8, 1, T0 + 150 * MS + BOARD_START_TIMEOUT_USEC);
        expect_started(last_event(), 8, 1, false);
        expect_answer(W(0), BOARD_PREEMPTED, 8);
        expire(T0 + 200 * MS + BOARD_START_TIMEOUT_USEC);
        ck_assert_ptr_null(bs.starts);
        ck_assert_uint_eq(fk.n_answers, 1);
}
END_TEST

/* ---- STOP ---- */

START_TEST(test_stop_answers_wait)
{
        const struct board_event *e;

        run_written(W(0), 3, 0, T0);
        echo_run(3, 0, T0 + 5 * MS);
        report_stop(T0 + SEC);
        expect_answer(W(0), BOARD_STOPPED, 0);
        e = last_event();
        ck_assert_int_eq(e->type, LSC_EVENT_GROUP_STOPPED);
        ck_assert(e->has_group);
        ck_assert_uint_eq(e->group, 3);
        ck_assert(!bs.running);

        report_complete(3, 0, T0 + 2 * SEC);
        report_stop(T0 + 3 * SEC);
        ck_assert_uint_eq(fk.n_answers, 1);
}
END_TEST

START_TEST(test_stop_external_group)
{
        const struct board_event *e;

        echo_run(6, 1, T0);
        report_stop(T0 + SEC);
        e = last_event();
        ck_assert_int_eq(e->type, LSC_EVENT_GROUP_STOPPED);
        ck_assert(e->has_group);
        ck_assert_uint_eq(e->group, 6);
        ck_assert(!bs.running);
        ck_assert_uint_eq(fk.n_answers, 0);
}
END_TEST

/* Loop: 0 = never ran, 1 = after a COMPLETE. */
START_TEST(test_stop_while_idle)
{
        const struct board_event *e;

        if (_i == 1) {
                echo_run(3, 1, T0);
                report_complete(3, 1, T0 + SEC);
        }
        report_stop(T0 + 2 * SEC);
        e = last_event();
        ck_assert_int_eq(e->type, LSC_EVENT_GROUP_STOPPED);
        ck_assert(!e->has_group);
        ck_assert(!bs.running);
        ck_assert_uint_eq(fk.n_answers, 0);
}
END_TEST

/* A STOP report that comes before the echo is the previous group's: the
 * wait for the new run goes on. */
START_TEST(test_stop_before_echo_keeps_wait)
{
        echo_run(5, 0, T0);
        run_written(W(0), 3, 1, T0 + SEC);
        report_stop(T0 + SEC + 1 * MS);
        ck_assert(last_event()->has_group);
        ck_assert_uint_eq(last_event()->group, 5);
        expect_unanswered(W(0));

        echo_run(3, 1, T0 + SEC + 3 * MS);
        expect_started(last_event(), 3, 1, true);
        expect_unanswered(W(0));
        report_complete(3, 1, T0 + 2 * SEC);
        expect_answer(W(0), BOARD_COMPLETED, 0);
}
END_TEST

/* ---- An older firmware's reports ---- */

/* 55 55 02 06 is the oldest run lscd wrote and has not seen echoed; the
 * STOP that ends it, lscd having sent none, is the board's own. */
START_TEST(test_bare_run_is_lscd_run)
{
        const struct board_event *e;

        run_written(W(0), 4, 1, T0);
        report_bare_run(T0 + 5 * MS);
        expect_started(last_event(), 4, 1, true);
        expect_running(4, 1, true);
        report_stop(T0 + SEC);
        expect_answer(W(0), BOARD_STOPPED, 0);
        e = last_event();
        ck_assert(e->has_group && e->group == 4 && !e->stop_written);
}
END_TEST

/* Without a run of lscd's pending: a start of an unknown group, which ends
 * every wait; a STOP lscd wrote is reported as such. */
START_TEST(test_bare_run_unknown_group)
{
        const struct board_event *e;

        run_written(W(0), 2, 1, T0);
        echo_run(2, 1, T0 + 5 * MS);
        report_bare_run(T0 + SEC);
        expect_answer(W(0), BOARD_PREEMPTED, LSC_GROUP_ALL);
        e = last_event();
        ck_assert_int_eq(e->type, LSC_EVENT_GROUP_STARTED);
        ck_assert(!e->has_group && !e->from_lscd);
        ck_assert(!bs.running);
        board_state_stop_written(&bs, NULL, T0 + 2 * SEC);
        report_stop(T0 + 2 * SEC + 10 * MS);
        ck_assert(last_event()->stop_written);
        report_stop(T0 + 4 * SEC);
        ck_assert(!last_event()->stop_written);
}
END_TEST

/* One stop report per STOP lscd wrote: an older firmware's natural end
 * soon after is the board's, not the earlier stopper's; and a STOP the
 * board did not report is forgotten at the next run's echo. */
START_TEST(test_stop_report_names_its_own_stopper)
{
        static const struct board_by alice = { .client = 7, .name = "alice" };
        const struct board_event *e;

        run_written(W(0), 4, 1, T0);
        echo_run(4, 1, T0 + 5 * MS);
        board_state_stop_written(&bs, &alice, T0 + 10 * MS);
        report_stop(T0 + 15 * MS);
        expect_answer(W(0), BOARD_STOPPED, 0);
        e = last_event();
        ck_assert(e->stop_written && e->by && e->by->client == 7);
        run_written(NULL, 5, 1, T0 + 20 * MS);
        echo_run(5, 1, T0 + 25 * MS);
        report_stop(T0 + 300 * MS);
        e = last_event();
        ck_assert(!e->stop_written && !e->by);

        board_state_stop_written(&bs, &alice, T0 + 400 * MS);
        run_written(NULL, 6, 1, T0 + 410 * MS);
        echo_run(6, 1, T0 + 415 * MS);
        report_stop(T0 + 600 * MS);
        e = last_event();
        ck_assert(!e->stop_written && !e->by);
}
END_TEST

/* ---- Positions (a bus board) ---- */

/* One query serves every waiter whose servos it asks for; the others share
 * the next, which asks for all they want, once the first is answered. */
START_TEST(test_positions_shared_query)
{
        static const struct lsc_servo first[] = { { 1, 500 }, { 2, 800 } };
        static const struct lsc_servo second[] = { { 2, 801 } };

        positions(W(0), 0x6, T0);
        expect_sent_ids(0, BOARD_FRAME_POSITIONS, "55 55 05 15 02 01 02");
        positions(W(1), 0x2, T0 + MS);
        positions(W(2), 0xC, T0 + 2 * MS);
        positions(W(3), 0x8, T0 + 3 * MS);
        ck_assert_uint_eq(fk.n_sent, 1);
        sent(BOARD_FRAME_POSITIONS, true);
        report_positions(first, 2, T0 + 30 * MS);
        expect_answer(W(0), BOARD_POSITIONS, 0);
        expect_answer(W(1), BOARD_POSITIONS, 0);
        ck_assert_uint_eq(bs.position_known, 0x6);
        ck_assert_int_eq(bs.position[2], 800);
        expect_sent_ids(1, BOARD_FRAME_POSITIONS, "55 55 05 15 02 02 03");
        expect_unanswered(W(2));
        report_positions(second, 1, T0 + 60 * MS);
        expect_answer(W(2), BOARD_POSITIONS, 0);
        expect_answer(W(3), BOARD_POSITIONS, 0);
        ck_assert_uint_eq(bs.position_known, 0x4);
        ck_assert_uint_eq(fk.n_events, 0);
}
END_TEST

/* A timeout answers the query's waiters, and the next query goes out. */
START_TEST(test_positions_timeout_then_next)
{
        positions(W(0), 0x2, T0);
        positions(W(1), 0x4, T0 + MS);
        sent(BOARD_FRAME_POSITIONS, true);
        expire(T0 + BATTERY_TIMEOUT_USEC);
        expect_answer(W(0), BOARD_TIMEOUT, BATTERY_TIMEOUT_USEC / 1000);
        expect_unanswered(W(1));
        expect_sent_ids(1, BOARD_FRAME_POSITIONS, "55 55 04 15 01 02");
        ck_assert_uint_eq(board_state_deadline(&bs), T0 + 2 * BATTERY_TIMEOUT_USEC);
}
END_TEST

/* On an LSC board a position reply is a frame it does not send. */
START_TEST(test_positions_reply_on_lsc_board)
{
        static const struct lsc_servo one[] = { { 1, 500 } };

        board_state_profile(&bs, &profile_lsc);
        positions(W(0), 0x2, T0);
        report_positions(one, 1, T0 + 10 * MS);
        expect_unanswered(W(0));
        ck_assert_int_eq(last_event()->type, LSC_EVENT_FRAME_UNKNOWN);
        board_state_profile(&bs, &profile_bus);
        expect_answer(W(0), BOARD_CHANGED, 0);
        positions(W(1), 0x2, T0 + 20 * MS);
        report_positions(one, 1, T0 + 30 * MS);
        expect_answer(W(1), BOARD_POSITIONS, 0);
}
END_TEST

/* Readings are outside input: a position outside the board's range is no
 * reading (the servo is not reported), whatever the servo. */
START_TEST(test_positions_outside_range)
{
        static const struct lsc_servo bus[] = { { 1, 1000 }, { 2, 1001 }, { 3, 65535 } };
        static const struct lsc_servo pwm[] = { { 1, 499 }, { 2, 500 }, { 3, 2501 } };

        board_state_profile(&bs, &profile_bus);
        positions(W(0), 0xE, T0);
        report_positions(bus, 3, T0 + 10 * MS);
        expect_answer(W(0), BOARD_POSITIONS, 0);
        ck_assert_uint_eq(bs.position_known, 0x2);
        ck_assert_int_eq(bs.position[1], 1000);
        /* An LSC board's range is 500..2500 (a reply it would not send,
         * were the kind set so: the check is the profile's). */
        bs.profile = &(struct profile) { .name = "test", .reports = profile_bus.reports,
                                         .position_min = LSC_POSITION_MIN,
                                         .position_max = LSC_POSITION_MAX };
        positions(W(1), 0xE, T0 + 20 * MS);
        report_positions(pwm, 3, T0 + 30 * MS);
        expect_answer(W(1), BOARD_POSITIONS, 0);
        ck_assert_uint_eq(bs.position_known, 0x4);
}
END_TEST

/* A fresh waiter (move's confirm, after the move ended) never shares a
 * query sent before it waited: it is the next query's. */
START_TEST(test_positions_fresh_waits_for_next_query)
{
        static const struct lsc_servo old[] = { { 1, 300 } }, now_[] = { { 1, 600 } };

        board_state_profile(&bs, &profile_bus);
        positions(W(0), 0x2, T0);
        W(1)->fresh = true;
        positions(W(1), 0x2, T0 + 5 * MS);
        ck_assert_uint_eq(fk.n_sent, 1);
        report_positions(old, 1, T0 + 10 * MS);
        expect_answer(W(0), BOARD_POSITIONS, 0);
        expect_unanswered(W(1));
        expect_sent_ids(1, BOARD_FRAME_POSITIONS, "55 55 04 15 01 01");
        report_positions(now_, 1, T0 + 20 * MS);
        expect_answer(W(1), BOARD_POSITIONS, 0);
        ck_assert_int_eq(bs.position[1], 600);
}
END_TEST

/* Another kind of board: the readings and every positions wait end, the
 * next query's too. */
START_TEST(test_positions_board_changed)
{
        static const struct lsc_servo one[] = { { 1, 300 } };

        board_state_profile(&bs, &profile_bus);
        positions(W(0), 0x2, T0);
        report_positions(one, 1, T0 + 10 * MS);
        expect_answer(W(0), BOARD_POSITIONS, 0);
        positions(W(1), 0x2, T0 + 20 * MS);
        positions(W(2), 0x4, T0 + 21 * MS);
        board_state_profile(&bs, &profile_bus);
        expect_unanswered(W(1));
        board_state_profile(&bs, &profile_lsc);
        expect_answer(W(1), BOARD_CHANGED, 0);
        expect_answer(W(2), BOARD_CHANGED, 0);
        ck_assert_uint_eq(bs.position_known, 0);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);
}
END_TEST

/* ---- Battery ---- */

START_TEST(test_battery_shared_query)
{
        const struct board_event *e;

        battery(W(0), T0);
        ck_assert_uint_eq(fk.n_sent, 1);
        expect_sent_battery_query(0);
        ck_assert_uint_eq(board_state_deadline(&bs), T0 + BATTERY_TIMEOUT_USEC);
        battery(W(1), T0 + 10 * MS);
        ck_assert_uint_eq(fk.n_sent, 1);
        ck_assert_uint_eq(board_state_deadline(&bs), T0 + BATTERY_TIMEOUT_USEC);
        sent(BOARD_FRAME_BATTERY, true);
        expect_unanswered(W(0));
        expect_unanswered(W(1));

        report_battery(7500, T0 + 20 * MS);
        expect_answer(W(0), BOARD_MILLIVOLTS, 7500);
        expect_answer(W(1), BOARD_MILLIVOLTS, 7500);
        ck_assert_uint_eq(fk.n_events, 1);
        e = last_event();
        ck_assert_int_eq(e->type, LSC_EVENT_BATTERY);
        ck_assert_uint_eq(e->millivolts, 7500);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);
        expire(T0 + 10 * SEC);
        ck_assert_uint_eq(fk.n_answers, 2);

        /* The next request asks again. */
        battery(W(2), T0 + 11 * SEC);
        ck_assert_uint_eq(fk.n_sent, 2);
        expect_sent_battery_query(1);
}
END_TEST

START_TEST(test_battery_timeout)
{
        uint64_t deadline;

        battery(W(0), T0);
        battery(W(1), T0 + 100 * MS);
        deadline = board_state_deadline(&bs);
        ck_assert_uint_eq(deadline, T0 + BATTERY_TIMEOUT_USEC);
        sent(BOARD_FRAME_BATTERY, true);

        expire(deadline - 1);
        expect_unanswered(W(0));
        expect_unanswered(W(1));
        expire(deadline);
        expect_answer(W(0), BOARD_TIMEOUT, BATTERY_TIMEOUT_USEC / 1000);
        expect_answer(W(1), BOARD_TIMEOUT, BATTERY_TIMEOUT_USEC / 1000);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);

        /* A late reply is still published, and answers nobody. */
        report_battery(7400, deadline + 1);
        ck_assert_int_eq(last_event()->type, LSC_EVENT_BATTERY);
        ck_assert_uint_eq(fk.n_answers, 2);
}
END_TEST

static const struct {
        int ret;
        enum board_result result;
} battery_send_errors[] = {
        { -ENOTCONN, BOARD_NOT_CONNECTED },
        { -ENOBUFS, BOARD_QUEUE_FULL },
};

START_TEST(test_battery_send_error)
{
        fk.send_ret = battery_send_errors[_i].ret;
        battery(W(0), T0);
        ck_assert_uint_eq(fk.n_sent, 1);
        expect_sent_battery_query(0);
        expect_answer(W(0), battery_send_errors[_i].result, 0);
        ck_assert(!bs.battery.pending);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);

        /* Not shared with the failed query: the next request tries again. */
        fk.send_ret = 0;
        battery(W(1), T0 + MS);
        ck_assert_uint_eq(fk.n_sent, 2);
        expect_unanswered(W(1));
        report_battery(7000, T0 + 2 * MS);
        expect_answer(W(1), BOARD_MILLIVOLTS, 7000);
        expect_answer(W(0), battery_send_errors[_i].result, 0);
}
END_TEST

START_TEST(test_battery_not_written)
{
        battery(W(0), T0);
        battery(W(1), T0 + MS);
        sent(BOARD_FRAME_BATTERY, false);
        expect_answer(W(0), BOARD_DEVICE_LOST, 0);
        expect_answer(W(1), BOARD_DEVICE_LOST, 0);
        ck_assert(!bs.battery.pending);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);
        expire(T0 + 10 * SEC);
        ck_assert_uint_eq(fk.n_answers, 2);

        battery(W(2), T0 + 11 * SEC);
        ck_assert_uint_eq(fk.n_sent, 2);
}
END_TEST

START_TEST(test_battery_unsolicited_reply)
{
        report_battery(6900, T0);
        ck_assert_uint_eq(fk.n_events, 1);
        ck_assert_int_eq(last_event()->type, LSC_EVENT_BATTERY);
        ck_assert_uint_eq(last_event()->millivolts, 6900);
        ck_assert_uint_eq(fk.n_answers, 0);
        ck_assert_uint_eq(fk.n_sent, 0);
}
END_TEST

/* Answering may add a waiter: a request retried from its timeout answer
 * starts a new query. */
static uint64_t retry_now;

static void retry_on_timeout(struct board_waiter *w, enum board_result result)
{
        if (w == W(0) && result == BOARD_TIMEOUT)
                battery(W(2), retry_now);
}

START_TEST(test_battery_answer_may_query_again)
{
        battery(W(0), T0);
        battery(W(1), T0 + MS);
        sent(BOARD_FRAME_BATTERY, true);
        fk.on_answer = retry_on_timeout;
        retry_now = T0 + BATTERY_TIMEOUT_USEC;
        expire(retry_now);
        fk.on_answer = NULL;
        expect_answer(W(0), BOARD_TIMEOUT, BATTERY_TIMEOUT_USEC / 1000);
        expect_answer(W(1), BOARD_TIMEOUT, BATTERY_TIMEOUT_USEC / 1000);
        expect_unanswered(W(2));
        ck_assert_uint_eq(fk.n_sent, 2);
        ck_assert(bs.battery.pending);
        ck_assert_uint_eq(board_state_deadline(&bs), retry_now + BATTERY_TIMEOUT_USEC);

        report_battery(7100, retry_now + MS);
        expect_answer(W(2), BOARD_MILLIVOLTS, 7100);
}
END_TEST

/* ---- Remembered speeds ---- */

/* Report every speed frame written until the state queues no more. */
static void write_all_speeds(void)
{
        while (fk.speed_outstanding)
                sent(BOARD_FRAME_SPEED, true);
}

START_TEST(test_speed_restore_order)
{
        speed(LSC_GROUP_ALL, 150);
        speed(3, 50);
        speed(200, 300);
        ck_assert_uint_eq(fk.n_sent, 0);

        connected();
        ck_assert_uint_eq(fk.n_sent, 1);
        expect_sent_speed(0, LSC_GROUP_ALL, 150);
        ck_assert(bs.restoring);
        /* Nothing more until that one is written. */
        expire(T0 + 10 * SEC);
        ck_assert_uint_eq(fk.n_sent, 1);

        sent(BOARD_FRAME_SPEED, true);
        ck_assert_uint_eq(fk.n_sent, 2);
        expect_sent_speed(1, 3, 50);
        sent(BOARD_FRAME_SPEED, true);
        ck_assert_uint_eq(fk.n_sent, 3);
        expect_sent_speed(2, 200, 300);
        sent(BOARD_FRAME_SPEED, true);
        ck_assert_uint_eq(fk.n_sent, 3);
        ck_assert(!bs.restoring);

        /* A stray report changes nothing. */
        board_state_sent(&bs, BOARD_FRAME_SPEED, true);
        check_state();
        ck_assert_uint_eq(fk.n_sent, 3);
        ck_assert_uint_eq(fk.max_speed_outstanding, 1);
        ck_assert_uint_eq(fk.n_answers, 0);
        ck_assert_uint_eq(fk.n_events, 0);
}
END_TEST

START_TEST(test_speed_all_clears_single)
{
        speed(3, 50);
        speed(200, 300);
        speed(LSC_GROUP_ALL, 150);
        connected();
        write_all_speeds();
        ck_assert_uint_eq(fk.n_sent, 1);
        expect_sent_speed(0, LSC_GROUP_ALL, 150);

        /* A single speed set after "all" is kept, and goes after it. */
        speed(4, 70);
        connected();
        write_all_speeds();
        ck_assert_uint_eq(fk.n_sent, 3);
        expect_sent_speed(1, LSC_GROUP_ALL, 150);
        expect_sent_speed(2, 4, 70);

        /* The latest setting of a group wins. */
        speed(LSC_GROUP_ALL, 90);
        speed(LSC_GROUP_ALL, 110);
        connected();
        write_all_speeds();
        ck_assert_uint_eq(fk.n_sent, 4);
        expect_sent_speed(3, LSC_GROUP_ALL, 110);
}
END_TEST

START_TEST(test_speed_single_without_all)
{
        speed(0, 120);
        speed(254, 400);
        speed(0, 130);
        connected();
        ck_assert_uint_eq(fk.n_sent, 1);
        expect_sent_speed(0, 0, 130);
        write_all_speeds();
        ck_assert_uint_eq(fk.n_sent, 2);
        expect_sent_speed(1, 254, 400);
}
END_TEST

START_TEST(test_speed_nothing_to_restore)
{
        connected();
        ck_assert_uint_eq(fk.n_sent, 0);
        ck_assert(!bs.restoring);
}
END_TEST

/* 256 remembered speeds: never more than one frame in the wire. */
START_TEST(test_speed_restore_every_group_one_at_a_time)
{
        speed(LSC_GROUP_ALL, 100);
        for (unsigned g = 0; g <= LSC_GROUP_MAX; g++)
                speed(g, 200 + g);
        connected();
        ck_assert_uint_eq(fk.n_sent, 1);
        for (unsigned g = 0; g <= LSC_GROUP_MAX; g++) {
                ck_assert_uint_eq(fk.speed_outstanding, 1);
                sent(BOARD_FRAME_SPEED, true);
                ck_assert_uint_eq(fk.n_sent, g + 2);
                expect_sent_speed(g + 1, g, 200 + g);
        }
        sent(BOARD_FRAME_SPEED, true);
        ck_assert_uint_eq(fk.n_sent, LSC_GROUP_MAX + 2);
        expect_sent_speed(0, LSC_GROUP_ALL, 100);
        ck_assert_uint_eq(fk.max_speed_outstanding, 1);
        ck_assert(!bs.restoring);
}
END_TEST

START_TEST(test_speed_set_while_absent)
{
        /* The device never connected: remembered, not sent. */
        speed(7, 120);
        ck_assert_uint_eq(fk.n_sent, 0);
        expire(T0 + 10 * SEC);
        ck_assert_uint_eq(fk.n_sent, 0);
        connected();
        ck_assert_uint_eq(fk.n_sent, 1);
        expect_sent_speed(0, 7, 120);
        write_all_speeds();
        ck_assert_uint_eq(fk.n_sent, 1);

        /* Lost, set while absent, connected again: both re-applied. */
        abort_state(BOARD_DEVICE_LOST);
        speed(LSC_GROUP_ALL, 80);
        speed(9, 60);
        ck_assert_uint_eq(fk.n_sent, 1);
        connected();
        write_all_speeds();
        ck_assert_uint_eq(fk.n_sent, 3);
        expect_sent_speed(1, LSC_GROUP_ALL, 80);
        expect_sent_speed(2, 9, 60);
}
END_TEST

START_TEST(test_speed_enotconn_stops_restoring)
{
        speed(LSC_GROUP_ALL, 150);
        speed(3, 50);
        fk.send_ret = -ENOTCONN;
        connected();
        ck_assert_uint_eq(fk.n_sent, 1);
        ck_assert(!bs.restoring);
        board_state_sent(&bs, BOARD_FRAME_SPEED, true);
        check_state();
        ck_assert_uint_eq(fk.n_sent, 1);

        /* The next connection starts over from "all". */
        fk.send_ret = 0;
        connected();
        write_all_speeds();
        ck_assert_uint_eq(fk.n_sent, 3);
        expect_sent_speed(1, LSC_GROUP_ALL, 150);
        expect_sent_speed(2, 3, 50);
}
END_TEST

START_TEST(test_speed_enotconn_mid_restore)
{
        speed(LSC_GROUP_ALL, 150);
        speed(3, 50);
        speed(200, 300);
        connected();
        fk.send_ret = -ENOTCONN;
        sent(BOARD_FRAME_SPEED, true);
        ck_assert_uint_eq(fk.n_sent, 2);
        expect_sent_speed(1, 3, 50);
        ck_assert(!bs.restoring);
        ck_assert_uint_eq(fk.speed_outstanding, 0);
        board_state_sent(&bs, BOARD_FRAME_SPEED, true);
        check_state();
        ck_assert_uint_eq(fk.n_sent, 2);
}
END_TEST

/* A remembered speed the wire dropped (device lost, shutdown) ends the
 * restoring; the next connection starts over. */
START_TEST(test_speed_dropped_stops_restoring)
{
        speed(LSC_GROUP_ALL, 150);
        speed(3, 50);
        connected();
        sent(BOARD_FRAME_SPEED, false);
        ck_assert_uint_eq(fk.n_sent, 1);
        ck_assert(!bs.restoring);
        abort_state(BOARD_DEVICE_LOST);
        connected();
        write_all_speeds();
        ck_assert_uint_eq(fk.n_sent, 3);
        expect_sent_speed(1, LSC_GROUP_ALL, 150);
        expect_sent_speed(2, 3, 50);
}
END_TEST

/* A full queue: whatever is skipped, never two frames in the wire, and
 * restoring ends. */
START_TEST(test_speed_enobufs_one_outstanding)
{
        speed(LSC_GROUP_ALL, 150);
        for (unsigned g = 0; g < 10; g++)
                speed(g, 50 + g);
        fk.send_ret = -ENOBUFS;
        connected();
        ck_assert_uint_eq(fk.speed_outstanding, 0);
        ck_assert(!bs.restoring);
        ck_assert_uint_le(fk.n_sent, 11);

        fk.send_ret = 0;
        connected();
        speed(5, 99);
        write_all_speeds();
        ck_assert_uint_eq(fk.max_speed_outstanding, 1);
        ck_assert(!bs.restoring);
}
END_TEST

START_TEST(test_speed_restore_interrupted_by_abort)
{
        speed(LSC_GROUP_ALL, 150);
        speed(3, 50);
        connected();
        abort_state(BOARD_DEVICE_LOST);
        ck_assert(!bs.restoring);
        /* The wire drops the frame after the abort: ignored. */
        sent(BOARD_FRAME_SPEED, false);
        ck_assert_uint_eq(fk.n_sent, 1);
        connected();
        ck_assert_uint_eq(fk.n_sent, 2);
        expect_sent_speed(1, LSC_GROUP_ALL, 150);
        write_all_speeds();
        ck_assert_uint_eq(fk.n_sent, 3);
        expect_sent_speed(2, 3, 50);
}
END_TEST

/* ---- Abort and done ---- */

static const enum board_result abort_results[] = { BOARD_DEVICE_LOST, BOARD_SHUTDOWN };

/* A start waiter (written, not echoed) and two battery waiters. */
START_TEST(test_abort_unechoed_wait)
{
        enum board_result result = abort_results[_i];

        echo_run(5, 1, T0);
        run_written(NULL, 2, 1, T0 + 1 * MS);
        run_written(W(0), 3, 1, T0 + 2 * MS);
        battery(W(1), T0 + 3 * MS);
        battery(W(2), T0 + 4 * MS);
        abort_state(result);
        expect_answer(W(0), result, 0);
        expect_answer(W(1), result, 0);
        expect_answer(W(2), result, 0);
        ck_assert(!bs.running);
        ck_assert(!bs.battery.pending);
        ck_assert_ptr_null(bs.starts);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);

        /* What comes after answers nobody: the starts are forgotten. */
        sent(BOARD_FRAME_BATTERY, false);
        echo_run(3, 1, T0 + 5 * MS);
        expect_started(last_event(), 3, 1, false);
        report_complete(3, 1, T0 + SEC);
        report_battery(7000, T0 + SEC);
        report_stop(T0 + SEC);
        expire(T0 + 10 * SEC);
        abort_state(result);
        ck_assert_uint_eq(fk.n_answers, 3);
}
END_TEST

/* A completion waiter (echoed) and a battery waiter. */
START_TEST(test_abort_completion_wait)
{
        enum board_result result = abort_results[_i];

        run_written(W(0), 3, 1, T0);
        echo_run(3, 1, T0 + 5 * MS);
        battery(W(1), T0 + 6 * MS);
        sent(BOARD_FRAME_BATTERY, true);
        abort_state(result);
        expect_answer(W(0), result, 0);
        expect_answer(W(1), result, 0);
        ck_assert(!bs.running);
        ck_assert_ptr_null(bs.completion);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);

        report_complete(3, 1, T0 + SEC);
        report_stop(T0 + SEC);
        report_battery(7000, T0 + SEC);
        expire(T0 + 10 * SEC);
        ck_assert_uint_eq(fk.n_answers, 2);
}
END_TEST

START_TEST(test_abort_stops_restoring)
{
        speed(LSC_GROUP_ALL, 150);
        speed(3, 50);
        connected();
        abort_state(abort_results[_i]);
        ck_assert(!bs.restoring);
        /* Had the wire written it after all: still nothing more. */
        sent(BOARD_FRAME_SPEED, true);
        ck_assert_uint_eq(fk.n_sent, 1);
        ck_assert_uint_eq(fk.n_answers, 0);
}
END_TEST

START_TEST(test_abort_keeps_nothing_running)
{
        echo_run(5, 1, T0);
        expect_running(5, 1, false);
        abort_state(abort_results[_i]);
        ck_assert(!bs.running);
        report_stop(T0 + SEC);
        ck_assert(!last_event()->has_group);
        ck_assert_uint_eq(fk.n_answers, 0);
}
END_TEST

/* done frees the starts (with and without waiter; the teardown's done
 * finds nothing) and answers BOARD_SHUTDOWN; ASan and valgrind see no
 * leak. */
START_TEST(test_done_frees_starts)
{
        run_written(NULL, 1, 1, T0);
        run_written(NULL, 2, 1, T0 + MS);
        run_written(W(0), 3, 1, T0 + 2 * MS);
        battery(W(1), T0 + 3 * MS);
        board_state_done(&bs);
        check_state();
        expect_answer(W(0), BOARD_SHUTDOWN, 0);
        expect_answer(W(1), BOARD_SHUTDOWN, 0);
        ck_assert_ptr_null(bs.starts);
        ck_assert_uint_eq(board_state_deadline(&bs), BOARD_NEVER);
}
END_TEST

/* ---- Unknown frames ---- */

struct unknown_case {
        const char *name;
        uint8_t bytes[16];
        size_t n;               /* 0: use frame as is */
        struct lsc_frame frame;
};

static const struct unknown_case unknown_cases[] = {
        { "unknown command 1", { 0x55, 0x55, 0x02, 0x01 }, 4, { 0 } },
        { "unknown command 0x20 with parameters", { 0x55, 0x55, 0x04, 0x20, 0x01, 0x02 }, 6,
          { 0 } },
        { "servo move from the board",
          { 0x55, 0x55, 0x08, 0x03, 0x01, 0xE8, 0x03, 0x01, 0xD0, 0x07 }, 10, { 0 } },
        { "group speed from the board", { 0x55, 0x55, 0x05, 0x0B, 0x08, 0x32, 0x00 }, 7,
          { 0 } },
        { "battery query from the board", { 0x55, 0x55, 0x02, 0x0F }, 4, { 0 } },
        { "malformed run", { 0 }, 0,
          { .cmd = LSC_CMD_ACTION_GROUP_RUN, .n_params = 2, .params = { 3, 1 } } },
        { "malformed complete", { 0 }, 0,
          { .cmd = LSC_CMD_ACTION_GROUP_COMPLETE, .n_params = 0 } },
        { "malformed stop", { 0 }, 0,
          { .cmd = LSC_CMD_ACTION_GROUP_STOP, .n_params = 1, .params = { 0 } } },
        { "malformed battery reply", { 0 }, 0,
          { .cmd = LSC_CMD_GET_BATTERY_VOLTAGE, .n_params = 3, .params = { 1, 2, 3 } } },
};

START_TEST(test_unknown_frame)
{
        const struct unknown_case *c = &unknown_cases[_i];
        struct lsc_frame f = c->n ? frame_check_decode(c->bytes, c->n) : c->frame;
        const struct event_rec *r;

        /* Something running and waited for, and a battery query pending. */
        run_written(W(0), 3, 1, T0);
        echo_run(3, 1, T0 + MS);
        battery(W(1), T0 + 2 * MS);
        ck_assert_uint_eq(fk.n_events, 1);

        board_state_frame(&bs, &f, T0 + 3 * MS);
        check_state();
        ck_assert_msg(fk.n_events == 2, "%s: %zu events", c->name, fk.n_events);
        r = &fk.events[1];
        ck_assert_msg(r->e.type == LSC_EVENT_FRAME_UNKNOWN, "%s: event %d", c->name,
                      (int) r->e.type);
        ck_assert_ptr_eq(r->e.frame, &f);
        ck_assert_uint_eq(r->frame.cmd, f.cmd);
        ck_assert_uint_eq(r->frame.n_params, f.n_params);
        ck_assert_mem_eq(r->frame.params, f.params, f.n_params);
        /* And nothing else changed. */
        ck_assert_uint_eq(fk.n_answers, 0);
        expect_running(3, 1, true);
        ck_assert(bs.battery.pending);
}
END_TEST

/* ---- Deadlines ---- */

#define NONE BOARD_NEVER

static const struct {
        const char *name;
        uint64_t battery_timeout;
        uint64_t start_at, battery_at;  /* NONE: no such request */
} deadline_cases[] = {
        { "nothing", 500 * MS, NONE, NONE },
        { "a start only", 500 * MS, T0, NONE },
        { "a battery query only", 500 * MS, NONE, T0 },
        { "battery first", 500 * MS, T0, T0 + 100 * MS },
        { "start first", 2 * SEC, T0 + 100 * MS, T0 },
        { "both at once", SEC, T0, T0 },
        { "battery query long before", 3 * SEC, T0 + 2 * SEC + 1, T0 },
};

START_TEST(test_deadline_ordering)
{
        uint64_t start = NONE, bat = NONE, first, second;

        board_state_done(&bs);
        init(deadline_cases[_i].battery_timeout);
        /* The requests in the order of their times. */
        for (int pass = 0; pass < 2; pass++) {
                bool battery_first = deadline_cases[_i].battery_at < deadline_cases[_i].start_at;

                if (pass == (battery_first ? 1 : 0) && deadline_cases[_i].start_at != NONE) {
                        run_written(W(0), 3, 1, deadline_cases[_i].start_at);
                        start = deadline_cases[_i].start_at + BOARD_START_TIMEOUT_USEC;
                }
                if (pass == (battery_first ? 0 : 1) && deadline_cases[_i].battery_at != NONE) {
                        battery(W(1), deadline_cases[_i].battery_at);
                        bat = deadline_cases[_i].battery_at
                              + deadline_cases[_i].battery_timeout;
                }
        }
        first = start < bat ? start : bat;
        second = start < bat ? bat : start;
        ck_assert_msg(board_state_deadline(&bs) == first, "%s", deadline_cases[_i].name);
        if (first == NONE)
                return;

        expire(first - 1);
        ck_assert_uint_eq(fk.n_answers, 0);
        expire(first);
        if (first == start)
                expect_answer(W(0), BOARD_NOT_STARTED, 3);
        if (first == bat)
                expect_answer(W(1), BOARD_TIMEOUT,
                              (unsigned) (deadline_cases[_i].battery_timeout / 1000));
        if (start == bat)
                second = NONE;
        ck_assert_msg(board_state_deadline(&bs) == second, "%s", deadline_cases[_i].name);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("board-state");
        TCase *tc = tcase_create("board-state");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_idle_after_init);
        tcase_add_test(tc, test_bare_run_is_lscd_run);
        tcase_add_test(tc, test_bare_run_unknown_group);
        tcase_add_test(tc, test_positions_shared_query);
        tcase_add_test(tc, test_positions_timeout_then_next);
        tcase_add_test(tc, test_positions_reply_on_lsc_board);
        tcase_add_test(tc, test_positions_outside_range);
        tcase_add_test(tc, test_positions_fresh_waits_for_next_query);
        tcase_add_test(tc, test_positions_board_changed);
        tcase_add_test(tc, test_stop_report_names_its_own_stopper);
        tcase_add_test(tc, test_lscd_run_echoed_then_completed);
        tcase_add_test(tc, test_external_start);
        tcase_add_test(tc, test_external_start_preempts_completion_wait);
        tcase_add_test(tc, test_external_start_preempts_unechoed_wait);
        tcase_add_test(tc, test_lost_echo_forgotten_after_later_echo);
        tcase_add_test(tc, test_echo_with_other_runs_is_external);
        tcase_add_test(tc, test_wait_completed_once);
        tcase_add_test(tc, test_complete_of_other_group_ignored);
        tcase_add_test(tc, test_complete_before_echo_ignored);
        tcase_add_loop_test(tc, test_same_group_twice_7ms, 0, 3);
        tcase_add_test(tc, test_run_other_group_preempts_echoed_wait);
        tcase_add_test(tc, test_run_other_group_preempts_unechoed_wait);
        tcase_add_test(tc, test_run_without_wait_preempts);
        tcase_add_test(tc, test_echo_timeout);
        tcase_add_test(tc, test_echo_timeout_without_waiter);
        tcase_add_test(tc, test_echo_timeout_several_starts);
        tcase_add_test(tc, test_stop_answers_wait);
        tcase_add_test(tc, test_stop_external_group);
        tcase_add_loop_test(tc, test_stop_while_idle, 0, 2);
        tcase_add_test(tc, test_stop_before_echo_keeps_wait);
        tcase_add_test(tc, test_battery_shared_query);
        tcase_add_test(tc, test_battery_timeout);
        tcase_add_loop_test(tc, test_battery_send_error, 0, (int) ARRAY_SIZE(battery_send_errors));
        tcase_add_test(tc, test_battery_not_written);
        tcase_add_test(tc, test_battery_unsolicited_reply);
        tcase_add_test(tc, test_battery_answer_may_query_again);
        tcase_add_test(tc, test_speed_restore_order);
        tcase_add_test(tc, test_speed_all_clears_single);
        tcase_add_test(tc, test_speed_single_without_all);
        tcase_add_test(tc, test_speed_nothing_to_restore);
        tcase_add_test(tc, test_speed_restore_every_group_one_at_a_time);
        tcase_add_test(tc, test_speed_set_while_absent);
        tcase_add_test(tc, test_speed_enotconn_stops_restoring);
        tcase_add_test(tc, test_speed_enotconn_mid_restore);
        tcase_add_test(tc, test_speed_dropped_stops_restoring);
        tcase_add_test(tc, test_speed_enobufs_one_outstanding);
        tcase_add_test(tc, test_speed_restore_interrupted_by_abort);
        tcase_add_loop_test(tc, test_abort_unechoed_wait, 0, (int) ARRAY_SIZE(abort_results));
        tcase_add_loop_test(tc, test_abort_completion_wait, 0, (int) ARRAY_SIZE(abort_results));
        tcase_add_loop_test(tc, test_abort_stops_restoring, 0, (int) ARRAY_SIZE(abort_results));
        tcase_add_loop_test(tc, test_abort_keeps_nothing_running, 0,
                            (int) ARRAY_SIZE(abort_results));
        tcase_add_test(tc, test_done_frees_starts);
        tcase_add_loop_test(tc, test_unknown_frame, 0, (int) ARRAY_SIZE(unknown_cases));
        tcase_add_loop_test(tc, test_deadline_ordering, 0, (int) ARRAY_SIZE(deadline_cases));
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the servos' state (daemon/robot/servos.c): planning a
 * request's servos against the model (ids, names, deltas, limits, field
 * paths), time raised by max_speed from the last target queued, frames
 * queued, dropped and written, predicted ends that complete moves and
 * answer waits, preemption by a later move, forgetting every target
 * (group start, device loss), shutdown and deadlines. Deterministic: time
 * is an argument. The ops are a recording fake; every waiter used must be
 * answered exactly once, which the teardown checks after servos_done().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "servos.h"
/* After fail.h: Check has a macro named fail. */
#include "lscd-check.h"
#include "model-check.h"

#define T0 7000000ull                   /* an arbitrary "now", in microseconds */
#define MS 1000ull
#define MAX_RECORDS 64
#define N_WAITERS 8

#define BIT(id) (UINT64_C(1) << (id))

struct answer_rec {
        int waiter;
        enum servos_result result;
};

struct completed_rec {
        uint64_t mask;
        const char *source;
};

static struct {
        struct answer_rec answers[MAX_RECORDS];
        size_t n_answers;
        struct completed_rec completed[MAX_RECORDS];
        size_t n_completed;
} fk;

static struct servos sv;
static struct model *model;
static int waiters[N_WAITERS];          /* their addresses are the waiters */
static bool used[N_WAITERS];

#define W(i) (&waiters[(i)])

static int waiter_index(const void *w)
{
        const int *p = w;

        ck_assert_ptr_nonnull(w);
        ck_assert(p >= waiters && p < waiters + N_WAITERS);
        return (int) (p - waiters);
}

static void fake_answer(void *userdata, void *waiter, enum servos_result result)
{
        ck_assert_ptr_eq(userdata, &fk);
        ck_assert_uint_lt(fk.n_answers, MAX_RECORDS);
        fk.answers[fk.n_answers++] = (struct answer_rec) {
                .waiter = waiter_index(waiter), .result = result,
        };
}

static void fake_completed(void *userdata, uint64_t mask, const char *source)
{
        ck_assert_ptr_eq(userdata, &fk);
        ck_assert_uint_ne(mask, 0);
        ck_assert_uint_lt(fk.n_completed, MAX_RECORDS);
        fk.completed[fk.n_completed++] = (struct completed_rec) { .mask = mask, .source = source };
}

static const struct servos_ops fake_ops = {
        .answer = fake_answer,
        .completed = fake_completed,
};

/* The robot of lscd-robot(5)'s example: shoulder (id 1, 700..2300, trim
 * -20, 1000 us/s), elbow (id 2, 600..2400, inverted), gripper (id 6,
 * 1200..2000, 300 us/s); the pose rest; every other id at its defaults. */
static struct model *robot(void)
{
        struct model *m = model_new(&profile_lsc);
        struct model_pose *rest;

        m->servos[1] = (struct model_servo) { .name = "shoulder", .min = 700, .max = 2300,
                                              .home = 1500, .trim = -20, .max_speed = 1000,
                                              .line = 2, MODEL_CHECK_LSC };
        m->servos[2] = (struct model_servo) { .name = "elbow", .min = 600, .max = 2400,
                                              .home = 1500, .invert = true, .line = 3,
                                              MODEL_CHECK_LSC };
        m->servos[6] = (struct model_servo) { .name = "gripper", .min = 1200, .max = 2000,
                                              .home = 1500, .max_speed = 300, .line = 4,
                                              MODEL_CHECK_LSC };
        m->poses = mem_realloc_array(NULL, 1, sizeof(*m->poses));
        rest = &m->poses[m->n_poses++];
        *rest = (struct model_pose) { .name = "rest", .n = 2,
                                      .targets = { { 1, 900 }, { 2, 2100 } } };
        model_add_home(m);
        return m;
}

static void setup(void)
{
        memset(&fk, 0, sizeof(fk));
        memset(used, 0, sizeof(used));
        model = robot();
        servos_init(&sv, &fake_ops, &fk);
}

static size_t answers_of(int waiter)
{
        size_t n = 0;

        for (size_t i = 0; i < fk.n_answers; i++)
                n += fk.answers[i].waiter == waiter;
        return n;
}

static void teardown(void)
{
        servos_done(&sv);
        ck_assert_ptr_null(sv.moves);
        for (int i = 0; i < N_WAITERS; i++)
                ck_assert_uint_eq(answers_of(i), used[i] ? 1 : 0);
        model_free(model);
}

/* ---- Invariants, checked after every call ---- */

static void check_state(void)
{
        uint64_t seen = 0;
        size_t n = 0;

        for (const struct servos_move *m = sv.moves; m; m = m->next) {
                ck_assert_uint_lt(n++, 100);
                ck_assert_uint_ne(m->mask, 0);
                ck_assert_uint_eq(m->mask & seen, 0);   /* no two moves share a servo */
                ck_assert_uint_eq(m->mask & 1, 0);
                seen |= m->mask;
                if (m->waiter)
                        ck_assert_uint_eq(answers_of(waiter_index(m->waiter)), 0);
        }
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++) {
                const struct servo_state *st = &sv.servo[id];

                if (st->pending == 0) {
                        ck_assert_int_eq(st->queued_known, st->known);
                        if (st->known)
                                ck_assert_int_eq(st->queued, st->target);
                }
                if (!st->known)
                        ck_assert_uint_eq(st->until, 0);
        }
}

/* ---- Calls ---- */

struct spec {
        unsigned id;
        const char *name;
        bool delta;
        int value;
};

#define ID(i, p) { .id = (i), .value = (p) }
#define NAME(n, p) { .name = (n), .value = (p) }
#define ID_DELTA(i, d) { .id = (i), .delta = true, .value = (d) }
#define NAME_DELTA(n, d) { .name = (n), .delta = true, .value = (d) }
#define END { .id = 0, .name = NULL }

static size_t to_specs(const struct spec *in, struct servos_spec *out)
{
        size_t n = 0;

        for (; in[n].id || in[n].name; n++) {
                ck_assert_uint_lt(n, LSC_MOVE_MAX_SERVOS);
                out[n] = (struct servos_spec) { .id = in[n].id, .delta = in[n].delta,
                                                .value = in[n].value };
                if (in[n].name)
                        snprintf(out[n].name, sizeof(out[n].name), "%s", in[n].name);
        }
        return n;
}

static int try_plan(const struct spec *specs, unsigned time_ms, struct servos_plan *plan,
                    struct fail *f)
{
        struct servos_spec s[LSC_MOVE_MAX_SERVOS];
        size_t n = to_specs(specs, s);
        int r = servos_plan(&sv, model, s, n, time_ms, "servos", plan, f);

        check_state();
        return r;
}

static struct servos_plan plan(const struct spec *specs, unsigned time_ms)
{
        struct servos_plan p;
        struct fail f = { .code = 0 };
        int r = try_plan(specs, time_ms, &p, &f);

        ck_assert_msg(r == 0, "%s: %s", lsc_errcode_name(f.code), f.message);
        ck_assert_uint_ge(p.time_ms, time_ms);
        ck_assert_uint_le(p.time_ms, LSC_TIME_MAX);
        return p;
}

static void queued(const struct servos_plan *p)
{
        servos_queued(&sv, p);
        check_state();
}

static void dropped(const struct servos_plan *p)
{
        servos_dropped(&sv, p);
        check_state();
}

/* P written at SENT, waited on by waiter WAITER (-1: none). */
static void written(const struct servos_plan *p, uint64_t sent, const char *source, int waiter)
{
        if (waiter >= 0) {
                ck_assert(!used[waiter]);
                used[waiter] = true;
        }
        servos_written(&sv, p, sent, source, waiter >= 0 ? W(waiter) : NULL);
        check_state();
}

/* Plan, queue and write at SENT: a move that went straight out. */
static struct servos_plan move(const struct spec *specs, unsigned time_ms, uint64_t sent,
                               int waiter)
{
        struct servos_plan p = plan(specs, time_ms);

        queued(&p);
        written(&p, sent, "move", waiter);
        return p;
}

static void expire(uint64_t now)
{
        servos_expire(&sv, now);
        check_state();
}

static void forget(enum servos_result result)
{
        servos_forget(&sv, result);
        check_state();
}

/* ---- Expectations ---- */

static void expect_answer(int waiter, enum servos_result result)
{
        ck_assert_uint_eq(answers_of(waiter), 1);
        for (size_t i = 0; i < fk.n_answers; i++)
                if (fk.answers[i].waiter == waiter)
                        ck_assert_int_eq(fk.answers[i].result, result);
}

static void expect_completed(size_t i, uint64_t mask, const char *source)
{
        ck_assert_uint_lt(i, fk.n_completed);
        ck_assert_uint_eq(fk.completed[i].mask, mask);
        ck_assert_str_eq(fk.completed[i].source, source);
}

static void expect_target(unsigned id, bool known, int target, uint64_t until)
{
        const struct servo_state *st = &sv.servo[id];

        ck_assert_int_eq(st->known, known);
        if (known)
                ck_assert_int_eq(st->target, target);
        ck_assert_uint_eq(st->until, until);
}

/* ---- Planning ---- */

struct plan_case {
        const char *name;
        struct spec specs[4];
        size_t n;
        unsigned ids[4];
        int logical[4], wire[4];
};

static const struct plan_case plan_cases[] = {
        { "by id, trimmed", { ID(1, 900), END }, 1, { 1 }, { 900 }, { 880 } },
        { "by name, inverted", { NAME("elbow", 2100), END }, 1, { 2 }, { 2100 }, { 900 } },
        { "unnamed servo, default limits", { ID(5, 500), ID(32, 2500), END }, 2, { 5, 32 },
          { 500, 2500 }, { 500, 2500 } },
        { "named servo by id", { ID(2, 600), NAME("shoulder", 2300), END }, 2, { 2, 1 },
          { 600, 2300 }, { 2400, 2280 } },
        { "the limits themselves", { NAME("gripper", 1200), NAME("shoulder", 700), END }, 2,
          { 6, 1 }, { 1200, 700 }, { 1200, 680 } },
};

START_TEST(test_plan)
{
        const struct plan_case *c = &plan_cases[_i];
        struct servos_plan p = plan(c->specs, 400);
        uint64_t mask = 0;

        ck_assert_uint_eq(p.n, c->n);
        ck_assert_uint_eq(p.time_ms, 400);
        for (size_t i = 0; i < c->n; i++) {
                ck_assert_uint_eq(p.ids[i], c->ids[i]);
                ck_assert_int_eq(p.logical[i], c->logical[i]);
                ck_assert_int_eq(p.wire[i].id, (int) c->ids[i]);
                ck_assert_int_eq(p.wire[i].position, c->wire[i]);
                mask |= BIT(c->ids[i]);
        }
        ck_assert_uint_eq(p.mask, mask);
}
END_TEST

struct refuse_case {
        const char *name;
        struct spec specs[4];
        enum lsc_errcode code;
        const char *field;
        const char *message;
};

static const struct refuse_case refuse_cases[] = {
        { "unknown name", { ID(1, 900), NAME("wrist", 1500), END }, LSC_ERRCODE_UNKNOWN_SERVO,
          "servos[1].name", "no servo is named \"wrist\"" },
        { "above max", { NAME("shoulder", 2301), END }, LSC_ERRCODE_OUT_OF_LIMITS,
          "servos[0].position", "shoulder 1: 2301 is outside its limits 700..2300" },
        { "below min, second servo", { ID(1, 900), ID(6, 1199), END }, LSC_ERRCODE_OUT_OF_LIMITS,
          "servos[1].position", "gripper 6: 1199 is outside its limits 1200..2000" },
        { "delta, never moved", { ID(3, 1500), ID_DELTA(2, 10), END },
          LSC_ERRCODE_UNKNOWN_POSITION, "servos[1].delta",
          "elbow 2: its position is unknown (never moved by lscd, or a group ran since)" },
        { "delta of an unnamed servo", { ID_DELTA(9, -10), END }, LSC_ERRCODE_UNKNOWN_POSITION,
          "servos[0].delta",
          "servo 9: its position is unknown (never moved by lscd, or a group ran since)" },
        { "below the LSC board's positions", { ID(9, 499), END }, LSC_ERRCODE_INVALID_ARGUMENT,
          "servos[0].position", "servo 9: 499 is outside the board's positions 500..2500" },
        { "id twice", { ID(4, 900), ID(4, 1000), END }, LSC_ERRCODE_INVALID_ARGUMENT,
          "servos[1]", "servo 4 appears more than once" },
        { "name twice", { NAME("elbow", 900), NAME("elbow", 1000), END },
          LSC_ERRCODE_INVALID_ARGUMENT, "servos[1]", "servo 2 appears more than once" },
        { "name and id", { ID(5, 900), NAME("shoulder", 900), ID(1, 1000), END },
          LSC_ERRCODE_INVALID_ARGUMENT, "servos[2]", "servo 1 appears more than once" },
};

START_TEST(test_plan_refused)
{
        const struct refuse_case *c = &refuse_cases[_i];
        struct servos_plan p;
        struct fail f = { .code = 0 };

        ck_assert_int_eq(try_plan(c->specs, 100, &p, &f), -EINVAL);
        ck_assert_msg(f.code == c->code, "%s: %s", c->name, lsc_errcode_name(f.code));
        ck_assert_str_eq(f.field, c->field);
        ck_assert_str_eq(f.message, c->message);
}
END_TEST

/* Deltas start from the last target; out of limits names the sum. */
START_TEST(test_plan_delta)
{
        static const struct spec first[] = { NAME("shoulder", 900), ID(5, 2400), END };
        static const struct spec up[] = { NAME_DELTA("shoulder", 100), ID_DELTA(5, -1900), END };
        static const struct spec below[] = { ID_DELTA(1, -201), END };
        static const struct spec above[] = { ID(1, 1000), ID_DELTA(5, 101), END };
        struct servos_plan p;
        struct fail f = { .code = 0 };

        move(first, 0, T0, -1);
        p = plan(up, 0);
        ck_assert_int_eq(p.logical[0], 1000);
        ck_assert_int_eq(p.wire[0].position, 980);
        ck_assert_int_eq(p.logical[1], 500);
        ck_assert_int_eq(try_plan(below, 0, &p, &f), -EINVAL);
        ck_assert_int_eq(f.code, LSC_ERRCODE_OUT_OF_LIMITS);
        ck_assert_str_eq(f.field, "servos[0].delta");
        ck_assert_str_eq(f.message, "shoulder 1: 900-201 = 699 is outside its limits 700..2300");
        ck_assert_int_eq(try_plan(above, 0, &p, &f), -EINVAL);
        ck_assert_str_eq(f.field, "servos[1].delta");
        ck_assert_str_eq(f.message, "servo 5: 2400+101 = 2501 is outside its limits 500..2500");
}
END_TEST

START_TEST(test_plan_pose)
{
        struct servos_plan p;
        struct fail f = { .code = 0 };

        ck_assert_int_eq(servos_plan_pose(&sv, model, model_pose(model, "rest"), 250, &p, &f), 0);
        ck_assert_uint_eq(p.n, 2);
        ck_assert_uint_eq(p.mask, BIT(1) | BIT(2));
        ck_assert_uint_eq(p.time_ms, 250);
        ck_assert_int_eq(p.wire[0].position, 880);
        ck_assert_int_eq(p.wire[1].position, 900);
        ck_assert_int_eq(servos_plan_pose(&sv, model, model_pose(model, "home"), 0, &p, &f), 0);
        ck_assert_uint_eq(p.n, 3);
        ck_assert_uint_eq(p.mask, BIT(1) | BIT(2) | BIT(6));
        ck_assert_int_eq(p.wire[0].position, 1480);
        ck_assert_int_eq(p.wire[1].position, 1500);
        ck_assert_int_eq(p.wire[2].position, 1500);
}
END_TEST

/* ---- Speed ---- */

struct stretch_case {
        const char *name;
        struct spec before[3];          /* written first, unless empty */
        struct spec specs[3];
        unsigned requested, used;
};

static const struct stretch_case stretch_cases[] = {
        { "previous target unknown: the request stands", { END },
          { NAME("shoulder", 2300), END }, 0, 0 },
        { "known: raised to the speed limit", { ID(1, 800), END },
          { ID(1, 2300), END }, 100, 1500 },
        { "known: a slower request stands", { ID(1, 800), END },
          { ID(1, 2300), END }, 1600, 1600 },
        { "exactly the limit", { ID(1, 800), END }, { ID(1, 2300), END }, 1500, 1500 },
        { "rounded up", { ID(6, 1200), END }, { ID(6, 1201), END }, 0, 4 },
        { "the slowest servo sets it", { ID(1, 1000), ID(6, 1200), END },
          { ID(1, 2000), ID(6, 1300), END }, 10, 1000 },
        { "one servo known, one not", { ID(6, 1200), END },
          { ID(1, 2300), ID(6, 1400), END }, 0, 667 },
        { "no limit", { ID(2, 600), ID(5, 500), END },
          { ID(2, 2400), ID(5, 2500), END }, 0, 0 },
        { "a delta: from its base", { ID(6, 1500), END },
          { ID_DELTA(6, -100), END }, 0, 334 },
};

START_TEST(test_stretch)
{
        const struct stretch_case *c = &stretch_cases[_i];
        struct servos_plan p;

        if (c->before[0].id || c->before[0].name)
                move(c->before, 0, T0, -1);
        p = plan(c->specs, c->requested);
        ck_assert_msg(p.time_ms == c->used, "%s: %u ms", c->name, p.time_ms);
}
END_TEST

/* Pipelined: a frame queued and not yet written is the base of the next
 * delta and of the speed limit; dropped, the base reverts. */
START_TEST(test_pipelined)
{
        static const struct spec at_1200[] = { ID(6, 1200), END };
        static const struct spec plus_100[] = { ID_DELTA(6, 100), END };
        static const struct spec to_2000[] = { ID(6, 2000), END };
        struct servos_plan a, b, c;

        move(at_1200, 0, T0, -1);
        a = plan(plus_100, 0);
        ck_assert_int_eq(a.logical[0], 1300);
        ck_assert_uint_eq(a.time_ms, 334);
        queued(&a);
        b = plan(plus_100, 0);                  /* two pipelined +100 make +200 */
        ck_assert_int_eq(b.logical[0], 1400);
        ck_assert_uint_eq(b.time_ms, 334);
        queued(&b);
        c = plan(to_2000, 0);                   /* from 1400, not 1200 */
        ck_assert_uint_eq(c.time_ms, 2000);
        expect_target(6, true, 1200, T0);       /* nothing new written yet */

        written(&a, T0 + 10 * MS, "move", -1);
        expect_target(6, true, 1300, T0 + 344 * MS);
        c = plan(plus_100, 0);                  /* b is still queued */
        ck_assert_int_eq(c.logical[0], 1500);
        dropped(&b);                            /* b never reaches the wire */
        c = plan(plus_100, 0);
        ck_assert_int_eq(c.logical[0], 1400);
        ck_assert_uint_eq(c.time_ms, 334);
}
END_TEST

/* Dropped before anything was written: the base is unknown again. */
START_TEST(test_dropped_unknown)
{
        static const struct spec at_1200[] = { ID(6, 1200), END };
        static const struct spec plus_100[] = { ID_DELTA(6, 100), END };
        struct servos_plan a = plan(at_1200, 0), b;
        struct fail f = { .code = 0 };

        queued(&a);
        b = plan(plus_100, 0);
        ck_assert_int_eq(b.logical[0], 1300);
        dropped(&a);
        ck_assert_int_eq(try_plan(plus_100, 0, &b, &f), -EINVAL);
        ck_assert_int_eq(f.code, LSC_ERRCODE_UNKNOWN_POSITION);
        ck_assert_uint_eq(try_plan(at_1200, 0, &b, &f), 0);
        ck_assert_uint_eq(b.time_ms, 0);        /* unknown: the request stands */
}
END_TEST

/* ---- Completion ---- */

START_TEST(test_completed_at_end)
{
        static const struct spec arm[] = { NAME("shoulder", 900), NAME("elbow", 2100), END };
        uint64_t end = T0 + 800 * MS;

        ck_assert_uint_eq(servos_deadline(&sv), SERVOS_NEVER);
        move(arm, 800, T0, 0);
        expect_target(1, true, 900, end);
        expect_target(2, true, 2100, end);
        ck_assert(sv.servo[1].commanded);
        ck_assert(!sv.servo[3].commanded);
        ck_assert_uint_eq(servos_deadline(&sv), end);
        expire(end - 1);
        ck_assert_uint_eq(fk.n_completed, 0);
        ck_assert_uint_eq(fk.n_answers, 0);
        expire(end);
        ck_assert_uint_eq(fk.n_completed, 1);
        expect_completed(0, BIT(1) | BIT(2), "move");
        expect_answer(0, SERVOS_COMPLETED);
        ck_assert_uint_eq(servos_deadline(&sv), SERVOS_NEVER);
        expire(end + 1000 * MS);
        ck_assert_uint_eq(fk.n_completed, 1);
        expect_target(1, true, 900, end);       /* the target stays known */
}
END_TEST

/* A move nobody waits on still publishes move.completed, with its source. */
START_TEST(test_completed_without_waiter)
{
        struct servos_plan p;
        struct fail f = { .code = 0 };

        ck_assert_int_eq(servos_plan_pose(&sv, model, model_pose(model, "rest"), 0, &p, &f), 0);
        queued(&p);
        written(&p, T0, "pose", -1);
        ck_assert_uint_eq(servos_deadline(&sv), T0);    /* time 0 ends when it is sent */
        expire(T0);
        expect_completed(0, BIT(1) | BIT(2), "pose");
        ck_assert_uint_eq(fk.n_answers, 0);
}
END_TEST

/* A later move of one servo preempts the wait at once; the move's other
 * servos still complete at its end. */
START_TEST(test_preempted_by_later_move)
{
        static const struct spec arm[] = { ID(1, 900), ID(2, 2100), ID(6, 1500), END };
        static const struct spec elbow[] = { ID(2, 1000), END };

        move(arm, 1000, T0, 0);
        move(elbow, 2000, T0 + 100 * MS, 1);
        expect_answer(0, SERVOS_PREEMPTED);
        ck_assert_uint_eq(fk.n_completed, 0);
        ck_assert_uint_eq(servos_deadline(&sv), T0 + 1000 * MS);
        expire(T0 + 1000 * MS);
        expect_completed(0, BIT(1) | BIT(6), "move");
        ck_assert_uint_eq(answers_of(0), 1);
        ck_assert_uint_eq(answers_of(1), 0);
        ck_assert_uint_eq(servos_deadline(&sv), T0 + 2100 * MS);
        expire(T0 + 2100 * MS);
        expect_completed(1, BIT(2), "move");
        expect_answer(1, SERVOS_COMPLETED);
        expect_target(2, true, 1000, T0 + 2100 * MS);
        expect_target(1, true, 900, T0 + 1000 * MS);
}
END_TEST

/* A move whose every servo was taken ends silently. */
START_TEST(test_preempted_whole)
{
        static const struct spec a[] = { ID(1, 900), ID(2, 2100), END };
        static const struct spec b[] = { ID(2, 1000), ID(3, 1000), ID(1, 1000), END };

        move(a, 5000, T0, -1);
        move(b, 100, T0 + 50 * MS, 2);
        ck_assert_uint_eq(servos_deadline(&sv), T0 + 150 * MS);
        expire(T0 + 10000 * MS);
        ck_assert_uint_eq(fk.n_completed, 1);
        expect_completed(0, BIT(1) | BIT(2) | BIT(3), "move");
        expect_answer(2, SERVOS_COMPLETED);
}
END_TEST

/* A move of other servos preempts nothing. */
START_TEST(test_other_servos_not_preempted)
{
        static const struct spec a[] = { ID(1, 900), END };
        static const struct spec b[] = { ID(2, 1000), END };

        move(a, 300, T0, 0);
        move(b, 100, T0, 1);
        ck_assert_uint_eq(fk.n_answers, 0);
        expire(T0 + 100 * MS);
        expect_answer(1, SERVOS_COMPLETED);
        ck_assert_uint_eq(answers_of(0), 0);
        expire(T0 + 300 * MS);
        expect_answer(0, SERVOS_COMPLETED);
        expect_completed(0, BIT(2), "move");
        expect_completed(1, BIT(1), "move");
}
END_TEST

static const enum servos_result forget_results[] = { SERVOS_PREEMPTED, SERVOS_DEVICE_LOST };

/* A group started (PREEMPTED) or the device was lost: every wait ends now,
 * no move completes, no target is known. */
START_TEST(test_forget)
{
        static const struct spec a[] = { ID(1, 900), ID(2, 2100), END };
        static const struct spec b[] = { ID(6, 1500), END };
        static const struct spec delta[] = { ID_DELTA(1, 10), END };
        static const struct spec speed[] = { ID(1, 2300), END };
        struct servos_plan p;
        struct fail f = { .code = 0 };

        move(a, 1000, T0, 0);
        move(b, 2000, T0, -1);
        forget(forget_results[_i]);
        expect_answer(0, forget_results[_i]);
        ck_assert_uint_eq(fk.n_answers, 1);
        ck_assert_ptr_null(sv.moves);
        ck_assert_uint_eq(servos_deadline(&sv), SERVOS_NEVER);
        expire(T0 + 5000 * MS);
        ck_assert_uint_eq(fk.n_completed, 0);
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                expect_target(id, false, 0, 0);
        ck_assert(sv.servo[1].commanded);       /* still listed by "servos" */
        ck_assert_int_eq(try_plan(delta, 0, &p, &f), -EINVAL);
        ck_assert_int_eq(f.code, LSC_ERRCODE_UNKNOWN_POSITION);
        p = plan(speed, 0);
        ck_assert_uint_eq(p.time_ms, 0);        /* unknown: the request stands */
}
END_TEST

/* Forgotten while a frame is queued: that frame, once written, makes its
 * target known again; dropped, the target stays unknown. */
START_TEST(test_forget_with_pending)
{
        static const struct spec a[] = { ID(6, 1200), END };
        static const struct spec b[] = { ID(6, 1600), END };
        static const struct spec delta[] = { ID_DELTA(6, 10), END };
        struct servos_plan pa = plan(a, 0), pb;
        struct fail f = { .code = 0 };

        queued(&pa);
        forget(SERVOS_PREEMPTED);
        pb = plan(delta, 0);                    /* from the frame still queued */
        ck_assert_int_eq(pb.logical[0], 1210);
        written(&pa, T0, "move", -1);
        expect_target(6, true, 1200, T0);
        pb = plan(b, 0);
        ck_assert_uint_eq(pb.time_ms, 1334);
        queued(&pb);
        forget(SERVOS_DEVICE_LOST);
        dropped(&pb);
        ck_assert_int_eq(try_plan(delta, 0, &pb, &f), -EINVAL);
        ck_assert_int_eq(f.code, LSC_ERRCODE_UNKNOWN_POSITION);
}
END_TEST

/* lscd stops: every wait is answered SHUTDOWN, no move completes. */
START_TEST(test_done)
{
        static const struct spec a[] = { ID(1, 900), END };
        static const struct spec b[] = { ID(2, 900), END };

        move(a, 1000, T0, 3);
        move(b, 1000, T0, 4);
        servos_done(&sv);
        expect_answer(3, SERVOS_SHUTDOWN);
        expect_answer(4, SERVOS_SHUTDOWN);
        ck_assert_uint_eq(fk.n_completed, 0);
        ck_assert_ptr_null(sv.moves);
}
END_TEST

/* A target remembered from before a restart is a base like any other. */
START_TEST(test_restore)
{
        static const struct spec delta[] = { NAME_DELTA("gripper", -300), END };
        struct servos_plan p;

        servos_restore(&sv, 6, 1800, T0 + 50 * MS);
        check_state();
        expect_target(6, true, 1800, T0 + 50 * MS);
        ck_assert(sv.servo[6].commanded);
        ck_assert_uint_eq(servos_deadline(&sv), SERVOS_NEVER);  /* no move to complete */
        p = plan(delta, 0);
        ck_assert_int_eq(p.logical[0], 1500);
        ck_assert_uint_eq(p.time_ms, 1000);
}
END_TEST

/* ---- Deadlines ---- */

struct deadline_case {
        const char *name;
        unsigned time_ms[3];            /* servos 1, 2, 3, each sent at T0 + i ms */
        uint64_t first, second;         /* deadlines after the first expire */
};

static const struct deadline_case deadline_cases[] = {
        { "ascending", { 100, 200, 300 }, T0 + 100 * MS, T0 + 201 * MS },
        { "descending", { 300, 200, 100 }, T0 + 102 * MS, T0 + 201 * MS },
        { "the same end", { 101, 100, 99 }, T0 + 101 * MS, SERVOS_NEVER },
        { "zero time", { 0, 500, 0 }, T0, T0 + 2 * MS },
};

START_TEST(test_deadlines)
{
        const struct deadline_case *c = &deadline_cases[_i];
        for (unsigned i = 0; i < 3; i++) {
                const struct spec one[] = { ID(i + 1, 1500), END };

                move(one, c->time_ms[i], T0 + i * MS, (int) i);
        }
        ck_assert_msg(servos_deadline(&sv) == c->first, "%s", c->name);
        expire(c->first - 1);
        ck_assert_uint_eq(fk.n_completed, 0);
        expire(c->first);
        ck_assert_uint_gt(fk.n_completed, 0);
        ck_assert_uint_eq(fk.n_answers, fk.n_completed);
        ck_assert_msg(servos_deadline(&sv) == c->second, "%s", c->name);
        expire(T0 + 1000 * MS);
        ck_assert_uint_eq(fk.n_completed, 3);
        for (int i = 0; i < 3; i++)
                expect_answer(i, SERVOS_COMPLETED);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("servos");
        TCase *tc = tcase_create("servos");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_loop_test(tc, test_plan, 0, (int) ARRAY_SIZE(plan_cases));
        tcase_add_loop_test(tc, test_plan_refused, 0, (int) ARRAY_SIZE(refuse_cases));
        tcase_add_test(tc, test_plan_delta);
        tcase_add_test(tc, test_plan_pose);
        tcase_add_loop_test(tc, test_stretch, 0, (int) ARRAY_SIZE(stretch_cases));
        tcase_add_test(tc, test_pipelined);
        tcase_add_test(tc, test_dropped_unknown);
        tcase_add_test(tc, test_completed_at_end);
        tcase_add_test(tc, test_completed_without_waiter);
        tcase_add_test(tc, test_preempted_by_later_move);
        tcase_add_test(tc, test_preempted_whole);
        tcase_add_test(tc, test_other_servos_not_preempted);
        tcase_add_loop_test(tc, test_forget, 0, (int) ARRAY_SIZE(forget_results));
        tcase_add_test(tc, test_forget_with_pending);
        tcase_add_test(tc, test_done);
        tcase_add_test(tc, test_restore);
        tcase_add_loop_test(tc, test_deadlines, 0, (int) ARRAY_SIZE(deadline_cases));
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of sequence planning (daemon/robot/sequence.c): every step
 * checked against the robot model before anything moves (limits, names,
 * a servo twice, empty poses), the first invalid step named in the field
 * "steps[I]...", times scaled by speed and then raised by max_speed from
 * the step before, and the schedule (sequence_step_usec). Pure: the model
 * and the servos' state are built here, no file and no clock.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sequence.h"
/* After fail.h: check.h defines fail() as a macro. */
#include "lscd-check.h"
#include "model-check.h"

#define STEPS_MAX 4
#define TARGETS_MAX 3

/* A step as a table writes it: a pose, or up to TARGETS_MAX targets. */
struct step_in {
        const char *pose;
        struct servos_spec targets[TARGETS_MAX];
        size_t n;
        unsigned time_ms, hold_ms;
};

static struct sequence *test_sequence(const struct step_in *in, size_t n)
{
        struct sequence *seq = calloc(1, sizeof(*seq));

        ck_assert_ptr_nonnull(seq);
        seq->steps = calloc(n, sizeof(*seq->steps));
        ck_assert_ptr_nonnull(seq->steps);
        seq->n_steps = n;
        for (size_t i = 0; i < n; i++) {
                struct sequence_step *st = &seq->steps[i];

                *st = (struct sequence_step) { .n = in[i].n, .time_ms = in[i].time_ms,
                                               .hold_ms = in[i].hold_ms };
                if (in[i].pose)
                        strcpy(st->pose, in[i].pose);
                memcpy(st->targets, in[i].targets, sizeof(in[i].targets));
        }
        return seq;
}

#define SERVO(i, v) { .id = (i), .value = (v) }
#define NAMED(s, v) { .name = s, .value = (v) }
#define TO(...) .targets = { __VA_ARGS__ }, .n = sizeof((struct servos_spec[]) { __VA_ARGS__ }) / \
        sizeof(struct servos_spec)

/* ---- refused sequences: the first invalid step, by its index ---- */

struct refused_case {
        const char *what;
        struct step_in steps[STEPS_MAX];
        size_t n_steps;
        enum lsc_errcode code;
        const char *field;
        const char *message;            /* a part of it */
        unsigned speed;                 /* percent */
};

static const struct refused_case refused_cases[] = {
        { "a position outside the servo's limits",
          { { TO(NAMED("shoulder", 1000)), .time_ms = 10 },
            { TO(NAMED("shoulder", 2400)), .time_ms = 10 } }, 2,
          LSC_ERRCODE_OUT_OF_LIMITS, "steps[1].servos[0].position",
          "shoulder 1: 2400 is outside its limits 700..2300", 100 },
        { "below the limits of an inverted servo, the second of its step",
          { { TO(SERVO(4, 1500)), .time_ms = 10 }, { TO(SERVO(4, 1600)), .time_ms = 10 },
            { TO(SERVO(4, 1700)), .time_ms = 10 },
            { TO(SERVO(4, 1800), NAMED("elbow", 599)), .time_ms = 10 } }, 4,
          LSC_ERRCODE_OUT_OF_LIMITS, "steps[3].servos[1].position",
          "elbow 2: 599 is outside its limits 600..2400", 100 },
        { "an unknown servo name",
          { { TO(NAMED("shoulder", 1000)), .time_ms = 10 },
            { TO(NAMED("wrist2", 1000)), .time_ms = 10 } }, 2,
          LSC_ERRCODE_UNKNOWN_SERVO, "steps[1].servos[0].name", "no servo is named \"wrist2\"",
          100 },
        { "an unknown pose",
          { { TO(NAMED("shoulder", 1000)), .time_ms = 10 }, { .pose = "rest", .time_ms = 10 },
            { .pose = "nope", .time_ms = 10 } }, 3,
          LSC_ERRCODE_UNKNOWN_POSE, "steps[2].pose", "step 2: no pose is named \"nope\"", 100 },
        { "a servo twice in one step, by id and by name",
          { { TO(SERVO(1, 1000), NAMED("shoulder", 1100)), .time_ms = 10 } }, 1,
          LSC_ERRCODE_INVALID_ARGUMENT, "steps[0].servos[1]", "servo 1 appears more than once",
          100 },
        /* A servo the model does not name has the board's range as its
         * limits: the board's range is checked first. */
        { "the default limits of a servo the model does not name",
          { { TO(SERVO(4, 2501)), .time_ms = 10 } }, 1,
          LSC_ERRCODE_INVALID_ARGUMENT, "steps[0].servos[0].position",
          "servo 4: 2501 is outside the board's positions 500..2500", 100 },
        /* A frame's move takes at most LSC_TIME_MAX: speed never cuts it. */
        { "a step's time at speed 50 past a frame's: 40000 ms is 80000",
          { { TO(NAMED("shoulder", 1000)), .time_ms = 10 },
            { TO(NAMED("shoulder", 1100)), .time_ms = 40000 } }, 2,
          LSC_ERRCODE_INVALID_ARGUMENT, "steps[1].time_ms",
          "step 1: time_ms 40000 at speed 50% is 80000 ms, past the 65535 ms", 50 },
        { "one ms past it: 32768 ms at speed 50",
          { { TO(SERVO(4, 1000)), .time_ms = 32768 } }, 1,
          LSC_ERRCODE_INVALID_ARGUMENT, "steps[0].time_ms",
          "step 0: time_ms 32768 at speed 50% is 65536 ms", 50 },
        { "speed 1: 1000 ms is 100000, a pose's step too",
          { { TO(SERVO(4, 1000)), .time_ms = 655 }, { .pose = "rest", .time_ms = 1000 } }, 2,
          LSC_ERRCODE_INVALID_ARGUMENT, "steps[1].time_ms",
          "step 1: time_ms 1000 at speed 1% is 100000 ms", 1 },
};

START_TEST(test_plan_refused)
{
        const struct refused_case *c = &refused_cases[_i];
        struct model *m = model_check_new();
        struct sequence *seq = test_sequence(c->steps, c->n_steps);
        struct servos_plan plans[STEPS_MAX];
        struct servos s;
        struct fail f = { 0 };

        servos_init(&s, NULL, NULL);
        ck_assert_int_eq(sequence_plan(seq, m, &s, c->speed, plans, &f), -EINVAL);
        ck_assert_msg(f.code == c->code, "%s: code %d", c->what, f.code);
        ck_assert_str_eq(f.field, c->field);
        ck_assert_msg(strstr(f.message, c->message), "%s: \"%s\"", c->what, f.message);
        sequence_free(seq);
        model_free(m);
}
END_TEST

/* A pose that names no servo (the home of a robot file without names)
 * moves nothing: it is no pose to play. */
START_TEST(test_plan_empty_home_refused)
{
        struct model *m = model_new(&profile_lsc);
        const struct step_in in[] = { { TO(SERVO(1, 1500)), .time_ms = 10 },
                                      { .pose = "home", .time_ms = 10 } };
        struct sequence *seq = test_sequence(in, 2);
        struct servos_plan plans[2];
        struct servos s;
        struct fail f = { 0 };

        model_add_home(m);
        ck_assert_uint_eq(model_pose(m, "home")->n, 0);
        servos_init(&s, NULL, NULL);
        ck_assert_int_eq(sequence_plan(seq, m, &s, 100, plans, &f), -EINVAL);
        ck_assert_int_eq(f.code, LSC_ERRCODE_UNKNOWN_POSE);
        ck_assert_str_eq(f.field, "steps[1].pose");
        sequence_free(seq);
        model_free(m);
}
END_TEST

/* ---- planned sequences: frames, times and the schedule ---- */

struct planned_step {
        unsigned time_ms;               /* of the frame */
        uint64_t usec;                  /* sequence_step_usec() */
        size_t n;
        struct lsc_servo wire[TARGETS_MAX];
};

struct planned_case {
        const char *what;
        struct step_in steps[STEPS_MAX];
        size_t n_steps;
        unsigned speed;
        struct servos_spec known[TARGETS_MAX];  /* targets already queued; id 0 ends */
        struct planned_step want[STEPS_MAX];
};

static const struct planned_case planned_cases[] = {
        { "trim, inversion, ids and names, a pose in its order, holds",
          { { .pose = "rest", .time_ms = 100 },
            { TO(NAMED("shoulder", 1200), SERVO(4, 1500)), .time_ms = 150, .hold_ms = 50 },
            { TO(NAMED("elbow", 1000)), .time_ms = 0 } }, 3, 100, { { 0 } },
          { { 100, 100000, 2, { { 1, 880 }, { 2, 900 } } },
            { 150, 200000, 2, { { 1, 1180 }, { 4, 1500 } } },
            { 0, 0, 1, { { 2, 2000 } } } } },
        { "speed 200 halves move times and holds",
          { { TO(SERVO(4, 1000)), .time_ms = 100, .hold_ms = 50 },
            { TO(SERVO(4, 1100)), .time_ms = 1, .hold_ms = 1 } }, 2, 200, { { 0 } },
          { { 50, 75000, 1, { { 4, 1000 } } }, { 1, 1500, 1, { { 4, 1100 } } } } },
        { "speed 50 doubles them",
          { { TO(SERVO(4, 1000)), .time_ms = 100, .hold_ms = 50 } }, 1, 50, { { 0 } },
          { { 200, 300000, 1, { { 4, 1000 } } } } },
        { "speed 300: 100 ms is 33 (33.3), a hold of 1000 is 333333 us",
          { { TO(SERVO(4, 1000)), .time_ms = 100, .hold_ms = 1000 },
            { TO(SERVO(4, 1000)), .time_ms = 101 } }, 2, 300, { { 0 } },
          { { 33, 33000 + 333333, 1, { { 4, 1000 } } }, { 34, 34000, 1, { { 4, 1000 } } } } },
        { "speed 1: 655 ms is 65500, within a frame's time, and holds an hour a hundred times",
          { { TO(SERVO(4, 1000)), .time_ms = 655, .hold_ms = SEQUENCE_HOLD_MAX } }, 1, 1,
          { { 0 } },
          { { 65500, 65500 * 1000ULL + SEQUENCE_HOLD_MAX * 100000ULL, 1, { { 4, 1000 } } } } },
        { "speed 50: 32767 ms is 65534, the longest step at that speed",
          { { TO(SERVO(4, 1000)), .time_ms = 32767 } }, 1, 50, { { 0 } },
          { { 65534, 65534000, 1, { { 4, 1000 } } } } },
        { "speed 1000 turns 4 ms into 0",
          { { TO(SERVO(4, 1000)), .time_ms = 4, .hold_ms = 9 } }, 1, 1000, { { 0 } },
          { { 0, 900, 1, { { 4, 1000 } } } } },
        { "max_speed: the first move of an unknown position is not raised; the next is, "
          "from the step before",
          { { TO(NAMED("wrist", 1000)), .time_ms = 100 },
            { TO(NAMED("wrist", 2000)), .time_ms = 100, .hold_ms = 20 },
            { TO(NAMED("wrist", 1900)), .time_ms = 500 } }, 3, 100, { { 0 } },
          { { 100, 100000, 1, { { 3, 1000 } } }, { 1000, 1020000, 1, { { 3, 2000 } } },
            { 500, 500000, 1, { { 3, 1900 } } } } },
        { "max_speed from the target already queued, through a pose, after speed scaling",
          { { .pose = "reach", .time_ms = 400 },
            { TO(SERVO(3, 1900), SERVO(4, 500)), .time_ms = 10 } }, 2, 200,
          { { .id = 3, .value = 1500 }, { 0 } },
          { { 500, 500000, 2, { { 3, 2000 }, { 1, 1480 } } },
            { 100, 100000, 2, { { 3, 1900 }, { 4, 500 } } } } },
        { "a servo left out of a step keeps the target it had for later steps",
          { { TO(NAMED("wrist", 600)), .time_ms = 0 }, { TO(SERVO(4, 700)), .time_ms = 10 },
            { TO(NAMED("wrist", 700)), .time_ms = 0 } }, 3, 100,
          { { .id = 3, .value = 600 }, { 0 } },
          { { 0, 0, 1, { { 3, 600 } } }, { 10, 10000, 1, { { 4, 700 } } },
            { 100, 100000, 1, { { 3, 700 } } } } },
};

START_TEST(test_plan_planned)
{
        const struct planned_case *c = &planned_cases[_i];
        struct model *m = model_check_new();
        struct sequence *seq = test_sequence(c->steps, c->n_steps);
        struct servos_plan plans[STEPS_MAX];
        struct servos s, before;
        struct fail f = { 0 };

        servos_init(&s, NULL, NULL);
        for (size_t k = 0; c->known[k].id; k++)
                servos_restore(&s, c->known[k].id, c->known[k].value, 0);
        before = s;
        ck_assert_msg(sequence_plan(seq, m, &s, c->speed, plans, &f) == 0, "%s: %s", c->what,
                      f.message);
        for (size_t i = 0; i < c->n_steps; i++) {
                const struct planned_step *w = &c->want[i];

                ck_assert_msg(plans[i].time_ms == w->time_ms, "%s: step %zu time %u", c->what, i,
                              plans[i].time_ms);
                ck_assert_msg(sequence_step_usec(seq, plans, c->speed, i) == w->usec,
                              "%s: step %zu lasts %llu us", c->what, i,
                              (unsigned long long) sequence_step_usec(seq, plans, c->speed, i));
                ck_assert_uint_eq(plans[i].n, w->n);
                for (size_t k = 0; k < w->n; k++) {
                        ck_assert_int_eq(plans[i].wire[k].id, w->wire[k].id);
                        ck_assert_int_eq(plans[i].wire[k].position, w->wire[k].position);
                        ck_assert(plans[i].mask & (UINT64_C(1) << w->wire[k].id));
                }
        }
        /* Planning only reads the servos' state. */
        ck_assert_ptr_eq(s.moves, before.moves);
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++) {
                const struct servo_state *a = &s.servo[id], *b = &before.servo[id];

                ck_assert(a->known == b->known && a->queued_known == b->queued_known &&
                          a->target == b->target && a->queued == b->queued &&
                          a->pending == b->pending && a->until == b->until);
        }
        sequence_free(seq);
        model_free(m);
}
END_TEST

/* ---- sequence_scaled_ms: round to nearest, past a frame's time too ---- */

static const struct {
        unsigned ms, speed;
        uint64_t want;
} scaled_cases[] = {
        { 0, 1, 0 },
        { 100, 100, 100 },
        { 1, 200, 1 },          /* 0.5 rounds up */
        { 1, 201, 0 },
        { 2, 300, 1 },          /* 0.67 */
        { 1000, 300, 333 },
        { 65535, SEQUENCE_SPEED_MAX, 6554 },
        { 65535, 99, 66197 },   /* 66197.0 */
        { 656, SEQUENCE_SPEED_MIN, 65600 },
        { 655, SEQUENCE_SPEED_MIN, 65500 },
};

START_TEST(test_scaled_ms)
{
        ck_assert_uint_eq(sequence_scaled_ms(scaled_cases[_i].ms, scaled_cases[_i].speed),
                          scaled_cases[_i].want);
}
END_TEST

START_TEST(test_free_null)
{
        ck_assert_ptr_null(sequence_free(NULL));
}
END_TEST

int main(void)
{
        Suite *s = suite_create("sequence");
        TCase *tc = tcase_create("sequence");

        tcase_add_loop_test(tc, test_plan_refused, 0, (int) ARRAY_SIZE(refused_cases));
        tcase_add_test(tc, test_plan_empty_home_refused);
        tcase_add_loop_test(tc, test_plan_planned, 0, (int) ARRAY_SIZE(planned_cases));
        tcase_add_loop_test(tc, test_scaled_ms, 0, (int) ARRAY_SIZE(scaled_cases));
        tcase_add_test(tc, test_free_null);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of recordings (daemon/robot/recorder.c): the moves kept (only
 * the recorded servos, at most RECORDER_MOVES_MAX, the rest counted), and
 * the sequence file written: one step per move, servos by name where the
 * model names them, holds from the gaps between moves (none when a gap is
 * shorter than the move's time). Every file written is read back with
 * sequence_parse() and planned against the same model: it plays the
 * recorded frames again, with the recorded times.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "recorder.h"
#include "sequence-yaml.h"
/* After fail.h: check.h defines fail() as a macro. */
#include "lscd-check.h"
#include "model-check.h"

#define MS 1000ULL
#define SEC 1000000ULL
#define T0 (5 * SEC)                    /* an arbitrary CLOCK_MONOTONIC time */
#define HEADER "Recorded by a test"
#define ALL_SERVOS (((UINT64_C(1) << (LSC_SERVO_ID_MAX + 1)) - 1) & ~UINT64_C(1))
#define BIT(id) (UINT64_C(1) << (id))
#define MOVES_MAX 4
#define TARGETS_MAX 3

/* A move that reached the wire: its servos (by id) and when. */
struct move_in {
        uint64_t sent;
        unsigned time_ms;
        size_t n;
        unsigned ids[TARGETS_MAX];
        int logical[TARGETS_MAX];
};

/* The plan lscd would have made for MV, through servos_plan(). */
static struct servos_plan plan_of(const struct model *m, const struct move_in *mv)
{
        struct servos_spec specs[TARGETS_MAX];
        struct servos_plan plan;
        struct servos s;
        struct fail f;

        servos_init(&s, NULL, NULL);
        for (size_t k = 0; k < mv->n; k++)
                specs[k] = (struct servos_spec) { .id = mv->ids[k], .value = mv->logical[k] };
        ck_assert_int_eq(servos_plan(&s, m, specs, mv->n, mv->time_ms, "servos", &plan, &f), 0);
        return plan;
}

struct yaml_case {
        const char *what;
        uint64_t servos;
        struct move_in moves[MOVES_MAX];
        size_t n_moves;
        const char *steps;              /* the file after "# HEADER\nsteps:\n" */
};

static const struct yaml_case yaml_cases[] = {
        { "one step per move, holds from the gaps, names where the model has them",
          ALL_SERVOS,
          { { T0, 100, 2, { 1, 7 }, { 900, 1500 } },
            { T0 + 350 * MS, 200, 1, { 2 }, { 1000 } },
            { T0 + 550 * MS, 0, 2, { 7, 1 }, { 700, 1000 } } }, 3,
          "  - {servos: {shoulder: 900, 7: 1500}, time_ms: 100, hold_ms: 250}\n"
          "  - {servos: {elbow: 1000}, time_ms: 200, hold_ms: 0}\n"
          "  - {servos: {7: 700, shoulder: 1000}, time_ms: 0, hold_ms: 0}\n" },
        { "a gap shorter than the move's time: no hold, the next step waits for the move",
          ALL_SERVOS,
          { { T0, 500, 1, { 4 }, { 600 } }, { T0 + 200 * MS, 100, 1, { 4 }, { 2400 } } }, 2,
          "  - {servos: {4: 600}, time_ms: 500, hold_ms: 0}\n"
          "  - {servos: {4: 2400}, time_ms: 100, hold_ms: 0}\n" },
        { "starts rounded to the ms from the first move's; two moves at the same time",
          ALL_SERVOS,
          { { T0, 100, 1, { 4 }, { 600 } }, { T0 + 250999, 0, 1, { 5 }, { 700 } },
            { T0 + 250999, 10, 1, { 6 }, { 800 } } }, 3,
          "  - {servos: {4: 600}, time_ms: 100, hold_ms: 151}\n"
          "  - {servos: {5: 700}, time_ms: 0, hold_ms: 0}\n"
          "  - {servos: {6: 800}, time_ms: 10, hold_ms: 0}\n" },
        { "only the recorded servos; a move of none of them is no step and no gap",
          BIT(1) | BIT(7),
          { { T0, 100, 3, { 1, 2, 7 }, { 900, 1000, 1100 } },
            { T0 + 100 * MS, 50, 1, { 2 }, { 1200 } },
            { T0 + 400 * MS, 100, 2, { 2, 7 }, { 1300, 700 } } }, 3,
          "  - {servos: {shoulder: 900, 7: 1100}, time_ms: 100, hold_ms: 300}\n"
          "  - {servos: {7: 700}, time_ms: 100, hold_ms: 0}\n" },
        { "a pause longer than the longest hold is held that long",
          ALL_SERVOS,
          { { T0, 100, 1, { 1 }, { 900 } },
            { T0 + 100 * MS + (SEQUENCE_HOLD_MAX + 1) * MS, 100, 1, { 1 }, { 1000 } } }, 2,
          "  - {servos: {shoulder: 900}, time_ms: 100, hold_ms: 3600000}\n"
          "  - {servos: {shoulder: 1000}, time_ms: 100, hold_ms: 0}\n" },
};

/* The file's text read back and planned against M replays the recorded
 * frames, REC's moves, with their times. */
static void check_replays(const char *what, const char *text, const struct recorder *rec,
                          const struct model *m)
{
        struct sequence *seq;
        struct servos_plan *plans;
        struct servos s;
        struct fail f;
        char *errors;

        ck_assert_msg(sequence_parse(text, strlen(text), "demo.yaml", "demo", &seq, &errors) == 0,
                      "%s: %s", what, errors);
        ck_assert_uint_eq(seq->n_steps, rec->n_moves);
        plans = calloc(seq->n_steps, sizeof(*plans));
        ck_assert_ptr_nonnull(plans);
        servos_init(&s, NULL, NULL);
        ck_assert_msg(sequence_plan(seq, m, &s, 100, plans, &f) == 0, "%s: %s", what, f.message);
        for (size_t i = 0; i < rec->n_moves; i++) {
                const struct recorder_move *mv = &rec->moves[i];

                ck_assert_uint_eq(plans[i].time_ms, i == 0 && rec->teach ?
                                  recorder_approach_ms(mv, m) : mv->time_ms);
                ck_assert_uint_eq(plans[i].n, mv->n);
                for (size_t k = 0; k < mv->n; k++) {
                        ck_assert_uint_eq(plans[i].ids[k], mv->ids[k]);
                        ck_assert_int_eq(plans[i].logical[k], mv->logical[k]);
                        ck_assert_int_eq(plans[i].wire[k].position,
                                         model_wire(&m->servos[mv->ids[k]], mv->logical[k]));
                }
        }
        free(plans);
        sequence_free(seq);
}

START_TEST(test_yaml)
{
        const struct yaml_case *c = &yaml_cases[_i];
        struct model *m = model_check_new();
        struct recorder *rec = recorder_new("demo", c->servos);
        char *text, *want;

        for (size_t i = 0; i < c->n_moves; i++) {
                struct servos_plan plan = plan_of(m, &c->moves[i]);

                recorder_add(rec, &plan, c->moves[i].sent);
        }
        ck_assert_uint_eq(rec->dropped, 0);
        text = recorder_yaml(rec, m, HEADER, SEQUENCE_FILE_MAX);
        ck_assert_int_gt(asprintf(&want, "# %s\nsteps:\n%s", HEADER, c->steps), 0);
        ck_assert_msg(strcmp(text, want) == 0, "%s: got\n%s\nwanted\n%s", c->what, text, want);
        check_replays(c->what, text, rec, m);
        free(want);
        free(text);
        recorder_free(rec);
        model_free(m);
}
END_TEST

struct drift_case {
        const char *what;
        size_t n;                       /* moves */
        unsigned time_ms;               /* each move's */
        uint64_t gap_us;                /* between two moves, at least */
        uint64_t jitter_us;             /* and up to this much more */
};

static const struct drift_case drift_cases[] = {
        { "37 ms gaps and a bit, the hostile report's", 100, 20, 37004, 0 },
        { "just under 37 ms", 100, 20, 36999, 0 },
        { "half a ms over", 1000, 20, 20500, 0 },
        { "a third of a ms over, as many as a file holds", RECORDER_MOVES_MAX, 10, 33333, 0 },
        { "jittered gaps of 37 to 38 ms", 1000, 20, 37000, 999 },
        { "moves as long as the gaps, and rounded gaps", 500, 50, 50400, 300 },
};

/* A recording with gaps of a fraction of a ms replays with every step
 * within 0.5 ms of its recorded start: no rounding adds up, and the whole
 * span is within 1 ms of the recording's. */
START_TEST(test_drift)
{
        const struct drift_case *c = &drift_cases[_i];
        struct model *m = model_check_new();
        struct recorder *rec = recorder_new("demo", BIT(4));
        struct move_in mv = { T0, c->time_ms, 1, { 4 }, { 500 } };
        struct servos_plan plan, *plans;
        struct sequence *seq;
        struct servos s;
        struct fail f;
        char *text, *errors;
        uint64_t start = 0;
        size_t n;

        for (size_t i = 0; i < c->n; i++) {
                mv.logical[0] = 500 + (int) (i % 2000);
                plan = plan_of(m, &mv);
                recorder_add(rec, &plan, mv.sent);
                mv.sent += c->gap_us + (c->jitter_us ? (i * 7919) % (c->jitter_us + 1) : 0);
        }
        text = recorder_yaml(rec, m, HEADER, SEQUENCE_FILE_MAX);
        n = rec->n_moves;               /* what the file holds */
        ck_assert_msg(sequence_parse(text, strlen(text), "demo.yaml", "demo", &seq, &errors) == 0,
                      "%s: %s", c->what, errors);
        ck_assert_uint_eq(seq->n_steps, n);
        plans = calloc(seq->n_steps, sizeof(*plans));
        ck_assert_ptr_nonnull(plans);
        servos_init(&s, NULL, NULL);
        ck_assert_msg(sequence_plan(seq, m, &s, 100, plans, &f) == 0, "%s: %s", c->what, f.message);
        for (size_t i = 0; i < n; i++) {
                uint64_t recorded = rec->moves[i].sent - T0;
                uint64_t off = start > recorded ? start - recorded : recorded - start;

                ck_assert_msg(off <= 500, "%s: step %zu starts at %llu us, recorded at %llu us",
                              c->what, i, (unsigned long long) start, (unsigned long long) recorded);
                start += sequence_step_usec(seq, plans, 100, i);
        }
        /* The last step's start is the replay's span: within 1 ms. */
        ck_assert_uint_le(start - sequence_step_usec(seq, plans, 100, n - 1),
                          rec->moves[n - 1].sent - T0 + 1000);
        ck_assert_uint_ge(start - sequence_step_usec(seq, plans, 100, n - 1) + 1000,
                          rec->moves[n - 1].sent - T0);
        free(plans);
        sequence_free(seq);
        free(text);
        recorder_free(rec);
        model_free(m);
}
END_TEST

/* The moves kept are exactly the recorded servos of each plan, in order. */
START_TEST(test_add_filters)
{
        struct model *m = model_check_new();
        struct recorder *rec = recorder_new("demo", BIT(2) | BIT(32));
        const struct move_in moves[] = {
                { T0, 20, 3, { 32, 1, 2 }, { 510, 900, 2000 } },
                { T0 + MS, 30, 2, { 1, 3 }, { 901, 1000 } },
                { T0 + 2 * MS, 40, 1, { 32 }, { 2500 } },
        };
        struct servos_plan plan;

        for (size_t i = 0; i < ARRAY_SIZE(moves); i++) {
                plan = plan_of(m, &moves[i]);
                recorder_add(rec, &plan, moves[i].sent);
        }
        ck_assert_str_eq(rec->name, "demo");
        ck_assert_uint_eq(rec->n_moves, 2);
        ck_assert_uint_eq(rec->dropped, 0);
        ck_assert_uint_eq(rec->moves[0].n, 2);
        ck_assert_uint_eq(rec->moves[0].ids[0], 32);
        ck_assert_int_eq(rec->moves[0].logical[0], 510);
        ck_assert_uint_eq(rec->moves[0].ids[1], 2);
        ck_assert_int_eq(rec->moves[0].logical[1], 2000);       /* logical, not wire (1000) */
        ck_assert_uint_eq(rec->moves[0].time_ms, 20);
        ck_assert_uint_eq(rec->moves[0].sent, T0);
        ck_assert_uint_eq(rec->moves[1].n, 1);
        ck_assert_uint_eq(rec->moves[1].ids[0], 32);
        ck_assert_uint_eq(rec->moves[1].sent, T0 + 2 * MS);
        recorder_free(rec);
        model_free(m);
}
END_TEST

/* At most RECORDER_MOVES_MAX moves, the later ones counted; a move of no
 * recorded servo past the cap is not counted. The file of a full recording
 * is a sequence lscd plays. */
START_TEST(test_cap)
{
        struct model *m = model_check_new();
        struct recorder *rec = recorder_new("demo", BIT(4));
        struct move_in mv = { T0, 10, 1, { 4 }, { 500 } };
        struct move_in other = { T0, 10, 1, { 5 }, { 500 } };
        struct servos_plan plan;
        char *text;

        for (size_t i = 0; i < RECORDER_MOVES_MAX + 5; i++) {
                mv.sent = T0 + i * 20 * MS;
                mv.logical[0] = 500 + (int) (i % 2000);
                plan = plan_of(m, &mv);
                recorder_add(rec, &plan, mv.sent);
                ck_assert_uint_eq(rec->n_moves, i < RECORDER_MOVES_MAX ? i + 1 : RECORDER_MOVES_MAX);
        }
        plan = plan_of(m, &other);
        recorder_add(rec, &plan, T0 + SEC);
        ck_assert_uint_eq(rec->n_moves, RECORDER_MOVES_MAX);
        ck_assert_uint_eq(rec->dropped, 5);
        ck_assert_uint_eq(rec->moves[RECORDER_MOVES_MAX - 1].sent,
                          T0 + (RECORDER_MOVES_MAX - 1) * 20 * MS);
        /* 10000 steps of one servo pass a file lscd reads: the file keeps
         * what fits, the rest are dropped too. */
        text = recorder_yaml(rec, m, HEADER, SEQUENCE_FILE_MAX);
        ck_assert_uint_le(strlen(text), SEQUENCE_FILE_MAX);
        ck_assert_uint_lt(rec->n_moves, RECORDER_MOVES_MAX);
        ck_assert_uint_gt(rec->n_moves, RECORDER_MOVES_MAX / 2);
        ck_assert_uint_eq(rec->dropped, 5 + RECORDER_MOVES_MAX - rec->n_moves);
        ck_assert_ptr_nonnull(strstr(text, "\n  - {servos: {4: 500}, time_ms: 10, hold_ms: 10}\n"));
        check_replays("a full recording", text, rec, m);
        free(text);
        recorder_free(rec);
        model_free(m);
}
END_TEST

/* A recording of three moves of servo 4, 20 ms apart. */
static struct recorder *three_moves(const struct model *m)
{
        struct recorder *rec = recorder_new("demo", BIT(4));
        struct move_in mv = { T0, 10, 1, { 4 }, { 500 } };
        struct servos_plan plan;

        for (size_t i = 0; i < 3; i++) {
                mv.sent = T0 + i * 20 * MS;
                plan = plan_of(m, &mv);
                recorder_add(rec, &plan, mv.sent);
        }
        return rec;
}

/* A file of at most MAX bytes keeps the steps that fit whole, each
 * boundary exactly: one byte less loses the last step. */
START_TEST(test_yaml_max)
{
        struct model *m = model_check_new();
        struct recorder *rec = three_moves(m);
        char *full = recorder_yaml(rec, m, HEADER, SIZE_MAX), *text;
        size_t len = strlen(full);

        recorder_free(rec);
        for (size_t max = len; max + 2 > len; max--) {
                rec = three_moves(m);
                text = recorder_yaml(rec, m, HEADER, max);
                ck_assert_uint_le(strlen(text), max);
                ck_assert_uint_eq(rec->n_moves, max == len ? 3 : 2);
                ck_assert_uint_eq(rec->dropped, max == len ? 0 : 1);
                ck_assert(strncmp(text, full, strlen(text)) == 0);
                free(text);
                recorder_free(rec);
        }
        free(full);
        model_free(m);
}
END_TEST

/* Teach mode: the period of reads leaves two thirds of the board's
 * direction free (recorder.c), at least 100 ms; a reading equal to the
 * last one kept is a hold, not a step. */
START_TEST(test_teach)
{
        struct model *m = model_check_new();
        struct recorder *rec = recorder_new("taught", BIT(1) | BIT(3));
        struct move_in rest = { T0, 100, 2, { 1, 3 }, { 900, 1500 } };
        struct move_in moved = { T0, 100, 2, { 1, 3 }, { 950, 1500 } };
        struct servos_plan plan;
        char *text;

        ck_assert_uint_eq(recorder_teach_period_ms(1), RECORDER_TEACH_PERIOD_MIN_MS);
        ck_assert_uint_eq(recorder_teach_period_ms(6), RECORDER_TEACH_PERIOD_MIN_MS);
        ck_assert_uint_eq(recorder_teach_period_ms(9), RECORDER_TEACH_PERIOD_MIN_MS);
        ck_assert_uint_eq(recorder_teach_period_ms(10), 110);  /* 35 bytes: 36.5 ms */
        ck_assert_uint_eq(recorder_teach_period_ms(32), 316);  /* 101 bytes: 105.2 ms */
        for (int i = 0; i < 3; i++) {
                plan = plan_of(m, &rest);
                recorder_sample(rec, &plan, T0 + (uint64_t) i * 100 * MS);
        }
        plan = plan_of(m, &moved);
        recorder_sample(rec, &plan, T0 + 300 * MS);
        recorder_sample(rec, &plan, T0 + 400 * MS);
        ck_assert_uint_eq(rec->n_moves, 2);
        text = recorder_yaml(rec, m, HEADER, SEQUENCE_FILE_MAX);
        /* The first step comes from anywhere: wrist's 500..2500 at its
         * max_speed of 1000 us/s, and the board's whole range in 2 s
         * (shoulder's 700..2300: 1.6 s); the hand's hold stays. */
        ck_assert_ptr_nonnull(strstr(text, "  - {servos: {shoulder: 900, wrist: 1500}, time_ms: 2000, "
                                           "hold_ms: 200}\n"));
        ck_assert_ptr_nonnull(strstr(text, "  - {servos: {shoulder: 950, wrist: 1500}, time_ms: 100, "
                                           "hold_ms: 0}\n"));
        ck_assert_uint_eq(recorder_approach_ms(&(struct recorder_move) { .time_ms = 100, .n = 1,
                                                                         .ids = { 1 } }, m), 1600);
        check_replays("a taught recording", text, rec, m);
        free(text);
        recorder_free(rec);
        model_free(m);
}
END_TEST

START_TEST(test_free_null)
{
        ck_assert_ptr_null(recorder_free(NULL));
}
END_TEST

int main(void)
{
        Suite *s = suite_create("recorder");
        TCase *tc = tcase_create("recorder");

        /* test_cap (a full recording) takes seconds under
         * sanitizers on a busy machine, past Check's default 4 s. */
        tcase_set_timeout(tc, 60);

        tcase_add_loop_test(tc, test_yaml, 0, (int) ARRAY_SIZE(yaml_cases));
        tcase_add_loop_test(tc, test_drift, 0, (int) ARRAY_SIZE(drift_cases));
        tcase_add_test(tc, test_add_filters);
        tcase_add_test(tc, test_cap);
        tcase_add_test(tc, test_yaml_max);
        tcase_add_test(tc, test_teach);
        tcase_add_test(tc, test_free_null);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

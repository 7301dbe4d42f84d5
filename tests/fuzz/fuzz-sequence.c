/* SPDX-License-Identifier: MIT */
/*
 * fuzz-sequence.c: fuzz target "sequence", sequence files (lscd-robot(5),
 * SEQUENCE FILES) and the inline steps of sequence.run, which lscd reads
 * as the same YAML: any bytes up to SEQUENCE_FILE_MAX through
 * sequence_parse() (libyaml, yamldoc.c, sequence-yaml.c), then every
 * accepted sequence through sequence_plan() against a robot model, as
 * sequence.run does before anything moves. The input is an allocation of
 * exactly its size with no NUL after it, as yamldoc_read() hands a file
 * over.
 *
 * Invariant: the input gives either
 *  - 0, a sequence and no error text, where sequence.h holds: the name
 *    given, no path, 1 to SEQUENCE_STEPS_MAX steps, each on a line of the
 *    input, with exactly one of a pose (a valid name) and 1 to
 *    LSC_MOVE_MAX_SERVOS targets, each an id within LSC_SERVO_ID_MIN..MAX
 *    without name or a valid name without id (names distinct in a step),
 *    an absolute position within LSC_POSITION_MIN..MAX; time_ms at most
 *    LSC_TIME_MAX, hold_ms at most SEQUENCE_HOLD_MAX. Planned at speed 100
 *    and at a speed the input's length chooses, it is valid at both or at
 *    neither. Valid: each step's plan has distinct servos within their
 *    limits, the pose's or the step's count of them, wire positions the
 *    model maps them to, a time from the scaled one up to LSC_TIME_MAX
 *    (max_speed only raises it), and encodes into a move frame; its
 *    duration (sequence_step_usec) is at least its move and within the
 *    longest move and hold. Invalid: a code a step can cause, a message,
 *    and the field "steps[I]..." of step I, the first invalid one: the
 *    steps before it plan;
 *  - or -EINVAL, no sequence, and an error text of 1 to
 *    YAMLDOC_ERRORS_MAX + 1 lines, each "sequence.yaml:N: MESSAGE" with N
 *    from 1 to the number of lines the input can have, plus one, except
 *    that line YAMLDOC_ERRORS_MAX + 1 may be "sequence.yaml: more errors
 *    not shown"; no line holds a control character, and the text is UTF-8
 *    (sequence.run sends its first line in JSON): fuzz-yamldoc.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-yamldoc.h"
#include "fuzz.h"
#include "model-yaml.h"
#include "sequence-yaml.h"

#define FUZZ_FILE "sequence.yaml"
#define FUZZ_NAME "fuzz"

/* The robot the sequences are planned against: names, limits, trim,
 * inversion, a speed limit, poses (the corpus uses them). */
static const char fuzz_robot[] =
        "servos:\n"
        "  shoulder: {id: 1, min: 700, max: 2300, trim: -20, max_speed: 1000}\n"
        "  elbow: {id: 2, min: 600, max: 2400, invert: true}\n"
        "  gripper: {id: 6, min: 1200, max: 2000}\n"
        "poses:\n"
        "  rest: {shoulder: 900, elbow: 2100}\n"
        "  open: {gripper: 2000, 7: 1500}\n";

static struct model *fuzz_model;

static const struct model *fuzz_model_get(void)
{
        char *errors = NULL;

        if (!fuzz_model &&
            model_parse(fuzz_robot, strlen(fuzz_robot), "robot.yaml", &profile_lsc, &fuzz_model, &errors) < 0)
                fuzz_fail(__FILE__, __LINE__, errors);
        return fuzz_model;
}

/* Nothing still allocated at exit: valgrind's replay (memcheck.sh) checks. */
__attribute__((destructor)) static void fuzz_model_free(void)
{
        fuzz_model = model_free(fuzz_model);
}

static void fuzz_check_name(const char *name, size_t size)
{
        fuzz_assert(memchr(name, '\0', size) != NULL);
        fuzz_assert(model_name_valid(name));
}

static void fuzz_check_step(const struct sequence_step *st, unsigned long lines)
{
        fuzz_assert(st->line >= 1 && st->line <= lines);
        fuzz_assert(st->time_ms <= LSC_TIME_MAX && st->hold_ms <= SEQUENCE_HOLD_MAX);
        fuzz_assert(memchr(st->pose, '\0', sizeof(st->pose)) != NULL);
        if (st->pose[0]) {
                fuzz_check_name(st->pose, sizeof(st->pose));
                fuzz_assert(st->n == 0);
                return;
        }
        fuzz_assert(st->n >= 1 && st->n <= LSC_MOVE_MAX_SERVOS);
        for (size_t k = 0; k < st->n; k++) {
                const struct servos_spec *t = &st->targets[k];

                fuzz_assert(!t->delta);
                fuzz_assert(t->value >= LSC_BUS_POSITION_MIN && t->value <= LSC_POSITION_MAX);
                fuzz_assert(memchr(t->name, '\0', sizeof(t->name)) != NULL);
                if (t->name[0] == '\0') {
                        fuzz_assert(t->id >= LSC_SERVO_ID_MIN && t->id <= LSC_SERVO_ID_MAX);
                        continue;
                }
                fuzz_assert(t->id == 0);
                fuzz_check_name(t->name, sizeof(t->name));
                for (size_t other = 0; other < k; other++)
                        fuzz_assert(strcmp(st->targets[other].name, t->name) != 0);
        }
}

/* Step I's plan at SPEED, against M. */
static void fuzz_check_plan(const struct sequence *seq, const struct servos_plan *plans,
                            size_t i, unsigned speed, const struct model *m)
{
        const struct sequence_step *st = &seq->steps[i];
        const struct servos_plan *p = &plans[i];
        const struct model_pose *pose = st->pose[0] ? model_pose(m, st->pose) : NULL;
        uint8_t frame[LSC_FRAME_MAX_SIZE];
        uint64_t mask = 0, usec;

        fuzz_assert(p->n == (pose ? pose->n : st->n));
        for (size_t k = 0; k < p->n; k++) {
                unsigned id = p->ids[k];

                fuzz_assert(id >= LSC_SERVO_ID_MIN && id <= LSC_SERVO_ID_MAX);
                fuzz_assert(!(mask & UINT64_C(1) << id));
                mask |= UINT64_C(1) << id;
                fuzz_assert(model_in_limits(&m->servos[id], p->logical[k]));
                fuzz_assert(p->wire[k].id == (int) id);
                fuzz_assert(p->wire[k].position == model_wire(&m->servos[id], p->logical[k]));
        }
        fuzz_assert(p->mask == mask);
        fuzz_assert(p->time_ms >= sequence_scaled_ms(st->time_ms, speed) &&
                    p->time_ms <= LSC_TIME_MAX);
        fuzz_assert(lsc_frame_encode_move(frame, sizeof(frame), p->time_ms, p->wire, p->n) > 0);
        usec = sequence_step_usec(seq, plans, speed, i);
        fuzz_assert(usec >= (uint64_t) p->time_ms * 1000);
        fuzz_assert(usec <= LSC_TIME_MAX * UINT64_C(1000) + SEQUENCE_HOLD_MAX * UINT64_C(100000) / speed);
}

/* The index I of a field "steps[I]...". */
static size_t fuzz_field_step(const char *field)
{
        size_t i = SIZE_MAX;
        int end = 0;

        fuzz_assert(sscanf(field, "steps[%zu]%n", &i, &end) == 1 && end > 0);
        fuzz_assert(field[end] == '\0' || field[end] == '.');
        return i;
}

/* Plan SEQ at SPEED: 0, or -EINVAL naming the first invalid step in *FIELD. */
static int fuzz_plan(struct sequence *seq, unsigned speed, char field[64])
{
        const struct model *m = fuzz_model_get();
        struct servos_plan *plans = calloc(seq->n_steps, sizeof(*plans));
        size_t n_steps = seq->n_steps, bad;
        struct servos s;
        struct fail f = { .code = 0 };
        int r;

        fuzz_assert(plans != NULL);
        servos_init(&s, NULL, NULL);
        r = sequence_plan(seq, m, &s, speed, plans, &f);
        field[0] = '\0';
        if (r == 0) {
                for (size_t i = 0; i < n_steps; i++)
                        fuzz_check_plan(seq, plans, i, speed, m);
        } else {
                fuzz_assert(r == -EINVAL);
                fuzz_assert(f.code == LSC_ERRCODE_UNKNOWN_POSE || f.code == LSC_ERRCODE_UNKNOWN_SERVO ||
                            f.code == LSC_ERRCODE_OUT_OF_LIMITS ||
                            f.code == LSC_ERRCODE_INVALID_ARGUMENT);
                fuzz_assert(memchr(f.message, '\0', sizeof(f.message)) && f.message[0] != '\0');
                memcpy(field, f.field, sizeof(f.field));
                bad = fuzz_field_step(field);
                fuzz_assert(bad < n_steps);
                seq->n_steps = bad;
                fuzz_assert(sequence_plan(seq, m, &s, speed, plans, &f) == 0);
                seq->n_steps = n_steps;
        }
        free(plans);
        return r;
}

static void fuzz_check_sequence(struct sequence *seq, size_t size, unsigned long lines)
{
        unsigned speed = SEQUENCE_SPEED_MIN + size % (SEQUENCE_SPEED_MAX - SEQUENCE_SPEED_MIN + 1);
        char field[64], other[64];
        int r;

        fuzz_assert(strcmp(seq->name, FUZZ_NAME) == 0 && seq->path == NULL);
        fuzz_assert(seq->n_steps >= 1 && seq->n_steps <= SEQUENCE_STEPS_MAX);
        for (size_t i = 0; i < seq->n_steps; i++)
                fuzz_check_step(&seq->steps[i], lines);
        r = fuzz_plan(seq, 100, field);
        if (fuzz_plan(seq, speed, other) != r || strcmp(field, other) != 0) {
                /* Only a step's time may pass at 100 % and not at a slower
                 * speed (past the 65535 ms a frame's move may take), at or
                 * before the step that fails at 100 %. */
                fuzz_assert(speed < 100 && strstr(other, ".time_ms") != NULL);
                fuzz_assert(!field[0] || fuzz_field_step(other) <= fuzz_field_step(field));
        }
}

static int fuzz_sequence(const uint8_t *data, size_t size)
{
        /* Not NULL: sequence_parse() sets both. */
        struct sequence *seq = (struct sequence *) 1;
        char *errors = (char *) 1;
        int r;

        if (size > SEQUENCE_FILE_MAX)
                return -1;              /* sequence_load() refuses it unread */
        r = sequence_parse((const char *) data, size, FUZZ_FILE, FUZZ_NAME, &seq, &errors);
        fuzz_assert(r == 0 || r == -EINVAL);
        fuzz_assert((seq != NULL) == (r == 0) && (errors != NULL) == (r != 0));
        if (r == 0)
                fuzz_check_sequence(seq, size, fuzz_yamldoc_lines(data, size));
        else
                fuzz_yamldoc_check_errors(errors, FUZZ_FILE, fuzz_yamldoc_lines(data, size));
        sequence_free(seq);
        free(errors);
        return 0;
}

FUZZ_TARGET(sequence, SEQUENCE_FILE_MAX, fuzz_sequence);

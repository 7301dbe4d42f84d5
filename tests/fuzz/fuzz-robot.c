/* SPDX-License-Identifier: MIT */
/*
 * fuzz-robot.c: fuzz target of the robot file (lscd-robot(5)): any bytes up
 * to MODEL_FILE_MAX as the file's text, through model_parse() (libyaml and
 * yamldoc.c, then the validation of model-yaml.c) into the model. The
 * input is an allocation of exactly its size with no NUL after it, as
 * yamldoc_read() hands over a file: AddressSanitizer sees a read past its
 * end in our code, valgrind (memcheck.sh) one inside libyaml.
 *
 * Invariant: inputs up to MODEL_FILE_MAX bytes give either
 *  - 0, a model and no error text, where every invariant of model.h holds:
 *    its board is lsc (the fallback, and "board: lsc") or bus ("board:
 *    bus"); each servo has min <= home <= max within the board's range
 *    (500..2500, or 0..1000), the wire positions of min, home and max
 *    within it too, trim within +-MODEL_TRIM_MAX,
 *    max_speed 0 or MODEL_SPEED_MIN..MODEL_SPEED_MAX (so that no move
 *    between its limits needs more than a frame's time), and either a
 *    valid name, a line in the file and model_servo_id() finding it, or
 *    no name and exactly the board's defaults; servo names are distinct; poses
 *    are at most MODEL_POSES_MAX and a built-in home, their names valid
 *    and distinct, exactly one "home", model_pose() finding each; each
 *    pose names 1 to 32 distinct servos (only the built-in
 *    home of a file that names none is empty) at positions within their
 *    limits, and plans (servos_plan_pose(), no target known) into a move
 *    frame that encodes; group names are valid, distinct and not "all",
 *    at most 255 of them, numbers 0..254, found by model_group(); the
 *    path is the file's;
 *  - or -EINVAL, no model, and an error text of 1 to YAMLDOC_ERRORS_MAX + 1
 *    lines, each "robot.yaml:N: MESSAGE" with N from 1 to the number of
 *    lines the input can have, plus one (libyaml's end of a file that does
 *    not end with a line break is on the next line), except that line
 *    YAMLDOC_ERRORS_MAX + 1 may be "robot.yaml: more errors not shown"; no
 *    MESSAGE holds a control character, and the text is UTF-8
 *    (config.reload sends it in JSON): fuzz_yamldoc_check_errors().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-yamldoc.h"
#include "fuzz.h"
#include "model-yaml.h"
#include "servos.h"

#define FUZZ_FILE "robot.yaml"

static void fuzz_check_name(const char *name, size_t size)
{
        fuzz_assert(memchr(name, '\0', size) != NULL);
        fuzz_assert(model_name_valid(name));
}

static void fuzz_check_servo(const struct model *m, unsigned id, unsigned long lines)
{
        const struct model_servo *s = &m->servos[id];
        const struct profile *p = m->profile;

        fuzz_assert(p == &profile_lsc || p == &profile_bus);
        fuzz_assert(s->wire_min == p->position_min && s->wire_max == p->position_max);
        fuzz_assert(p->position_min <= s->min && s->min <= s->home && s->home <= s->max &&
                    s->max <= p->position_max);
        /* model_wire() is monotonic: the positions between are on the wire too. */
        fuzz_assert(model_wire_valid(s, s->min) && model_wire_valid(s, s->home) &&
                    model_wire_valid(s, s->max));
        fuzz_assert(s->trim >= -MODEL_TRIM_MAX && s->trim <= MODEL_TRIM_MAX);
        fuzz_assert(s->max_speed == 0 ||
                    (s->max_speed >= MODEL_SPEED_MIN && s->max_speed <= MODEL_SPEED_MAX));
        fuzz_assert(model_min_time_ms(s, s->min, s->max) <= LSC_TIME_MAX);
        fuzz_assert(memchr(s->name, '\0', sizeof(s->name)) != NULL);
        if (s->name[0] == '\0') {
                fuzz_assert(s->min == p->position_min && s->max == p->position_max &&
                            s->home == (p->position_min + p->position_max) / 2 &&
                            s->trim == 0 && !s->invert &&
                            s->max_speed == 0 && s->line == 0);
                return;
        }
        fuzz_check_name(s->name, sizeof(s->name));
        fuzz_assert(s->line >= 1 && s->line <= lines);
        fuzz_assert(model_servo_id(m, s->name) == id);
        for (unsigned other = LSC_SERVO_ID_MIN; other < id; other++)
                fuzz_assert(strcmp(m->servos[other].name, s->name) != 0);
}

/* The frame lscd would send for the pose, with no target known. */
static void fuzz_check_pose_frame(const struct model *m, const struct model_pose *p)
{
        struct servos servos = { .moves = NULL };
        struct servos_plan plan;
        struct fail f;
        uint8_t frame[LSC_FRAME_MAX_SIZE];

        fuzz_assert(servos_plan_pose(&servos, m, p, 0, &plan, &f) == 0);
        fuzz_assert(plan.n == p->n && plan.time_ms == 0);
        fuzz_assert(servos_encode(&plan, frame, sizeof(frame)) > 0);
}

static void fuzz_check_pose(const struct model *m, size_t i)
{
        const struct model_pose *p = &m->poses[i];
        uint64_t ids = 0;

        fuzz_check_name(p->name, sizeof(p->name));
        fuzz_assert(model_pose(m, p->name) == p);
        for (size_t other = 0; other < i; other++)
                fuzz_assert(strcmp(m->poses[other].name, p->name) != 0);
        fuzz_assert(p->n <= LSC_MOVE_MAX_SERVOS);
        if (p->n == 0) {
                fuzz_assert(strcmp(p->name, "home") == 0 && model_n_named(m) == 0);
                return;
        }
        for (size_t t = 0; t < p->n; t++) {
                unsigned id = p->targets[t].id;

                fuzz_assert(id >= LSC_SERVO_ID_MIN && id <= LSC_SERVO_ID_MAX);
                fuzz_assert(!(ids & UINT64_C(1) << id));
                ids |= UINT64_C(1) << id;
                fuzz_assert(model_in_limits(&m->servos[id], p->targets[t].position));
        }
        fuzz_check_pose_frame(m, p);
}

static void fuzz_check_group(const struct model *m, size_t i)
{
        const struct model_group *g = &m->groups[i];

        fuzz_check_name(g->name, sizeof(g->name));
        fuzz_assert(strcmp(g->name, "all") != 0);
        fuzz_assert(g->number <= LSC_GROUP_MAX);
        fuzz_assert(model_group(m, g->name) == (int) g->number);
        for (size_t other = 0; other < i; other++)
                fuzz_assert(strcmp(m->groups[other].name, g->name) != 0);
}

static void fuzz_check_model(const struct model *m, unsigned long lines)
{
        size_t homes = 0;

        fuzz_assert(m->path && strcmp(m->path, FUZZ_FILE) == 0);
        fuzz_assert(m->servos[0].name[0] == '\0');
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                fuzz_check_servo(m, id, lines);
        for (size_t i = 0; i < m->n_poses; i++) {
                fuzz_check_pose(m, i);
                homes += strcmp(m->poses[i].name, "home") == 0;
        }
        fuzz_assert(homes == 1);
        fuzz_assert(m->n_poses <= MODEL_POSES_MAX + 1);
        fuzz_assert(m->n_groups <= LSC_GROUP_MAX + 1);
        for (size_t i = 0; i < m->n_groups; i++)
                fuzz_check_group(m, i);
}

static int fuzz_robot(const uint8_t *data, size_t size)
{
        /* Not NULL: model_parse() sets both. */
        struct model *m = (struct model *) 1;
        char *errors = (char *) 1;
        int r;

        if (size > MODEL_FILE_MAX)
                return -1;              /* model_load() refuses it unread */
        r = model_parse((const char *) data, size, FUZZ_FILE, &profile_lsc, &m, &errors);
        fuzz_assert(r == 0 || r == -EINVAL);
        fuzz_assert((m != NULL) == (r == 0) && (errors != NULL) == (r != 0));
        if (r == 0)
                fuzz_check_model(m, fuzz_yamldoc_lines(data, size));
        else
                fuzz_yamldoc_check_errors(errors, FUZZ_FILE, fuzz_yamldoc_lines(data, size));
        model_free(m);
        free(errors);
        return 0;
}

FUZZ_TARGET(robot, MODEL_FILE_MAX, fuzz_robot);

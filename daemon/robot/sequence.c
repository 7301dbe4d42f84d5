/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sequence.h"

struct sequence *sequence_free(struct sequence *s)
{
        if (!s)
                return NULL;
        free(s->steps);
        free(s->path);
        free(s);
        return NULL;
}

/* Step I's plan against M, moving from the targets in STATE. */
static int sequence_plan_step(const struct sequence_step *st, size_t i, const struct model *m,
                              const struct servos *state, unsigned speed,
                              struct servos_plan *plan, struct fail *f)
{
        uint64_t time_ms = sequence_scaled_ms(st->time_ms, speed);
        char field[48];
        int r;

        /* The board's move time ends there: a longer one would be cut. */
        if (time_ms > LSC_TIME_MAX) {
                snprintf(field, sizeof(field), "steps[%zu].time_ms", i);
                return fail(f, LSC_ERRCODE_INVALID_ARGUMENT, field, "step %zu: time_ms %u at "
                            "speed %u%% is %llu ms, past the %d ms a frame's move may take", i,
                            st->time_ms, speed, (unsigned long long) time_ms, LSC_TIME_MAX);
        }
        if (st->pose[0]) {
                const struct model_pose *pose = model_pose(m, st->pose);

                if (!pose || pose->n == 0) {
                        snprintf(field, sizeof(field), "steps[%zu].pose", i);
                        return fail(f, LSC_ERRCODE_UNKNOWN_POSE, field, "step %zu: no pose is "
                                    "named \"%s\"", i, st->pose);
                }
                r = servos_plan_pose(state, m, pose, (unsigned) time_ms, plan, f);
        } else {
                snprintf(field, sizeof(field), "steps[%zu].servos", i);
                r = servos_plan(state, m, st->targets, st->n, (unsigned) time_ms, field, plan, f);
        }
        /* servos_plan names the servo; the step's index goes in front. */
        if (r < 0 && st->pose[0]) {
                snprintf(field, sizeof(field), "steps[%zu]", i);
                strcpy(f->field, field);
        }
        return r;
}

int sequence_plan(const struct sequence *seq, const struct model *m, const struct servos *s,
                  unsigned speed, struct servos_plan *plans, struct fail *f)
{
        struct servos state = *s;
        int r;

        /* Planning reads only the targets; the moves stay the caller's. */
        state.moves = NULL;
        for (size_t i = 0; i < seq->n_steps; i++) {
                r = sequence_plan_step(&seq->steps[i], i, m, &state, speed, &plans[i], f);
                if (r < 0)
                        return r;
                for (size_t k = 0; k < plans[i].n; k++) {
                        struct servo_state *st = &state.servo[plans[i].ids[k]];

                        st->queued = plans[i].logical[k];
                        st->queued_known = true;
                }
        }
        return 0;
}

uint64_t sequence_scaled_ms(unsigned ms, unsigned speed)
{
        return ((uint64_t) ms * 100 + speed / 2) / speed;
}

uint64_t sequence_step_usec(const struct sequence *seq, const struct servos_plan *plans,
                            unsigned speed, size_t i)
{
        return (uint64_t) plans[i].time_ms * 1000 +
               (uint64_t) seq->steps[i].hold_ms * 1000 * 100 / speed;
}


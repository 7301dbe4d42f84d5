/* SPDX-License-Identifier: MIT */
/*
 * model-check.h: the robot model the tests of sequences and recordings
 * play against, built in memory (no robot file):
 *   shoulder (1): 700..2300, trim -20;
 *   elbow (2): 600..2400, inverted (wire = 3000 - logical);
 *   wrist (3): 500..2500, max_speed 1000 us/s (1 ms per unit);
 *   servos 4..32: unnamed, at the defaults;
 *   poses rest {shoulder: 900, elbow: 2100}, reach {wrist: 2000, shoulder: 1500},
 *   and the built-in home.
 * Include it after lscd-check.h.
 */
#ifndef LSCD_MODEL_CHECK_H
#define LSCD_MODEL_CHECK_H

#include <stdlib.h>

#include "model.h"

/* The wire range of a servo on an LSC board, as model_new() sets it. */
#define MODEL_CHECK_LSC .wire_min = LSC_POSITION_MIN, .wire_max = LSC_POSITION_MAX

static inline struct model *model_check_new(void)
{
        struct model *m = model_new(&profile_lsc);

        m->servos[1] = (struct model_servo) { .name = "shoulder", .min = 700, .max = 2300,
                                              .home = 1500, .trim = -20, .line = 2, MODEL_CHECK_LSC };
        m->servos[2] = (struct model_servo) { .name = "elbow", .min = 600, .max = 2400,
                                              .home = 1500, .invert = true, .line = 3, MODEL_CHECK_LSC };
        m->servos[3] = (struct model_servo) { .name = "wrist", .min = 500, .max = 2500,
                                              .home = 1500, .max_speed = 1000, .line = 4, MODEL_CHECK_LSC };
        m->n_poses = 2;
        m->poses = calloc(m->n_poses, sizeof(*m->poses));
        ck_assert_ptr_nonnull(m->poses);
        m->poses[0] = (struct model_pose) { .name = "rest", .n = 2,
                                            .targets = { { 1, 900 }, { 2, 2100 } } };
        m->poses[1] = (struct model_pose) { .name = "reach", .n = 2,
                                            .targets = { { 3, 2000 }, { 1, 1500 } } };
        model_add_home(m);
        return m;
}

#endif

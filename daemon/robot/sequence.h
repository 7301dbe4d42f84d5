/* SPDX-License-Identifier: MIT */
/*
 * sequence.h: timed motion played by lscd itself. A sequence is a list of
 * steps, each a pose (by name) or servo targets (by name or id) reached in
 * time_ms, then held for hold_ms. Files are YAML (sequence-yaml.c); a
 * request may carry the same steps inline (JSON is YAML).
 *
 * Pure: sequence_plan() checks every step against the robot model before
 * anything moves (limits, names, the wire range), and sequence_step_usec()
 * gives the schedule: each step starts a fixed time after the one before,
 * counted from the sequence's start, not from when a frame went out.
 */
#ifndef LSCD_SEQUENCE_H
#define LSCD_SEQUENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fail.h"
#include "model.h"
#include "servos.h"

#define SEQUENCE_STEPS_MAX 10000
#define SEQUENCE_HOLD_MAX 3600000       /* ms */
#define SEQUENCE_SPEED_MIN 1            /* percent */
#define SEQUENCE_SPEED_MAX 1000

/* Invariant: exactly one of pose (non-empty) and n > 0. */
struct sequence_step {
        char pose[MODEL_NAME_MAX + 1];
        size_t n;
        struct servos_spec targets[LSC_MOVE_MAX_SERVOS];        /* absolute positions */
        unsigned time_ms, hold_ms;
        unsigned line;                  /* in its file, for messages; 0 inline */
};

struct sequence {
        char name[MODEL_NAME_MAX + 1];  /* "" inline */
        size_t n_steps;
        struct sequence_step *steps;
        char *path;                     /* NULL inline */
};

struct sequence *sequence_free(struct sequence *s);

/* Every step's frame: PLANS[i] for step i (n_steps of them, allocated by
 * the caller), against the model M and the servos' state S (the targets
 * the first step moves from; later steps move from the one before, for
 * max_speed), with times scaled to SPEED percent and then raised to
 * respect max_speed. Fails, with field "steps[I]...", on the first
 * invalid step (steps[I].time_ms: its time at SPEED is past LSC_TIME_MAX). */
int sequence_plan(const struct sequence *seq, const struct model *m, const struct servos *s,
                  unsigned speed, struct servos_plan *plans, struct fail *f);

/* How long step I lasts, in usec: its planned move (PLANS, from
 * sequence_plan() at SPEED) and its hold at SPEED percent. Step I+1
 * starts this long after step I, so a late step never delays the next. */
uint64_t sequence_step_usec(const struct sequence *seq, const struct servos_plan *plans,
                            unsigned speed, size_t i);

/* The time of a step's move at SPEED, in ms, rounded: sequence_plan()
 * refuses a step where it is past LSC_TIME_MAX, a frame's longest move. */
uint64_t sequence_scaled_ms(unsigned ms, unsigned speed);

#endif

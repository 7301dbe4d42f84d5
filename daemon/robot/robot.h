/* SPDX-License-Identifier: MIT */
/*
 * robot.h: the robot model and the servos' state (servos.h) in lscd's event
 * loop: the model loaded from the robot file and reloaded on request, one
 * timer armed at the next predicted end of a move, and the state lscd keeps
 * across its own restarts (state.h). Every change of the servos' state goes
 * through here, so that the timer always follows it.
 */
#ifndef LSCD_ROBOT_H
#define LSCD_ROBOT_H

#include <stdint.h>
#include <systemd/sd-event.h>

#include "board.h"
#include "claims.h"
#include "model.h"
#include "recorder.h"
#include "servos.h"

struct robot;

struct robot_config {
        const char *path;               /* the robot file; NULL: none */
        const char *state_path;         /* where state survives restarts; NULL: nowhere */
        const struct profile *board;    /* --board: unless the robot file names its own */
};

/* Load the robot file (a missing one is no error: raw ids and default
 * limits) and the state a previous lscd left. Returns 0, -EINVAL when the
 * file has errors (logged, one per line), or another negative errno. */
int robot_new(struct robot **ret, sd_event *event, const struct robot_config *config,
              struct board *board, const struct servos_ops *servos_ops,
              const struct claims_ops *claims_ops, void *userdata);
/* lscd is stopping: save the state as it is, answer every wait
 * SERVOS_SHUTDOWN, and save nothing after. */
void robot_shutdown(struct robot *r);
/* Saves the state unless robot_shutdown() did. */
struct robot *robot_free(struct robot *r);

/* Read the file again. 0: the new model is in place; otherwise the old
 * one stays and *errors (free it) says why. When the new file names
 * another board, the recording that ran (teach mode too) is stopped and
 * handed back in *ENDED with the old model, whose names and limits it
 * has, in *ENDED_MODEL (free both; else both NULL). */
int robot_reload(struct robot *r, char **errors, struct recorder **ended,
                 struct model **ended_model);

const struct model *robot_model(const struct robot *r);
const char *robot_path(const struct robot *r);
/* CLOCK_REALTIME usec of the last successful load; 0: never. */
uint64_t robot_loaded(const struct robot *r);
const struct servos *robot_servos(const struct robot *r);

/* Wrappers of servos.h that keep the timer and the saved state in step. */
void robot_queued(struct robot *r, const struct servos_plan *plan);
void robot_dropped(struct robot *r, const struct servos_plan *plan);
void robot_written(struct robot *r, const struct servos_plan *plan, uint64_t sent,
                   const char *source, void *waiter);
void robot_forget(struct robot *r, enum servos_result result);
void robot_unloaded(struct robot *r, uint64_t mask);
/* A reading of servo ID (logical): its target, unless a move of lscd's
 * drives it or the reading is outside its limits. */
void robot_observe(struct robot *r, unsigned id, int position);
/* The board's state (speeds, the running group) changed: save it soon. */
void robot_touch(struct robot *r);

/* Start recording (taking REC over), or stop and hand the recording back
 * (NULL when none runs). */
void robot_record(struct robot *r, struct recorder *rec);
struct recorder *robot_record_stop(struct robot *r);
const struct recorder *robot_recording(const struct robot *r);
/* Keep REC (taken over, its text rendered), stopped, whose file could not
 * be written, in place of any kept before; hand it back (NULL: none). */
void robot_record_keep(struct robot *r, struct recorder *rec);
struct recorder *robot_record_kept(struct robot *r);
/* Teach mode, while the recording runs: FIRE(USERDATA) now and every
 * PERIOD_MS (a read of the servos' positions, each handed back through
 * robot_teach_sample()). 0 or a negative errno. */
int robot_teach(struct robot *r, unsigned period_ms, void (*fire)(void *userdata), void *userdata);
/* CLAMPED of PLAN's readings were past a limit and are at it. */
/* Teach mode's reads run (robot_teach() armed them). */
bool robot_teaching(const struct robot *r);
void robot_teach_sample(struct robot *r, const struct servos_plan *plan, size_t clamped);
/* Teach mode: a period passed with the previous read still outstanding. */
void robot_teach_skip(struct robot *r);

/* Wrappers of claims.h at the loop's time, keeping the claims' timer in
 * step; WAIT_USEC is relative (CLAIMS_NEVER: no timeout). */
const struct claims *robot_claims(const struct robot *r);
int robot_claim(struct robot *r, const struct claim *want, bool wait, uint64_t wait_usec,
                void *waiter, struct claim **ret);
void robot_renew(struct robot *r, uint64_t owner);
int robot_release(struct robot *r, uint64_t owner, uint64_t id);
void robot_owner_gone(struct robot *r, uint64_t owner);

#endif

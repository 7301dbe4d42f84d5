/* SPDX-License-Identifier: MIT */
/*
 * servos.h: what lscd knows of each servo, as a pure module (time comes in
 * as an argument): the logical target last written, the predicted end of
 * its move, and the moves in flight, whose end is published as
 * move.completed and answers the requests that wait for it.
 *
 * A move's predicted end is the moment its frame's last byte leaves the
 * wire plus its time_ms: the board interpolates from where the servo is to
 * the target over that time. A later move of any of its servos, or a group
 * start (groups move servos), preempts it; after a group start, a device
 * loss or a power cycle no target is known.
 *
 * Planning turns a request's servos (by id or name, absolute or relative)
 * into wire positions: limits, trim and inversion from the model, and
 * time_ms raised so that no servo outruns its max_speed. A relative
 * position, and the speed limit, start from the last target queued: two
 * pipelined "+100" make +200.
 */
#ifndef LSCD_SERVOS_H
#define LSCD_SERVOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fail.h"
#include "lsc/frame.h"
#include "model.h"

#define SERVOS_NEVER UINT64_MAX
#define SERVOS_DELTA_MAX (LSC_POSITION_MAX - LSC_POSITION_MIN)

enum servos_result {
        SERVOS_COMPLETED,       /* the predicted end passed */
        SERVOS_PREEMPTED,       /* a later move or unload of one of its servos, or a group */
        SERVOS_DEVICE_LOST,
        SERVOS_SHUTDOWN,
        SERVOS_CANCELLED,       /* a reload changed the board */
};

struct servos_ops {
        /* The wait of a move ends; WAITER as given to servos_written(). */
        void (*answer)(void *userdata, void *waiter, enum servos_result result);
        /* move.completed: the servos of MASK (bit N: id N) reached the
         * predicted end of a move from SOURCE. */
        void (*completed)(void *userdata, uint64_t mask, const char *source);
};

/* One servo of a request: by id (name "") or by name; a position or a
 * delta from the last target. */
struct servos_spec {
        unsigned id;
        char name[MODEL_NAME_MAX + 1];
        bool delta;
        int value;
};

/* A request resolved: the frame's servos and time, and the logical targets
 * it sets. Invariant: ids distinct, mask has exactly their bits, wire
 * positions within wire_min..wire_max (the board's). */
struct servos_plan {
        size_t n;
        uint64_t mask;
        int wire_min, wire_max;
        unsigned time_ms;               /* used: requested, or raised by max_speed */
        unsigned ids[LSC_MOVE_MAX_SERVOS];
        int logical[LSC_MOVE_MAX_SERVOS];
        struct lsc_servo wire[LSC_MOVE_MAX_SERVOS];
};

/* Invariant: known says target means something; queued is the target of
 * the last frame submitted for it (pending of them not yet written or
 * dropped), equal to target once pending is 0. */
struct servo_state {
        bool known, queued_known, commanded;
        int target, queued;
        uint64_t until;                 /* predicted end of its last move; 0: none */
        unsigned pending;
};

/* A move written whose predicted end has not passed. Invariant: mask is
 * not empty, and no two moves share a servo. */
struct servos_move {
        struct servos_move *next;
        uint64_t mask;
        uint64_t end;
        const char *source;             /* static: "move", "pose", ... */
        void *waiter;                   /* NULL: nobody waits */
};

struct servos {
        const struct servos_ops *ops;
        void *userdata;
        struct servo_state servo[LSC_SERVO_ID_MAX + 1];        /* by id; [0] unused */
        struct servos_move *moves;
};

void servos_init(struct servos *s, const struct servos_ops *ops, void *userdata);
/* Answer every wait SERVOS_SHUTDOWN and free the moves. */
void servos_done(struct servos *s);

/* Resolve N specs against the model M into PLAN, with TIME_MS requested.
 * FIELD names the request's array ("servos") in errors. Returns 0, or
 * -EINVAL with F: unknown_servo, out_of_limits, unknown_position,
 * invalid_argument (a servo twice). */
int servos_plan(const struct servos *s, const struct model *m, const struct servos_spec *specs,
                size_t n, unsigned time_ms, const char *field, struct servos_plan *plan,
                struct fail *f);
/* The same for a pose's targets. */
int servos_plan_pose(const struct servos *s, const struct model *m, const struct model_pose *pose,
                     unsigned time_ms, struct servos_plan *plan, struct fail *f);

/* The SERVO_MOVE frame of PLAN, in the board's positions: its size, or a
 * negative lsc_error (a bug: planning admits only valid plans). */
int servos_encode(const struct servos_plan *plan, uint8_t *buf, size_t size);

/* PLAN's frame was queued, or dropped before it was written. */
void servos_queued(struct servos *s, const struct servos_plan *plan);
void servos_dropped(struct servos *s, const struct servos_plan *plan);
/* PLAN's frame was written; its last byte leaves the wire at SENT. WAITER
 * (NULL: none) is answered when the move ends or is preempted. */
void servos_written(struct servos *s, const struct servos_plan *plan, uint64_t sent,
                    const char *source, void *waiter);
/* No target is known any more (a group started, the device was lost):
 * every move ends now, answering its wait RESULT. */
void servos_forget(struct servos *s, enum servos_result result);
/* The servos of MASK were unloaded (torque off, a bus board): their
 * targets are unknown, and their moves end (a wait: SERVOS_PREEMPTED). */
void servos_unloaded(struct servos *s, uint64_t mask);
/* Servo ID was read at POSITION (logical): it is its target unless a move
 * of it is queued or in flight. Returns whether it was taken. */
bool servos_observe(struct servos *s, unsigned id, int position);
/* A target remembered from before a restart. */
void servos_restore(struct servos *s, unsigned id, int target, uint64_t until);

/* When servos_expire() has something to do, or SERVOS_NEVER. */
uint64_t servos_deadline(const struct servos *s);
/* End the moves whose predicted end is at or before NOW. */
void servos_expire(struct servos *s, uint64_t now);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * board-state.h: what lscd knows of the board, as a pure state machine:
 * frames from the board and requests in, decisions out (answers for the
 * requests waiting on it, events to publish, frames of lscd's own to send).
 * No I/O, no clock reads, no event loop: time comes in as an argument and
 * the caller arms one timer at board_state_deadline().
 *
 * It knows the running group and who started it, the RUN frames written
 * and not yet echoed (to tell lscd's starts from the gamepad's, and for the
 * 1 s "not started" answer), the group.run requests waiting for completion,
 * the group speeds to re-apply after a reconnect, and the queries shared
 * by concurrent requests: the battery's, and a bus board's positions.
 */
#ifndef LSCD_BOARD_STATE_H
#define LSCD_BOARD_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsc/frame.h"
#include "lsc/protocol.h"
#include "profile.h"

/* The board echoes a RUN at once; a start not echoed within this did not
 * happen (group not downloaded, frame lost). */
#define BOARD_START_TIMEOUT_USEC 1000000
#define BOARD_NEVER UINT64_MAX

/* A request waiting on the board (a group.run with wait, a battery or a
 * positions reading), embedded in the requester's own record. The board
 * state links it until it answers it, exactly once, through
 * board_ops.answer. */
struct board_waiter {
        struct board_waiter *next;
        unsigned group;                 /* group.run: the group it waits for */
        uint64_t servos;                /* positions: bit N, servo N */
        bool fresh;                     /* positions: only a query sent after
                                           board_state_positions() will do */
};

enum board_result {
        BOARD_COMPLETED,        /* the group completed */
        BOARD_STOPPED,          /* a STOP ended it */
        BOARD_PREEMPTED,        /* another run began; value: its group */
        BOARD_NOT_STARTED,      /* no echo within BOARD_START_TIMEOUT_USEC */
        BOARD_MILLIVOLTS,       /* the battery reading; value: mV */
        BOARD_POSITIONS,        /* the positions were read: board_state.position */
        BOARD_TIMEOUT,          /* no reply to a query in time; value: the timeout in ms */
        BOARD_NOT_CONNECTED,    /* the query could not be queued */
        BOARD_QUEUE_FULL,       /* likewise */
        BOARD_DEVICE_LOST,
        BOARD_CHANGED,          /* positions: the board's kind changed (a reload) */
        BOARD_SHUTDOWN,
};

/* Who made lscd write a frame: a client's number and name, for the
 * events the frame causes ("by"). */
struct board_by {
        uint64_t client;
        char name[65];
};

/* What the board reported, for subscribers. */
struct board_event {
        enum lsc_event type;
        bool has_group;         /* group.started and group.stopped name the group
                                   when known */
        unsigned group, runs;
        bool from_lscd;         /* group.started: lscd wrote it */
        bool stop_written;      /* group.stopped: after a STOP lscd wrote ("reason") */
        unsigned millivolts;
        const struct lsc_frame *frame;  /* frame.unknown */
        const struct board_by *by;      /* group.started from lscd, group.stopped after a
                                           STOP lscd wrote; NULL: unknown, or lscd's own */
};

/* lscd's own frames: a battery or positions query, or a remembered speed. */
enum board_frame {
        BOARD_FRAME_BATTERY,
        BOARD_FRAME_POSITIONS,
        BOARD_FRAME_SPEED,
};

/* The decisions, called with the userdata given to board_state_init(). */
struct board_ops {
        void (*answer)(void *userdata, struct board_waiter *w, enum board_result result,
                       unsigned value);
        void (*event)(void *userdata, const struct board_event *event);
        /* Queue one frame of lscd's own; its fate comes back through
         * board_state_sent(). Returns 0, -ENOTCONN or -ENOBUFS. */
        int (*send)(void *userdata, enum board_frame kind, const uint8_t *frame, size_t size);
};

/* A RUN frame lscd wrote whose echo has not been seen yet. */
struct board_start {
        struct board_start *next;
        unsigned group, runs;
        uint64_t deadline;
        struct board_waiter *waiter;    /* group.run with wait, or NULL */
        bool has_by;
        struct board_by by;
        bool stop_after;                /* lscd wrote a STOP after it */
};

/* One query on the wire that every waiter linked shares: its reply, or
 * its timeout, answers them all. Invariant: waiters is non-empty exactly
 * while pending, and deadline is then set. */
struct board_query {
        struct board_waiter *waiters, *tail;    /* FIFO (list.h) */
        bool pending;
        uint64_t deadline;
};

/* Invariants: group/runs/from_lscd mean something only while running;
 * starts is oldest first, so deadlines ascend; completion holds waiters
 * whose start was echoed; positions asks for exactly positions_asked, and
 * positions_next holds the waiters who want a servo it does not ask for,
 * or are fresh and came while it was pending (never pending itself;
 * queried as one when positions is answered);
 * position[id] is the last reading of each servo of position_known;
 * speeds[g] == 0 means
 * "not set since the last all" (the board's percent is never 0); while
 * restoring, exactly one remembered speed frame is queued, at restore_next
 * (-1: the "all" speed). */
struct board_state {
        const struct board_ops *ops;
        void *userdata;
        const struct profile *profile;
        uint64_t battery_timeout_usec;  /* every query's */
        bool running, from_lscd;
        unsigned group, runs;
        struct board_start *starts, *starts_tail;               /* FIFOs (list.h) */
        struct board_waiter *completion, *completion_tail;
        struct board_query battery, positions, positions_next;
        uint64_t positions_asked;
        uint64_t position_known;
        int position[LSC_SERVO_ID_MAX + 1];                     /* wire units */
        bool speed_all_set;
        unsigned speed_all;
        unsigned speeds[LSC_GROUP_MAX + 1];
        bool restoring;
        int restore_next;
        uint64_t stop_until;            /* a STOP lscd wrote may be reported until then */
        bool has_stop_by;
        struct board_by stop_by;        /* who sent it */
};

void board_state_init(struct board_state *s, const struct board_ops *ops, void *userdata,
                      uint64_t battery_timeout_usec);
/* Answers every waiter BOARD_SHUTDOWN and frees the starts. */
void board_state_done(struct board_state *s);

/* A frame decoded from the board at NOW. */
void board_state_frame(struct board_state *s, const struct lsc_frame *frame, uint64_t now);

/* A RUN frame reached the wire at NOW: every wait still pending is
 * preempted, and W (NULL without wait) waits for this run. */
void board_state_run_written(struct board_state *s, struct board_waiter *w, unsigned group,
                             unsigned runs, const struct board_by *by, uint64_t now);
/* A STOP reached the wire at NOW, sent for BY (NULL: lscd's own): the
 * board's stop report names BY. */
void board_state_stop_written(struct board_state *s, const struct board_by *by, uint64_t now);
/* A group's speed was written, or set while the board is absent: remember
 * it for reconnects. GROUP LSC_GROUP_ALL resets every single speed. */
void board_state_speed(struct board_state *s, unsigned group, unsigned percent);
/* A group running when a previous lscd stopped (its saved state). */
void board_state_restore_group(struct board_state *s, unsigned group, unsigned runs,
                               bool from_lscd);
/* W waits for the battery reading; one query serves every waiter. */
void board_state_battery(struct board_state *s, struct board_waiter *w, uint64_t now);
/* W waits for the positions of the servos of w->servos (a bus board): it
 * shares the query on the wire when that asks for all of them and W is not
 * fresh, else the next one, which asks for what every waiter then wants. */
void board_state_positions(struct board_state *s, struct board_waiter *w, uint64_t now);
/* The board's kind (the robot model's): reports it does not send are
 * frame.unknown. A change from one kind to another forgets the readings
 * and answers every positions waiter BOARD_CHANGED. */
void board_state_profile(struct board_state *s, const struct profile *p);

/* The device is connected: re-apply the remembered speeds, one frame at a
 * time (each queued once the one before was written), so that lscd never
 * holds more than one of them in its own queue. */
void board_state_connected(struct board_state *s);
/* A frame of lscd's own was written (WRITTEN) or dropped. */
void board_state_sent(struct board_state *s, enum board_frame kind, bool written);
/* The device was lost (BOARD_DEVICE_LOST) or lscd is stopping
 * (BOARD_SHUTDOWN): answer every waiter with RESULT, forget the group. */
void board_state_abort(struct board_state *s, enum board_result result);

/* When board_state_expire() has something to do, or BOARD_NEVER. */
uint64_t board_state_deadline(const struct board_state *s);
/* Answer what is due at NOW: starts never echoed, a query's timeout. */
void board_state_expire(struct board_state *s, uint64_t now);

#endif

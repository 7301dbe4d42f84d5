/* SPDX-License-Identifier: MIT */
/*
 * player.h: sequences played by lscd (sequence.h) in its event loop. Each
 * run has one CLOCK_MONOTONIC timer, armed at its next step's scheduled
 * start, counted from the run's start (never from the previous frame, so
 * lateness never accumulates). At that moment the step's frame is queued
 * in the restore lane: ahead of every client's frame, behind STOPs, so it
 * starts on the wire as soon as the line is free.
 *
 * A run ends when its last step's move and hold are over (completed), or
 * when it is stopped (group.stop, halt, sequence.stop, its client's claim
 * expiring, its client going away with on_disconnect "drop"), preempted
 * (another run over one of its servos, another client's claim over them),
 * or the device is lost. No step frame of a run is handed to the serial
 * driver after it ended: its queued frame is dropped with it (one already
 * handed, past recall, still goes out).
 */
#ifndef LSCD_PLAYER_H
#define LSCD_PLAYER_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "board-state.h"
#include "sequence.h"
#include "wire.h"

struct player;
struct robot;

enum player_end {
        PLAYER_COMPLETED,
        PLAYER_STOPPED,         /* a STOP, halt, sequence.stop, an expired claim, or
                                   its client gone with on_disconnect "drop" */
        PLAYER_PREEMPTED,       /* another run, or another client's claim, over its servos */
        PLAYER_DEVICE_LOST,
        PLAYER_SHUTDOWN,
        PLAYER_CANCELLED,       /* a reload changed the board its plans were made for */
};

/* A run being played: what its answers and events need. */
struct player_run_info {
        uint64_t id;                    /* unique for the daemon's lifetime */
        const char *name;               /* the sequence's, "" inline */
        size_t n_steps;
        uint64_t loops;                 /* 0: forever */
        unsigned speed;
        uint64_t servos;                /* bit N: servo N moves in some step */
        const struct board_by *by;      /* who started it, NULL: lscd */
};

struct player_ops {
        void (*started)(void *userdata, const struct player_run_info *run);
        /* Step STEP of loop LOOP reached the wire. */
        void (*step)(void *userdata, const struct player_run_info *run, uint64_t loop,
                     size_t step);
        /* The run ended HOW (BY: who stopped it, or NULL); WAITER is the
         * request that waits for it, or NULL. */
        void (*ended)(void *userdata, const struct player_run_info *run, enum player_end how,
                      const struct board_by *by, void *waiter);
};

/* A run to start: SEQ and PLANS (from sequence_plan at SPEED, taken
 * over), owned by OWNER (its client number; 0: lscd) whose wire key is
 * WIRE_OWNER, starting at START (CLOCK_MONOTONIC usec), WAITER answered
 * at its end (NULL: none). */
struct player_start {
        struct sequence *seq;
        struct servos_plan *plans;
        unsigned speed;
        uint64_t loops;
        uint64_t owner;
        const void *wire_owner;
        const struct board_by *by;
        uint64_t start;
        void *waiter;
};

int player_new(struct player **ret, sd_event *event, struct wire *wire, struct robot *robot,
               const struct player_ops *ops, void *userdata);
/* Ends every run PLAYER_SHUTDOWN. */
struct player *player_free(struct player *p);

/* Start a run; runs over any of its servos are preempted. Returns its id. */
uint64_t player_start(struct player *p, const struct player_start *start);

/* End runs HOW, with BY as who ended them: run ID (0: every run), or
 * every run of OWNER. Return how many ended. */
size_t player_stop(struct player *p, uint64_t id, enum player_end how, const struct board_by *by);
size_t player_stop_owner(struct player *p, uint64_t owner, enum player_end how,
                         const struct board_by *by);
/* Runs of other owners than OWNER over SERVOS end PLAYER_PREEMPTED by BY
 * (a claim). */
size_t player_preempt(struct player *p, uint64_t owner, uint64_t servos,
                      const struct board_by *by);

/* Every run, for sequence.list and status. */
void player_each(const struct player *p, void (*fn)(const struct player_run_info *run, void *arg),
                 void *arg);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * realtime.h: lscd's real-time scheduling (--realtime, or a policy its
 * unit or chrt(1) gave it) and the memory lock that goes with it.
 */
#ifndef LSCD_REALTIME_H
#define LSCD_REALTIME_H

#include <stdbool.h>

enum realtime_lock {
        REALTIME_LOCK_NONE = 0,
        REALTIME_LOCK_CURRENT,  /* what was mapped at start (RLIMIT_MEMLOCK is finite) */
        REALTIME_LOCK_ALL,      /* that and every later allocation */
};

/* What lscd runs with. Invariant: priority and policy are 0, and lock
 * NONE, at normal priority. */
struct realtime {
        int policy;             /* SCHED_FIFO or SCHED_RR */
        int priority;
        enum realtime_lock lock;
};

/* Ask for SCHED_FIFO at PRIORITY (0: ask nothing). Returns 0, or a
 * negative errno after a warning that says why the kernel refused: lscd
 * then runs on at normal priority. */
int realtime_request(int priority);

/* Where lscd stands now; locks its memory once it is real-time, logging
 * how much (lscd stays real-time when that is refused). */
struct realtime realtime_settle(void);

/* "all", "current", "none"; "fifo", "rr": as status reports them. */
const char *realtime_lock_string(enum realtime_lock lock);
const char *realtime_policy_string(int policy);

#endif

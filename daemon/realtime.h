/* SPDX-License-Identifier: MIT */
/*
 * realtime.h: lscd's real-time scheduling (--realtime, or a policy its
 * unit or chrt(1) gave it) and the memory lock that goes with it.
 */
#ifndef LSCD_REALTIME_H
#define LSCD_REALTIME_H

#include <stdbool.h>

/* What lscd runs with. Invariant: memory_locked only when priority > 0. */
struct realtime {
        int priority;           /* SCHED_FIFO/RR priority, 0: not real-time */
        bool memory_locked;     /* mlockall() took */
};

/* Ask for SCHED_FIFO at PRIORITY (0: ask nothing). Returns 0, or a
 * negative errno after a warning that says why the kernel refused: lscd
 * then runs on at normal priority. */
int realtime_request(int priority);

/* Where lscd stands now; locks its memory once it is real-time, logging
 * when that is refused (lscd stays real-time). */
struct realtime realtime_settle(void);

#endif

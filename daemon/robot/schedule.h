/* SPDX-License-Identifier: MIT */
/*
 * schedule.h: requests started at a wall-clock time ("at"), at most an
 * hour ahead. Each waits on a CLOCK_REALTIME timer, so that several
 * machines whose clocks agree (NTP, PTP) act together. The guard against
 * clock steps: a second timer on CLOCK_MONOTONIC, due one second after the
 * time the request would be reached by the clock as it ran when it was
 * scheduled; whichever fires first runs it. A step forward past the time
 * runs it at once; a step back delays it by at most that second.
 */
#ifndef LSCD_SCHEDULE_H
#define LSCD_SCHEDULE_H

#include <stdint.h>
#include <systemd/sd-event.h>

#define SCHEDULE_AHEAD_MAX_USEC (3600ULL * 1000000)
#define SCHEDULE_GUARD_USEC 1000000ULL

struct schedule_item;

/* FIRE(USERDATA) runs once, at REALTIME (CLOCK_REALTIME usec); the item is
 * freed before. Returns NULL only when sd-event cannot arm a timer. */
struct schedule_item *schedule_add(sd_event *event, uint64_t realtime,
                                   void (*fire)(void *userdata), void *userdata);
/* Never fire: free the item. Accepts NULL; returns NULL. */
struct schedule_item *schedule_cancel(struct schedule_item *item);

#endif

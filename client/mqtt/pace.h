/* SPDX-License-Identifier: MIT */
/*
 * pace.h: lscd-mqtt's decisions in time: how often the status is read, how
 * long to wait before reconnecting, which connection failures to log.
 * Pure: time (usec of CLOCK_MONOTONIC) comes in as an argument.
 */
#ifndef LSCD_MQTT_PACE_H
#define LSCD_MQTT_PACE_H

#include <stdbool.h>
#include <stdint.h>

#define PACE_STATUS_USEC (1000 * 1000ULL)       /* at most one status read a second */
#define PACE_STABLE_USEC (10 * 1000 * 1000ULL)  /* up this long: the backoff starts over */
#define PACE_REASON_MAX 160

/* When to begin the next status read, for a read wanted at NOW when the
 * last one began at LAST (0: none yet): NOW, or LAST + PACE_STATUS_USEC. */
uint64_t pace_status_at(uint64_t last, uint64_t now);

/* A reconnection's backoff. Invariants: min <= delay <= max; up_at is when
 * the connection came up (0: it is not up). */
struct pace_backoff {
        uint64_t min, max, delay, up_at;
};

void pace_backoff_init(struct pace_backoff *b, uint64_t min, uint64_t max);
/* The connection is up at NOW. */
void pace_backoff_up(struct pace_backoff *b, uint64_t now);
/* The connection went down at NOW: the backoff starts over only if it was
 * up PACE_STABLE_USEC, so that a peer that drops every connection at once
 * is not hammered. */
void pace_backoff_down(struct pace_backoff *b, uint64_t now);
/* The wait before the next attempt; the one after it doubles, up to max. */
uint64_t pace_backoff_next(struct pace_backoff *b);

/* The last connection failure logged. */
struct pace_failure {
        char reason[PACE_REASON_MAX];
};

/* Whether the failure REASON is to be logged: the first, and then each
 * that differs from the one before; pace_failure_clear() once connected. */
bool pace_failure_new(struct pace_failure *f, const char *reason);
void pace_failure_clear(struct pace_failure *f);

#endif

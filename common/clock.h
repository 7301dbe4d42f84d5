/* SPDX-License-Identifier: MIT */
/* clock.h: the one clock helper of every program. */
#ifndef LSC_CLOCK_H
#define LSC_CLOCK_H

#include <stdint.h>
#include <time.h>

#define CLOCK_USEC_PER_SEC 1000000ULL

/* CLOCK_MONOTONIC or CLOCK_REALTIME, in microseconds. */
uint64_t clock_usec(clockid_t id);

/* CLOCK_MONOTONIC in milliseconds, for poll() deadlines. */
static inline int64_t clock_msec(void)
{
        return (int64_t) (clock_usec(CLOCK_MONOTONIC) / 1000);
}

#endif

/* SPDX-License-Identifier: MIT */
#include "clock.h"

uint64_t clock_usec(clockid_t id)
{
        struct timespec ts;

        clock_gettime(id, &ts);
        return (uint64_t) ts.tv_sec * CLOCK_USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

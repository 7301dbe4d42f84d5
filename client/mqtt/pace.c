/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "pace.h"

uint64_t pace_status_at(uint64_t last, uint64_t now)
{
        return last && now - last < PACE_STATUS_USEC ? last + PACE_STATUS_USEC : now;
}

void pace_backoff_init(struct pace_backoff *b, uint64_t min, uint64_t max)
{
        *b = (struct pace_backoff) { .min = min, .max = max, .delay = min };
}

void pace_backoff_up(struct pace_backoff *b, uint64_t now)
{
        b->up_at = now;
}

void pace_backoff_down(struct pace_backoff *b, uint64_t now)
{
        if (b->up_at && now - b->up_at >= PACE_STABLE_USEC)
                b->delay = b->min;
        b->up_at = 0;
}

uint64_t pace_backoff_next(struct pace_backoff *b)
{
        uint64_t delay = b->delay;

        b->delay = delay > b->max / 2 ? b->max : delay * 2;
        return delay;
}

bool pace_failure_new(struct pace_failure *f, const char *reason)
{
        char now[PACE_REASON_MAX];

        snprintf(now, sizeof(now), "%s", reason);
        if (strcmp(now, f->reason) == 0)
                return false;
        memcpy(f->reason, now, sizeof(now));
        return true;
}

void pace_failure_clear(struct pace_failure *f)
{
        f->reason[0] = '\0';
}

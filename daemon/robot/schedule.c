/* SPDX-License-Identifier: MIT */
#include <stdlib.h>

#include "clock.h"
#include "mem.h"
#include "schedule.h"

/* Invariant: both timers are armed until the item fires or is cancelled. */
struct schedule_item {
        sd_event_source *wall, *guard;
        void (*fire)(void *userdata);
        void *userdata;
};

static int schedule_on_time(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct schedule_item *item = userdata;
        void (*fire)(void *userdata) = item->fire;
        void *arg = item->userdata;

        schedule_cancel(item);
        fire(arg);
        return 0;
}

struct schedule_item *schedule_add(sd_event *event, uint64_t realtime,
                                   void (*fire)(void *userdata), void *userdata)
{
        struct schedule_item *item = mem_new0(struct schedule_item);
        uint64_t now = clock_usec(CLOCK_REALTIME), ahead = realtime > now ? realtime - now : 0;
        int r;

        item->fire = fire;
        item->userdata = userdata;
        r = sd_event_add_time(event, &item->wall, CLOCK_REALTIME, realtime, 1, schedule_on_time,
                              item);
        if (r >= 0)
                r = sd_event_add_time(event, &item->guard, CLOCK_MONOTONIC,
                                      clock_usec(CLOCK_MONOTONIC) + ahead + SCHEDULE_GUARD_USEC,
                                      1000, schedule_on_time, item);
        return r < 0 ? schedule_cancel(item) : item;
}

struct schedule_item *schedule_cancel(struct schedule_item *item)
{
        if (!item)
                return NULL;
        sd_event_source_disable_unref(item->wall);
        sd_event_source_disable_unref(item->guard);
        free(item);
        return NULL;
}

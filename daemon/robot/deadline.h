/* SPDX-License-Identifier: MIT */
/*
 * deadline.h: the one-shot timer of a pure state machine (board-state,
 * servos), armed at the state's next deadline or off when it has none.
 */
#ifndef LSCD_DEADLINE_H
#define LSCD_DEADLINE_H

#include <stdint.h>
#include <systemd/sd-event.h>

#define DEADLINE_NEVER UINT64_MAX

static inline void deadline_arm(sd_event_source *timer, uint64_t usec)
{
        if (usec == DEADLINE_NEVER) {
                sd_event_source_set_enabled(timer, SD_EVENT_OFF);
                return;
        }
        sd_event_source_set_time(timer, usec);
        sd_event_source_set_enabled(timer, SD_EVENT_ONESHOT);
}

#endif

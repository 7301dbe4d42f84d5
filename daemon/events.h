/* SPDX-License-Identifier: MIT */
/*
 * events.h: the events lscd publishes, subscription filters, and event
 * objects. A subscription is a bit mask over the event types, so prefixes
 * ("group.") are resolved once, when a client subscribes, and unsubscribing
 * a name from a prefix subscription just clears its bit.
 */
#ifndef LSCD_EVENTS_H
#define LSCD_EVENTS_H

#include <stdbool.h>
#include <cjson/cJSON.h>

enum event_type {
        EVENT_GROUP_STARTED,
        EVENT_GROUP_STOPPED,
        EVENT_GROUP_COMPLETED,
        EVENT_DEVICE_CONNECTED,
        EVENT_DEVICE_DISCONNECTED,
        EVENT_BATTERY,
        EVENT_FRAME_UNKNOWN,
        _EVENT_MAX,
};

#define EVENT_MASK(t)   (1u << (t))
#define EVENT_MASK_ALL  ((1u << _EVENT_MAX) - 1)

const char *event_name(enum event_type type);

/* The events a pattern selects: an exact name, or a prefix ending in "."
 * ("group.", "device."). 0 when it selects none (a typo, or "" alone). */
unsigned event_mask_from_pattern(const char *pattern);

/* A JSON array of the names in MASK, in enum order. */
cJSON *event_mask_to_json(unsigned mask);

/* A new event object {"event":NAME,"time":T}; the caller adds its fields.
 * NULL on allocation failure. */
cJSON *event_new(const char *name);

#endif

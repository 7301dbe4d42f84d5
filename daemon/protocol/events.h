/* SPDX-License-Identifier: MIT */
/*
 * events.h: event objects and subscriptions as JSON. The event types and
 * their names are the protocol's (<lsc/protocol.h>); a subscription is a
 * bit mask over them, so prefixes ("group.") are resolved once, when a
 * client subscribes, and unsubscribing a name from a prefix subscription
 * just clears its bit.
 */
#ifndef LSCD_EVENTS_H
#define LSCD_EVENTS_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "board-state.h"
#include "lsc/protocol.h"

/* A JSON array of the names in MASK, in enum order. */
cJSON *event_mask_to_json(unsigned mask);

/* A new event object {"event":NAME,"time":T}; the caller adds its fields. */
cJSON *event_new(const char *name);

/* "by":{"client":CLIENT,"name":NAME or null}: who caused EVENT. */
void event_add_by(cJSON *event, uint64_t client, const char *name);

/* The event object of what the board reported. */
cJSON *event_from_board(const struct board_event *e);

/* A JSON array of the servo ids in MASK (bit N: id N), ascending. */
cJSON *event_servo_ids(uint64_t mask);
/* move.completed {"servos":[ids],"source":SOURCE}. */
cJSON *event_move_completed(uint64_t mask, const char *source);

#endif

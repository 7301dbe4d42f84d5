/* SPDX-License-Identifier: MIT */
/*
 * payload.h: what lscd-mqtt makes of a message on a cmd topic, and the
 * answers it publishes (lscd-mqtt(8): REQUESTS, ANSWERS). Pure: bytes in,
 * a request for lscd or an error answer out; no I/O, no clock.
 */
#ifndef LSCD_MQTT_PAYLOAD_H
#define LSCD_MQTT_PAYLOAD_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "mqtt-config.h"

/* The bridge's own error code, beside lscd's (<lsc/protocol.h>): too many
 * requests of the network are waiting for lscd's answer. */
#define PAYLOAD_CODE_BUSY "busy"
/* The longest reply_to topic taken from a payload. */
#define PAYLOAD_TOPIC_MAX 1024

/* One message of a cmd topic. Invariant: exactly one of request and answer
 * is set. request is the object to send to lscd, without "id" and
 * "reply_to"; answer an error decided here (its "id" already set). id is
 * the caller's id (NULL: none), reply_to the payload's topic for the answer
 * (MQTT 3.1.1; NULL: none, or not a valid topic). All owned. */
struct payload {
        cJSON *request;
        cJSON *answer;
        cJSON *id;
        char *reply_to;
        const char *verb;               /* in request, while it lives */
};

/* Read DATA (LEN bytes, any bytes) as a request of the network. */
void payload_parse(const void *data, size_t len, const struct mqtt_config *c, struct payload *ret);
void payload_done(struct payload *p);
/* Whether P's request stops the robot (halt, group.stop): never refused
 * for being one too many. */
bool payload_stops(const struct payload *p);
/* {"ok":false,"error":{"code","message"[,"field"]}}; field may be NULL. */
cJSON *payload_error(const char *code, const char *field, const char *message);
/* The text to publish for RESPONSE (lscd's or payload_error()'s): its "id"
 * replaced by a copy of ID (removed when ID is NULL), then "robot": ROBOT. */
char *payload_answer(const cJSON *response, const cJSON *id, const char *robot);
/* The QoS of lscd's event NAME on lsc/ID/event/NAME: 1 for those a
 * client acts on (group.*, sequence.*, claim.*, move.completed), else 0. */
int payload_event_qos(const char *name);
/* Whether TOPIC may be published to: 1..PAYLOAD_TOPIC_MAX bytes of UTF-8
 * (checked by the caller's JSON scan), no wildcard, not "$...". */
bool payload_topic_valid(const char *topic);

#endif

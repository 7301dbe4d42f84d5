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
/* The longest answer topic (reply_to, response topic), in bytes and in
 * levels: a broker disconnects a client that publishes deeper than it
 * takes (Mosquitto: 200 levels). */
#define PAYLOAD_TOPIC_MAX 1024
#define PAYLOAD_TOPIC_LEVELS_MAX 32

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
/* Whether the bridge of robot C->id publishes answers to TOPIC: 1 to
 * PAYLOAD_TOPIC_MAX bytes and PAYLOAD_TOPIC_LEVELS_MAX levels of UTF-8
 * without control characters or non-characters, no wildcard, not "$...",
 * and not under the prefix (where it would fake a robot's events, status
 * or requests) unless under PREFIX/ID/reply. */
bool payload_topic_valid(const char *topic, const struct mqtt_config *c);
/* The error of an invalid answer topic FIELD ("reply_to", "response_topic"). */
cJSON *payload_topic_error(const char *field);
/* Whether CODE, an error answer's, may be otherwise on a retry: the
 * request did not run to an end (not_connected, busy, timeout, ...). */
bool payload_transient(const char *code);
/* The key a delivery of a request is remembered by (dedup.h): TOPIC, then
 * CORRELATION (LEN bytes) or else the caller's ID as JSON, then the whole
 * payload DATA (DATA_LEN bytes), each after its length. NULL when the
 * request has neither correlation data nor id, and for a stop
 * (payload_stops()), which always runs. */
void *payload_key(const struct payload *p, const char *topic, const void *correlation, size_t len,
                  const void *data, size_t data_len, size_t *ret_len);

#endif

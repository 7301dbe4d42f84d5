/* SPDX-License-Identifier: MIT */
/*
 * bridge.h: lscd-mqtt's manager. It owns the sd-event loop's sources for
 * the broker (broker.c) and for lscd (liblsc), and carries requests from
 * the cmd topics to lscd and answers back, events out, and the retained
 * online and status topics (lscd-mqtt(8)).
 */
#ifndef LSCD_MQTT_BRIDGE_H
#define LSCD_MQTT_BRIDGE_H

#include <systemd/sd-event.h>

#include "lsc/client.h"
#include "mqtt-config.h"

/* Requests sent to lscd and not answered yet, beyond which one is answered
 * busy: those waiting for their "at" and the others are counted apart, so
 * that scheduled ones do not lock out the others; all of them together
 * (their payloads, and BRIDGE_ID_BYTES each for the bridge's id) keep half
 * of liblsc's buffer for stops. A stop (payload_stops()) is never counted
 * nor refused, so that a full bridge still stops its robot. */
#define BRIDGE_IN_FLIGHT_MAX 64
#define BRIDGE_SCHEDULED_MAX 64
#define BRIDGE_IN_FLIGHT_BYTES (LSC_CLIENT_MAX_OUTPUT / 2)
#define BRIDGE_ID_BYTES 32

struct bridge;

int bridge_new(sd_event *event, const struct mqtt_config *c, struct bridge **ret);
/* Answers what is in flight "shutdown", publishes online false, leaves. */
struct bridge *bridge_free(struct bridge *b);

#endif

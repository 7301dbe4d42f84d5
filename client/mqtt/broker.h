/* SPDX-License-Identifier: MIT */
/*
 * broker.h: lscd-mqtt's connection to the MQTT broker (libmosquitto) in an
 * sd-event loop: connect, reconnect with backoff, the socket's events,
 * keepalive, publish. The bridge is called when a connection is up and for
 * each message.
 */
#ifndef LSCD_MQTT_BROKER_H
#define LSCD_MQTT_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <systemd/sd-event.h>

#include "mqtt-config.h"

struct broker_callbacks {
        void (*connected)(void *userdata);
        /* The SUBACK of broker_subscribe()'s MID: GRANTED, or refused. */
        void (*subscribed)(void *userdata, int mid, bool granted);
        void (*message)(void *userdata, const struct mosquitto_message *msg,
                        const mosquitto_property *props);
};

struct broker;

/* Whether the files the configuration names (password, TLS) can be used:
 * -EINVAL after logging why not. Run before broker_new(), and by
 * --check-config. */
int broker_check(const struct mqtt_config *c);
/* Set up the client (will on WILL_TOPIC: "false", retained) and start
 * connecting; negative errno when the settings cannot be applied. */
int broker_new(sd_event *event, const struct mqtt_config *c, const char *will_topic,
               const struct broker_callbacks *cb, void *userdata, struct broker **ret);
/* Publish "false" on WILL_TOPIC when connected, then disconnect. */
struct broker *broker_free(struct broker *b);
bool broker_connected(const struct broker *b);
/* Subscribe with QoS 1, and without retained messages; *RET_MID names
 * its SUBACK (callbacks' subscribed). */
int broker_subscribe(struct broker *b, const char *topic, int *ret_mid);
/* QoS 0 or 1; CORRELATION (LEN bytes) as the MQTT 5 property when not NULL. */
int broker_publish(struct broker *b, const char *topic, const char *payload, int qos, bool retain,
                   const void *correlation, size_t len);

#endif

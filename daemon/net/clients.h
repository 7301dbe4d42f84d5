/* SPDX-License-Identifier: MIT */
/*
 * clients.h: the registry of connected clients: admission (--max-clients),
 * the hello event, broadcast of events to subscribers, and the deferred
 * freeing of closed clients, outside every callback and broadcast.
 */
#ifndef LSCD_CLIENTS_H
#define LSCD_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <systemd/sd-event.h>

#include "call.h"
#include "cmd.h"

struct clients;

struct clients_config {
        unsigned max_clients;
        size_t max_output;      /* per client, see client.h */
};

/* ON_FREED (may be NULL) is called after closed clients were freed: room
 * for new ones. */
int clients_new(struct clients **ret, sd_event *event, const struct clients_config *config,
                struct cmd_context *ctx, void (*on_freed)(void *userdata), void *userdata);
struct clients *clients_free(struct clients *reg);

/* A new connection (takes FD): refused with a too_many_clients line when
 * full, else served and greeted with the hello event. */
void clients_add(struct clients *reg, int fd, bool observer);
/* Send EVENT to every subscriber of TYPE, serialised once. */
void clients_publish(struct clients *reg, enum lsc_event type, const cJSON *event);

/* Call FN for every connected client, in no particular order. */
void clients_each(struct clients *reg, void (*fn)(struct peer *p, void *arg), void *arg);
size_t clients_count(const struct clients *reg);
size_t clients_subscribers(const struct clients *reg);

/* At exit: write what is queued, USEC for all clients together. */
void clients_flush(struct clients *reg, uint64_t usec);

#endif

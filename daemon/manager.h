/* SPDX-License-Identifier: MIT */
/*
 * manager.h: the one owner of lscd's sd-event loop and of every source in
 * it: signals, the serial port's I/O source and decoder, the reopen timer
 * while disconnected, the listening socket (server), the clients, the wire
 * and the board. Connected and idle, nothing in it wakes up except
 * sd-event's own watchdog when WatchdogSec= is set.
 */
#ifndef LSCD_MANAGER_H
#define LSCD_MANAGER_H

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <systemd/sd-event.h>

#include "events.h"
#include "lsc/frame.h"
#include "options.h"
#include "wire.h"

struct board;
struct call;
struct client;
struct server;
struct serial;

struct manager_counters {
        uint64_t frames_in, bytes_in, bytes_discarded, requests, errors;
};

/* Invariants: port, port_io and wire's attachment exist together (the
 * device is connected) or not at all, and reopen_timer is enabled exactly
 * while disconnected and not shutting down; clients lists the live
 * clients (n_clients of them), dead those closed and not yet freed. */
struct manager {
        sd_event *event;
        const struct options *options;
        struct server *server;
        struct serial *port;
        char *last_path;                /* of the last port opened, for events */
        sd_event_source *port_io;
        sd_event_source *reopen_timer;
        sd_event_source *lost;          /* deferred disconnect after a write error */
        char lost_reason[128];
        int last_open_error;            /* logged once until it changes */
        struct lsc_decoder decoder;
        uint64_t discarded_before;      /* by decoders of earlier connections */
        struct wire *wire;
        struct board *board;
        struct client *clients, *dead;
        size_t n_clients;
        sd_event_source *gc;            /* frees dead clients */
        uint64_t next_client;
        uint64_t started_usec;          /* CLOCK_MONOTONIC */
        struct manager_counters counters;
        bool shutting_down;
};

int manager_new(struct manager **ret, const struct options *options);
struct manager *manager_free(struct manager *m);
/* Open the device (absent is fine, busy is fatal), listen, notify READY=1
 * and run until SIGTERM/SIGINT. Returns 0 or a negative errno. */
int manager_run(struct manager *m);

/* {"path","connected","baud","usb"} as in the hello event. */
cJSON *manager_device_json(const struct manager *m);

/* Queue CALL's frame; failures to queue answer the call at once. */
void manager_submit(struct manager *m, struct call *call, const uint8_t *frame, size_t size,
                    enum wire_lane lane, unsigned flags);
/* Queue a frame of lscd's own (no call); DONE gets the result. */
int manager_submit_own(struct manager *m, const uint8_t *frame, size_t size,
                       wire_done_fn done, void *userdata);

/* Send EVENT (consumed) to every subscriber of TYPE, serialised once. */
void manager_publish(struct manager *m, enum event_type type, cJSON *event);

/* A new client connection (takes FD). */
void manager_add_client(struct manager *m, int fd);
/* Move a closed client to the dead list; it is freed from a deferred source. */
void manager_client_closed(struct manager *m, struct client *c);
/* Handle one request line of client C. */
void manager_request(struct manager *m, struct client *c, const char *line, size_t len);

#endif

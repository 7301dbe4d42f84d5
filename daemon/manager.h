/* SPDX-License-Identifier: MIT */
/*
 * manager.h: the one owner of lscd's sd-event loop and of every source in
 * it: signals, the serial port's I/O source and decoder, the reopen timer
 * while disconnected, the decoder's idle timer, the listening socket
 * (server), the clients, the wire and the board. It creates the layers and
 * wires them together: the verbs' context, the callbacks between server,
 * clients and board. None of them calls back into it, and none sees it.
 * Connected and idle, nothing in it wakes up except sd-event's own
 * watchdog when WatchdogSec= is set.
 */
#ifndef LSCD_MANAGER_H
#define LSCD_MANAGER_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "cmd.h"
#include "device.h"
#include "lsc/frame.h"
#include "options.h"
#include "realtime.h"

struct board;
struct clients;
struct robot;
struct player;
struct server;
struct serial;
struct wire;

/* Invariants: port, port_io and the wire's attachment exist together (the
 * device is connected) or not at all; reopen_timer is enabled exactly
 * while disconnected and not shutting down; wire, board and clients live
 * from manager_new() to manager_free() (at SIGTERM the wire is shut down,
 * not freed). */
struct manager {
        sd_event *event;
        const struct options *options;
        struct cmd_context ctx;
        struct server *server;
        struct server *observe_server;  /* NULL without --observe-socket */
        struct clients *clients;
        struct wire *wire;
        struct board *board;
        struct robot *robot;
        struct player *player;
        struct device device;           /* what --device asks for, and auto's memory */
        struct serial *port;
        char *last_path;                /* of the last port opened, for events */
        sd_event_source *port_io;
        sd_event_source *reopen_timer;
        sd_event_source *idle_timer;    /* enabled while the decoder holds part of a frame */
        sd_event_source *lost;          /* deferred disconnect after a write error */
        char lost_reason[128];
        char *last_open_error;          /* logged once, until it changes or a port opens */
        struct lsc_decoder decoder;
        uint64_t discarded_before;      /* by decoders of earlier connections */
        uint64_t frames_in, bytes_in;
        uint64_t started_usec;          /* CLOCK_MONOTONIC */
        struct realtime realtime;       /* what lscd runs with */
        bool shutting_down;
};

int manager_new(struct manager **ret, const struct options *options,
                const struct realtime *realtime);
struct manager *manager_free(struct manager *m);
/* Open the device (absent is fine, busy is fatal), listen, notify READY=1
 * and run until SIGTERM/SIGINT. Returns 0 or a negative errno. */
int manager_run(struct manager *m);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * client.h: one connected client: its input split into request lines, its
 * bounded output queue, its subscription and its unanswered calls.
 *
 * Output is written directly while nothing waits; only the rest is queued,
 * and EPOLLOUT is watched only while the queue is not empty. A client whose
 * queue would exceed max_output is closed (logged once).
 *
 * A client is never freed where it could still be in use: client_close()
 * only marks it dead and hands it to the manager, which frees it from a
 * deferred event source, outside every callback and broadcast.
 */
#ifndef LSCD_CLIENT_H
#define LSCD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <systemd/sd-event.h>

#include "linebuf.h"
#include "outbuf.h"

struct manager;
struct call;

/* One piece of queued output: a reference to a shared line, of which the
 * bytes before offset are already written. */
struct client_out {
        struct client_out *next;
        struct outbuf *buf;
        size_t offset;
};

/* Invariants: out_bytes is the sum of the unwritten bytes on the out list
 * and is <= max_output, and 0 once output_lost; EPOLLOUT is watched iff
 * out_bytes > 0; a dead client
 * reads and writes nothing more and is on the manager's dead list; calls
 * lists exactly the unanswered calls whose client is this one. */
struct client {
        struct manager *manager;
        uint64_t number;                /* unique for the daemon's lifetime */
        int fd;
        sd_event_source *io;
        struct linebuf in;
        struct client_out *out, **out_tail;
        size_t out_bytes, max_output;
        unsigned events;                /* subscription: event mask */
        bool input_closed;              /* EOF read, or line too long */
        bool line_too_long;             /* why input_closed, for the log */
        bool output_lost;               /* the peer stopped reading: answers dropped */
        bool dead;
        struct call *calls;
        size_t n_calls;
        struct client *prev, *next;     /* the manager's live or dead list */
};

int client_new(struct client **ret, struct manager *m, int fd, uint64_t number);
/* Closes the socket and detaches every unanswered call. */
struct client *client_free(struct client *c);

/* Queue one line for the client (written at once if possible); the client
 * takes its own reference to LINE. */
void client_send(struct client *c, struct outbuf *line);
void client_send_json(struct client *c, const cJSON *object);

/* The key that keeps this client's frames apart in the wire queue: its
 * number, not its address, which a later client could reuse. */
const void *client_owner(const struct client *c);

void client_add_call(struct client *c, struct call *call);
void client_remove_call(struct client *c, struct call *call);

/* At shutdown: write what is queued for CLIENTS and those after it in
 * the list, waiting for their sockets USEC in all, however many. */
void client_flush_all_final(struct client *clients, uint64_t usec);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * client.h: one connected client: its input split into request lines, its
 * bounded output queue, and its peer (subscription and unanswered calls).
 *
 * Output is written directly while nothing waits; only the rest is queued,
 * and EPOLLOUT is watched only while the queue is not empty. Backpressure,
 * not disconnection: while more than max_output / 2 bytes wait, the client's
 * request lines are left unread (so its answers stop growing), and taken
 * again once the queue is below max_output / 4. Answers are never dropped.
 * An event that would take the queue past max_output is dropped and
 * counted; once the queue is below max_output / 4 the client gets one
 * {"event":"events.lost","count":N}.
 *
 * A client is never freed where it could still be in use: client_close()
 * only marks it dead and reports it to its owner (on_closed), which frees
 * it later from outside every callback and broadcast.
 */
#ifndef LSCD_CLIENT_H
#define LSCD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <systemd/sd-event.h>

#include "call.h"
#include "cmd.h"
#include "linebuf.h"
#include "outbuf.h"

struct client;

typedef void (*client_closed_fn)(void *userdata, struct client *c);

/* One piece of queued output: a reference to a shared line, of which the
 * bytes before offset are already written. */
struct client_out {
        struct client_out *next;
        struct outbuf *buf;
        size_t offset;
};

/* Invariants: out_bytes is the sum of the unwritten bytes on the out list,
 * and 0 once output_lost; EPOLLOUT is watched iff out_bytes > 0; EPOLLIN iff
 * neither input_closed nor paused nor dead; paused only while out_bytes >
 * max_output / 4; a dead client reads and writes nothing more and has been
 * reported to on_closed once. */
struct client {
        struct peer peer;
        struct cmd_context *ctx;
        client_closed_fn on_closed;
        void *owner;
        int fd;
        sd_event_source *io;
        struct linebuf in;
        struct client_out *out, *out_tail;      /* FIFO */
        size_t out_bytes, max_output;
        uint64_t events_lost;           /* since the last events.lost */
        bool paused;                    /* too much output waits: lines left unread */
        bool input_closed;              /* EOF read, or line too long */
        bool line_too_long;             /* why input_closed, for the log */
        bool output_lost;               /* the peer stopped reading: answers dropped */
        bool dead;
        struct client *prev, *next;     /* the owner's live or dead list */
};

/* Takes FD (closed on failure too). */
/* OBSERVER: from the observe socket, reading requests only. */
int client_new(struct client **ret, sd_event *event, int fd, uint64_t number, bool observer,
               size_t max_output, struct cmd_context *ctx, client_closed_fn on_closed, void *owner);
/* Closes the socket and detaches every unanswered call. */
struct client *client_free(struct client *c);

/* Queue one answer for the client (written at once if possible); the
 * client takes its own reference to LINE. */
void client_send(struct client *c, struct outbuf *line);
void client_send_json(struct client *c, const cJSON *object);
/* Queue one event, or drop and count it when the queue is full. */
void client_send_event(struct client *c, struct outbuf *line);

/* At shutdown: write what is queued for CLIENTS and those after it in
 * the list, waiting for their sockets USEC in all, however many. */
void client_flush_all_final(struct client *clients, uint64_t usec);

#endif

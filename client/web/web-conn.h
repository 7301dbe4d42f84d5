/* SPDX-License-Identifier: MIT */
/*
 * web-conn.h: what lscd-web watches of each HTTP connection besides
 * libmicrohttpd: the client's hang-up, and the deadline for a complete
 * request (--read-timeout).
 *
 * libmicrohttpd's epoll is edge-triggered and misses a hang-up that comes
 * with the last bytes it read (a client that sends part of a request and
 * closes): the connection would hold its place until --idle-timeout. It
 * does not watch a suspended connection either (a request waiting for
 * lscd, an event stream waiting for events). So each connection's fd is
 * also an sd-event io source for EPOLLRDHUP: a hang-up while the request
 * is read shuts the socket down, which libmicrohttpd sees and closes; a
 * request that waits for lscd is answered at once (its place among the
 * waiting freed); an event stream ends.
 */
#ifndef LSCD_WEB_CONN_H
#define LSCD_WEB_CONN_H

#include <stdbool.h>
#include <microhttpd.h>

#include "web.h"

struct web_call;
struct web_link;

/* Invariants: reading is true from the accept, or from the previous
 * answer's end, until the request is read, and exactly then deadline runs;
 * call is the call waiting (suspended) for lscd, stream the event stream
 * the connection carries, each NULL when none. */
struct web_conn {
        struct web *web;
        struct MHD_Connection *conn;
        int fd;
        sd_event_source *hangup, *deadline;
        bool reading;
        struct web_call *call;
        struct web_link *stream;
};

/* libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION: a connection starts or
 * closes. */
void web_conn_notify(void *userdata, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode code);
/* CONN's web_conn, or NULL once it closed. */
struct web_conn *web_conn_of(struct MHD_Connection *conn);
/* The request is read: its deadline stops. */
void web_conn_read(struct web_conn *c);
/* Its answer is done: the next request's deadline starts. */
void web_conn_next(struct web_conn *c);

#endif

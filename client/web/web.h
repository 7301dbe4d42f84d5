/* SPDX-License-Identifier: MIT */
/*
 * web.h: lscd-web's manager, which owns the sd-event loop, the HTTP server
 * (libmicrohttpd, polled from that loop through its epoll fd), the
 * connections to lscd and the logins.
 *
 * One thread. libmicrohttpd runs with MHD_USE_EPOLL and no thread of its
 * own: its epoll fd is an sd-event io source, its timeout an sd-event timer,
 * and MHD_run() is called after every dispatch (a post source). liblsc's
 * clients are not thread-safe, and this way every callback (HTTP, lscd's
 * answers, events) runs in the loop and none needs a lock. A request that
 * waits for lscd is suspended (MHD_suspend_connection()) and resumed by its
 * answer.
 */
#ifndef LSCD_WEB_H
#define LSCD_WEB_H

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "web-auth.h"
#include "web-listen.h"

/* Limits, documented in lscd-web(8). */
/* One address (a page: its stream, its WEB_MAX_WAITING requests that
 * wait, and still a STOP; a few tabs and scripts, a NAT) may hold 32; it
 * takes 8 addresses to fill the 256. */
#define WEB_MAX_CONNECTIONS 256
#define WEB_MAX_CONNECTIONS_PER_IP 32
#define WEB_MAX_STREAMS 8
#define WEB_MAX_WAITING 16      /* requests waiting for lscd; halt and group.stop aside */
#define WEB_IDLE_TIMEOUT_S 30   /* the default of --idle-timeout */
#define WEB_REQUEST_TIMEOUT_S 60        /* the default of --request-timeout */
#define WEB_READ_TIMEOUT_S 10   /* the default of --read-timeout */
#define WEB_KEEPALIVE_USEC (15ULL * 1000000)
#define WEB_STREAM_BUFFER_MAX (256 * 1024)
#define WEB_TOKEN_MAX 256

struct MHD_Connection;
struct MHD_Daemon;
struct web_link;

struct web_options {
        struct web_listen listen;
        const char *listen_text;
        const char *socket;      /* lscd's; NULL: liblsc's default */
        const char *www;         /* the page's directory */
        const char *name;        /* said in hello */
        unsigned idle_timeout_s;
        unsigned request_timeout_s;     /* the longest a request waits for lscd */
        unsigned read_timeout_s;        /* the longest a request takes to arrive */
        char token[WEB_TOKEN_MAX + 1];   /* empty: no login */
};

/* Invariants: shared is NULL or a working link for requests without a
 * session; streams lists the links of GET /api/events, n_streams long,
 * at most WEB_MAX_STREAMS; n_waiting counts the calls whose connection is
 * suspended, at most WEB_MAX_WAITING but for stops; once stopping, no
 * connection is suspended again; www_fd is open on the page's directory. */
struct web {
        sd_event *event;
        struct MHD_Daemon *mhd;
        sd_event_source *mhd_io, *mhd_timer, *after, *keepalive;
        struct web_options opt;
        int www_fd;
        struct web_link *shared;
        struct web_link *streams;
        unsigned n_streams;
        unsigned n_waiting;
        bool stopping;
        bool resumed;           /* a connection resumed since MHD_run() began */
        struct web_auth_logins logins;
        struct web_auth_throttle failures;
};

int web_new(const struct web_options *opt, struct web **ret);
struct web *web_free(struct web *w);
int web_run(struct web *w);

/* Resume CONN and have MHD_run() called again at once: a connection
 * resumed within MHD_run() (from one of its callbacks) waits for the next
 * call, which nothing else may bring soon. */
void web_resume(struct web *w, struct MHD_Connection *conn);

/* End the event streams whose login ended (expired, logged out, or
 * pushed out by newer ones): the page sees it then, not at its STOP. */
void web_end_lost_logins(struct web *w);

/* The keepalive timer runs while there are streams. */
void web_keepalive_update(struct web *w);

#endif

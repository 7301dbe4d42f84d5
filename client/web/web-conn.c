/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "log.h"
#include "mem.h"
#include "web-api.h"
#include "web-conn.h"
#include "web-link.h"

struct web_conn *web_conn_of(struct MHD_Connection *conn)
{
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn,
                                                                       MHD_CONNECTION_INFO_SOCKET_CONTEXT);

        return info ? info->socket_context : NULL;
}

/* Close C's connection: libmicrohttpd sees the socket shut down (a new
 * edge) and closes it. */
static void web_conn_shut(struct web_conn *c)
{
        if (shutdown(c->fd, SHUT_RDWR) < 0)
                log_debug_errno(-errno, "cannot shut a connection down");
}

static int web_conn_on_hangup(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct web_conn *c = userdata;

        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        if (c->stream) {
                log_debug("a page closed its event stream");
                web_link_end_stream(c->stream);
        } else if (c->call) {
                log_debug("a client closed its connection while its request waited for lscd");
                web_call_finish(c->call, 409, web_api_error_text("cancelled", "the client closed its "
                                                                 "side of the connection: lscd-web stopped "
                                                                 "waiting for lscd's answer (the request may "
                                                                 "still run)"));
        } else if (c->reading) {
                log_debug("a client closed its connection before its request was complete");
                web_conn_shut(c);
        }
        return 0;
}

static int web_conn_on_deadline(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct web_conn *c = userdata;

        log_notice("a request not complete within %u s (--read-timeout): closing its connection",
                   c->web->opt.read_timeout_s);
        web_conn_shut(c);
        return 0;
}

void web_conn_next(struct web_conn *c)
{
        if (!c)
                return;
        c->reading = true;
        if (!c->deadline)
                return;
        (void) sd_event_source_set_time_relative(c->deadline, c->web->opt.read_timeout_s * 1000000ULL);
        (void) sd_event_source_set_enabled(c->deadline, SD_EVENT_ONESHOT);
}

void web_conn_read(struct web_conn *c)
{
        if (!c)
                return;
        c->reading = false;
        (void) sd_event_source_set_enabled(c->deadline, SD_EVENT_OFF);
}

static struct web_conn *web_conn_new(struct web *w, struct MHD_Connection *conn)
{
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn,
                                                                       MHD_CONNECTION_INFO_CONNECTION_FD);
        struct web_conn *c = mem_new0(struct web_conn);
        int r;

        c->web = w;
        c->conn = conn;
        c->fd = info ? info->connect_fd : -1;
        r = sd_event_add_io(w->event, &c->hangup, c->fd, EPOLLRDHUP, web_conn_on_hangup, c);
        if (r >= 0)
                r = sd_event_add_time_relative(w->event, &c->deadline, CLOCK_MONOTONIC, 0, 0,
                                               web_conn_on_deadline, c);
        if (r < 0)
                log_warning_errno(r, "cannot watch a connection");
        web_conn_next(c);
        return c;
}

static void web_conn_free(struct web_conn *c)
{
        if (!c)
                return;
        sd_event_source_disable_unref(c->hangup);
        sd_event_source_disable_unref(c->deadline);
        free(c);
}

void web_conn_notify(void *userdata, struct MHD_Connection *conn, void **socket_context,
                     enum MHD_ConnectionNotificationCode code)
{
        if (code == MHD_CONNECTION_NOTIFY_STARTED)
                *socket_context = web_conn_new(userdata, conn);
        else {
                web_conn_free(*socket_context);
                *socket_context = NULL;
        }
}

/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <microhttpd.h>
#include <lsc/client.h>

#include "list.h"
#include "log.h"
#include "mem.h"
#include "web-api.h"
#include "web-conn.h"
#include "web-link.h"

void web_call_finish(struct web_call *call, unsigned status, char *answer)
{
        bool waiting = call->state == WEB_CALL_WAITING;

        call->status = status;
        free(call->answer);
        call->answer = answer;
        call->state = WEB_CALL_DONE;
        call->timer = sd_event_source_disable_unref(call->timer);
        if (waiting) {
                struct web_conn *c = web_conn_of(call->conn);

                if (c)
                        c->call = NULL;
                call->web->n_waiting--;
                web_resume(call->web, call->conn);
        }
}

static void web_call_free(struct web_call *call)
{
        sd_event_source_disable_unref(call->timer);
        free(call->body);
        free(call->answer);
        free(call);
}

void web_call_completed(struct web_call *call)
{
        if (!call)
                return;
        assert(call->state != WEB_CALL_WAITING);
        if (call->link)
                call->conn = NULL;
        else
                web_call_free(call);
}

/* CALL's answer came, or never will: it leaves its link, and goes if its
 * request was completed already. */
static void web_call_unlink(struct web_call *call)
{
        LIST_REMOVE(call->link->calls, call, prev, next);
        call->link = NULL;
        if (!call->conn)
                web_call_free(call);
}

static int web_call_on_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct web_call *call = userdata;
        char *message = mem_printf("lscd did not answer within %u s (--request-timeout)",
                                   call->web->opt.request_timeout_s);

        log_notice("a request timed out after %u s", call->web->opt.request_timeout_s);
        web_call_finish(call, 504, web_api_error_text("timeout", message));
        free(message);
        return 0;
}

/* lscd granted a claim whose request had timed out: no one holds it. */
static void web_link_release_late(struct web_link *l, const cJSON *response)
{
        const cJSON *claim = cJSON_GetObjectItemCaseSensitive(response, "claim");
        cJSON *release;

        if (!cJSON_IsNumber(claim) || !l->client)
                return;
        log_notice("releasing claim %g, granted after its request timed out", claim->valuedouble);
        release = lsc_client_request_new("release");
        cJSON_AddNumberToObject(release, "claim", claim->valuedouble);
        (void) lsc_client_send(l->client, release, NULL, NULL);
        cJSON_Delete(release);
}

static void web_link_on_reply(void *userdata, struct lsc_client *c, const cJSON *response, int error)
{
        struct web_call *call = userdata;
        struct web_link *l = call->link;
        char *answer;
        unsigned status;

        if (call->state != WEB_CALL_WAITING) {
                if (call->claim && response && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(response, "ok")))
                        web_link_release_late(l, response);
                web_call_unlink(call);
                return;
        }
        if (response) {
                status = web_api_status(response);
                answer = mem_strdup(lsc_client_line(response));
        } else {
                char *message = mem_printf("lscd-web lost its connection to lscd: %s", strerror(-error));

                status = 503;
                answer = web_api_error_text("not_connected", message);
                free(message);
        }
        web_call_finish(call, status, answer);
        web_call_unlink(call);
}

void web_link_abandon(struct web_link *l, unsigned status, const char *code, const char *message)
{
        while (l->calls) {
                struct web_call *call = l->calls;

                if (call->state == WEB_CALL_WAITING)
                        web_call_finish(call, status, web_api_error_text(code, message));
                web_call_unlink(call);
        }
}

void web_link_end_stream(struct web_link *l)
{
        l->ended = true;
        if (l->suspended) {
                l->suspended = false;
                web_resume(l->web, l->conn);
        }
}

void web_link_stop(struct web_link *l)
{
        web_link_abandon(l, 503, "shutdown", "lscd-web is stopping");
        web_link_end_stream(l);
}

/* The connection to lscd broke: a shared link goes, a stream ends. */
static void web_link_broken(struct web_link *l, int error)
{
        log_warning_errno(error, "connection to lscd lost");
        web_link_abandon(l, 503, "not_connected", "lscd closed lscd-web's connection");
        l->io = sd_event_source_disable_unref(l->io);
        l->client = lsc_client_free(l->client);
        if (l->stream)
                web_link_end_stream(l);
        else {
                l->web->shared = NULL;
                web_link_free(l);
        }
}

static void web_link_event(struct web_link *l, cJSON *event)
{
        if (l->stream) {
                char *text = mem_printf("data: %s\n\n", lsc_client_line(event));

                web_link_stream_add(l, text, strlen(text));
                free(text);
        }
        cJSON_Delete(event);
}

static int web_link_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct web_link *l = userdata;
        cJSON *event;
        int r = lsc_client_process(l->client);

        while (l->client && lsc_client_next_event(l->client, &event) > 0)
                web_link_event(l, event);
        if (r < 0)
                web_link_broken(l, r);
        return 0;
}

void web_link_sync(struct web_link *l)
{
        if (l->io)
                (void) sd_event_source_set_io_events(l->io, (lsc_client_events(l->client) & POLLOUT) ?
                                                     EPOLLIN | EPOLLOUT : EPOLLIN);
}

static int web_link_hello(struct web_link *l)
{
        cJSON *hello = lsc_client_request_new("hello");
        int r;

        cJSON_AddStringToObject(hello, "name", l->web->opt.name);
        if (l->stream)
                cJSON_AddStringToObject(hello, "on_disconnect", "drop");
        r = lsc_client_send(l->client, hello, NULL, NULL);
        cJSON_Delete(hello);
        if (r >= 0 && l->stream) {
                cJSON *subscribe = lsc_client_request_subscribe(NULL, 0);

                r = lsc_client_send(l->client, subscribe, NULL, NULL);
                cJSON_Delete(subscribe);
        }
        return r;
}

static void web_link_session(struct web_link *l)
{
        static const char hex[] = "0123456789abcdef";
        uint8_t random[WEB_SESSION_LEN / 2];

        if (getrandom(random, sizeof(random), 0) != (ssize_t) sizeof(random))
                abort();        /* the kernel's CSPRNG does not fail once seeded */
        for (size_t i = 0; i < sizeof(random); i++) {
                l->session[2 * i] = hex[random[i] >> 4];
                l->session[2 * i + 1] = hex[random[i] & 15];
        }
        l->session[WEB_SESSION_LEN] = '\0';
}

int web_link_new(struct web *w, bool stream, struct web_link **ret)
{
        struct web_link *l = mem_new0(struct web_link);
        int r;

        l->web = w;
        l->stream = stream;
        r = lsc_client_connect(w->opt.socket, &l->client);
        if (r < 0) {
                free(l);
                return log_warning_errno(r, "cannot connect to lscd at %s",
                                         w->opt.socket ? w->opt.socket : lsc_client_default_socket());
        }
        r = sd_event_add_io(w->event, &l->io, lsc_client_fd(l->client), EPOLLIN, web_link_on_io, l);
        if (r >= 0)
                r = web_link_hello(l);
        if (r < 0) {
                web_link_free(l);
                return log_warning_errno(r, "cannot talk to lscd");
        }
        if (stream) {
                web_link_session(l);
                LIST_PREPEND(w->streams, l, prev, next);
                w->n_streams++;
                web_keepalive_update(w);
        }
        *ret = l;
        return 0;
}

struct web_link *web_link_free(struct web_link *l)
{
        if (!l)
                return NULL;
        assert(!l->calls);
        if (l->conn) {
                struct web_conn *c = web_conn_of(l->conn);

                if (c && c->stream == l)
                        c->stream = NULL;
        }
        if (l->stream && l->session[0]) {
                LIST_REMOVE(l->web->streams, l, prev, next);
                l->web->n_streams--;
                web_keepalive_update(l->web);
        }
        sd_event_source_disable_unref(l->io);
        lsc_client_free(l->client);
        free(l->buf);
        free(l);
        return NULL;
}

int web_link_send(struct web_link *l, struct web_call *call, const cJSON *request)
{
        struct web_conn *c;
        int r;

        if (!l->client)
                return -ENOTCONN;
        r = lsc_client_send(l->client, request, web_link_on_reply, call);
        if (r < 0)
                return r;
        r = sd_event_add_time_relative(l->web->event, &call->timer, CLOCK_MONOTONIC,
                                       l->web->opt.request_timeout_s * 1000000ULL, 0,
                                       web_call_on_timeout, call);
        if (r < 0)
                log_warning_errno(r, "cannot time a request");
        call->link = l;
        call->state = WEB_CALL_WAITING;
        l->web->n_waiting++;
        LIST_PREPEND(l->calls, call, prev, next);
        c = web_conn_of(call->conn);
        if (c)
                c->call = call;
        MHD_suspend_connection(call->conn);
        return 0;
}

void web_link_stream_add(struct web_link *l, const char *text, size_t len)
{
        if (l->ended)
                return;
        if (l->len - l->off + len > WEB_STREAM_BUFFER_MAX) {
                log_warning("an event stream's page reads too slowly: ending the stream");
                web_link_end_stream(l);
                return;
        }
        if (l->off > 0) {
                memmove(l->buf, l->buf + l->off, l->len - l->off);
                l->len -= l->off;
                l->off = 0;
        }
        l->buf = mem_realloc_array(l->buf, l->len + len, 1);
        memcpy(l->buf + l->len, text, len);
        l->len += len;
        if (l->suspended) {
                l->suspended = false;
                web_resume(l->web, l->conn);
        }
}

ssize_t web_link_stream_read(void *userdata, uint64_t pos, char *buf, size_t max)
{
        struct web_link *l = userdata;
        size_t n = l->len - l->off;

        if (n > 0) {
                if (n > max)
                        n = max;
                memcpy(buf, l->buf + l->off, n);
                l->off += n;
                if (l->off == l->len)
                        l->off = l->len = 0;
                return (ssize_t) n;
        }
        if (l->ended)
                return MHD_CONTENT_READER_END_OF_STREAM;
        l->suspended = true;
        MHD_suspend_connection(l->conn);
        return 0;
}

void web_link_stream_gone(void *userdata)
{
        struct web_link *l = userdata;

        web_link_abandon(l, 409, "cancelled", "the session ended (its event stream closed): "
                         "lscd dropped what it had asked, and will not answer");
        web_link_free(l);
}

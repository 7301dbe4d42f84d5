/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client.h"
#include "clients.h"
#include "events.h"
#include "json.h"
#include "list.h"
#include "log.h"
#include "mem.h"

/* Invariants: live lists the clients being served, n_live of them; dead
 * those closed and not yet freed, and gc is enabled while it is not
 * empty. */
struct clients {
        sd_event *event;
        struct clients_config config;
        struct cmd_context *ctx;
        void (*on_freed)(void *userdata);
        void *userdata;
        struct client *live, *dead;
        size_t n_live;
        uint64_t next_number;
        sd_event_source *gc;
};

static int clients_gc(sd_event_source *s, void *userdata)
{
        struct clients *r = userdata;

        while (r->dead) {
                struct client *c = r->dead;

                LIST_REMOVE(r->dead, c, prev, next);
                client_free(c);
        }
        if (r->on_freed)
                r->on_freed(r->userdata);
        return 0;
}

int clients_new(struct clients **ret, sd_event *event, const struct clients_config *config,
                struct cmd_context *ctx, void (*on_freed)(void *userdata), void *userdata)
{
        struct clients *r = mem_new0(struct clients);
        int r_;

        *r = (struct clients) {
                .event = sd_event_ref(event), .config = *config, .ctx = ctx,
                .on_freed = on_freed, .userdata = userdata,
        };
        r_ = sd_event_add_defer(event, &r->gc, clients_gc, r);
        if (r_ >= 0)
                r_ = sd_event_source_set_enabled(r->gc, SD_EVENT_OFF);
        if (r_ < 0) {
                clients_free(r);
                return r_;
        }
        *ret = r;
        return 0;
}

struct clients *clients_free(struct clients *r)
{
        if (!r)
                return NULL;
        while (r->live) {
                struct client *c = r->live;

                LIST_REMOVE(r->live, c, prev, next);
                client_free(c);
        }
        r->on_freed = NULL;
        clients_gc(NULL, r);
        sd_event_source_disable_unref(r->gc);
        sd_event_unref(r->event);
        free(r);
        return NULL;
}

static void clients_closed(void *userdata, struct client *c)
{
        struct clients *r = userdata;

        assert(r->n_live > 0);
        LIST_REMOVE(r->live, c, prev, next);
        LIST_PREPEND(r->dead, c, prev, next);
        r->n_live--;
        sd_event_source_set_enabled(r->gc, SD_EVENT_ONESHOT);
}

static void clients_hello(struct clients *r, struct client *c)
{
        cJSON *hello = event_new("hello");

        cJSON_AddNumberToObject(hello, "protocol", LSC_PROTOCOL_VERSION);
        cJSON_AddStringToObject(hello, "version", PACKAGE_VERSION);
        cJSON_AddItemToObject(hello, "device", r->ctx->device(r->ctx->userdata));
        client_send_json(c, hello);
        cJSON_Delete(hello);
}

/* Tell a client over --max-clients why, if its socket takes the line at
 * once (it is never waited for), and close it. */
static void clients_refuse(struct clients *r, int fd)
{
        char line[192];
        int len = snprintf(line, sizeof(line),
                           "{\"ok\":false,\"error\":{\"code\":\"%s\",\"message\":"
                           "\"lscd serves at most %u clients at once (--max-clients)\"}}\n",
                           lsc_errcode_name(LSC_ERRCODE_TOO_MANY_CLIENTS), r->config.max_clients);

        log_warning("Refusing a client: already %zu (--max-clients)", r->n_live);
        (void) send(fd, line, (size_t) len, MSG_DONTWAIT | MSG_NOSIGNAL);
        close(fd);
}

void clients_add(struct clients *r, int fd)
{
        struct client *c;
        int e;

        if (r->n_live >= r->config.max_clients) {
                clients_refuse(r, fd);
                return;
        }
        e = client_new(&c, r->event, fd, ++r->next_number, r->config.max_output, r->ctx,
                       clients_closed, r);
        if (e < 0) {
                log_error_errno(e, "Cannot serve a new client");
                return;
        }
        LIST_PREPEND(r->live, c, prev, next);
        r->n_live++;
        clients_hello(r, c);
}

void clients_publish(struct clients *r, enum lsc_event type, const cJSON *event)
{
        struct outbuf *line = mem_check(json_print_outbuf(event));

        /* Sending may close c (moving it to the dead list), never free it. */
        for (struct client *c = r->live, *next; c; c = next) {
                next = c->next;
                if (c->peer.events & LSC_EVENT_MASK(type))
                        client_send_event(c, line);
        }
        outbuf_unref(line);
}

size_t clients_count(const struct clients *r)
{
        return r->n_live;
}

size_t clients_subscribers(const struct clients *r)
{
        size_t n = 0;

        for (const struct client *c = r->live; c; c = c->next)
                n += c->peer.events != 0;
        return n;
}

void clients_flush(struct clients *r, uint64_t usec)
{
        client_flush_all_final(r->live, usec);
}

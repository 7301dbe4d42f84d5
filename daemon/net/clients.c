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
        struct clients *reg = userdata;

        while (reg->dead) {
                struct client *c = reg->dead;

                LIST_REMOVE(reg->dead, c, prev, next);
                client_free(c);
        }
        if (reg->on_freed)
                reg->on_freed(reg->userdata);
        return 0;
}

int clients_new(struct clients **ret, sd_event *event, const struct clients_config *config,
                struct cmd_context *ctx, void (*on_freed)(void *userdata), void *userdata)
{
        struct clients *reg = mem_new0(struct clients);
        int r;

        *reg = (struct clients) {
                .event = sd_event_ref(event), .config = *config, .ctx = ctx,
                .on_freed = on_freed, .userdata = userdata,
        };
        r = sd_event_add_defer(event, &reg->gc, clients_gc, reg);
        if (r >= 0)
                r = sd_event_source_set_enabled(reg->gc, SD_EVENT_OFF);
        if (r < 0) {
                clients_free(reg);
                return r;
        }
        *ret = reg;
        return 0;
}

struct clients *clients_free(struct clients *reg)
{
        if (!reg)
                return NULL;
        while (reg->live) {
                struct client *c = reg->live;

                LIST_REMOVE(reg->live, c, prev, next);
                client_free(c);
        }
        reg->on_freed = NULL;
        clients_gc(NULL, reg);
        sd_event_source_disable_unref(reg->gc);
        sd_event_unref(reg->event);
        free(reg);
        return NULL;
}

static void clients_closed(void *userdata, struct client *c)
{
        struct clients *reg = userdata;

        assert(reg->n_live > 0);
        LIST_REMOVE(reg->live, c, prev, next);
        LIST_PREPEND(reg->dead, c, prev, next);
        reg->n_live--;
        sd_event_source_set_enabled(reg->gc, SD_EVENT_ONESHOT);
}

static void clients_hello(struct clients *reg, struct client *c)
{
        cJSON *hello = event_new("hello");

        cJSON_AddNumberToObject(hello, "protocol", LSC_PROTOCOL_VERSION);

        cJSON_AddNumberToObject(hello, "protocol_minor", LSC_PROTOCOL_MINOR);
        cJSON_AddStringToObject(hello, "version", PACKAGE_VERSION);
        cJSON_AddNumberToObject(hello, "client", (double) c->peer.number);
        cJSON_AddBoolToObject(hello, "observer", c->peer.observer);
        cJSON_AddItemToObject(hello, "device", reg->ctx->device(reg->ctx->userdata));
        client_send_json(c, hello);
        cJSON_Delete(hello);
}

/* Tell a client over --max-clients why, if its socket takes the line at
 * once (it is never waited for), and close it. */
static void clients_refuse(struct clients *reg, int fd)
{
        char line[192];
        int len = snprintf(line, sizeof(line),
                           "{\"ok\":false,\"error\":{\"code\":\"%s\",\"message\":"
                           "\"lscd serves at most %u clients at once (--max-clients)\"}}\n",
                           lsc_errcode_name(LSC_ERRCODE_TOO_MANY_CLIENTS), reg->config.max_clients);

        log_warning("Refusing a client: already %zu (--max-clients)", reg->n_live);
        (void) send(fd, line, (size_t) len, MSG_DONTWAIT | MSG_NOSIGNAL);
        close(fd);
}

void clients_add(struct clients *reg, int fd, bool observer)
{
        struct client *c;
        int e;

        if (reg->n_live >= reg->config.max_clients) {
                clients_refuse(reg, fd);
                return;
        }
        e = client_new(&c, reg->event, fd, ++reg->next_number, observer, reg->config.max_output,
                       reg->ctx, clients_closed, reg);
        if (e < 0) {
                log_error_errno(e, "Cannot serve a new client");
                return;
        }
        LIST_PREPEND(reg->live, c, prev, next);
        reg->n_live++;
        clients_hello(reg, c);
}

void clients_publish(struct clients *reg, enum lsc_event type, const cJSON *event)
{
        struct outbuf *line = mem_check(json_print_outbuf(event));

        /* Sending may close c (moving it to the dead list), never free it. */
        for (struct client *c = reg->live, *next; c; c = next) {
                next = c->next;
                if (c->peer.events & LSC_EVENT_MASK(type))
                        client_send_event(c, line);
        }
        outbuf_unref(line);
}

void clients_each(struct clients *reg, void (*fn)(struct peer *p, void *arg), void *arg)
{
        for (struct client *c = reg->live; c; c = c->next)
                fn(&c->peer, arg);
}

size_t clients_count(const struct clients *reg)
{
        return reg->n_live;
}

size_t clients_subscribers(const struct clients *reg)
{
        size_t n = 0;

        for (const struct client *c = reg->live; c; c = c->next)
                n += c->peer.events != 0;
        return n;
}

void clients_flush(struct clients *reg, uint64_t usec)
{
        client_flush_all_final(reg->live, usec);
}

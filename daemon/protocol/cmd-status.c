/* SPDX-License-Identifier: MIT */
#include "call.h"
#include "cmd.h"
#include "events.h"
#include "json.h"

static cJSON *cmd_status_counters(const struct cmd_context *ctx, const struct cmd_stats *st)
{
        const struct wire_stats *w = wire_stats(ctx->wire);
        cJSON *c = cJSON_CreateObject();

        cJSON_AddNumberToObject(c, "frames_in", (double) st->frames_in);
        cJSON_AddNumberToObject(c, "bytes_in", (double) st->bytes_in);
        cJSON_AddNumberToObject(c, "frames_out", (double) w->frames);
        cJSON_AddNumberToObject(c, "bytes_out", (double) w->bytes);
        cJSON_AddNumberToObject(c, "bytes_discarded", (double) st->bytes_discarded);
        cJSON_AddNumberToObject(c, "requests", (double) ctx->counters.requests);
        cJSON_AddNumberToObject(c, "errors", (double) ctx->counters.errors);
        return c;
}

/* {"policy":P,"priority":N,"memory_locked":L}, or null at normal priority. */
static cJSON *cmd_status_realtime(const struct cmd_stats *st)
{
        cJSON *o;

        if (!st->realtime_policy)
                return cJSON_CreateNull();
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "policy", st->realtime_policy);
        cJSON_AddNumberToObject(o, "priority", st->realtime_priority);
        cJSON_AddStringToObject(o, "memory_locked", st->memory_locked);
        return o;
}

/* {"group":N,"runs":N,"source":"lscd"|"external"}, or null when idle. */
static cJSON *cmd_status_group(const struct board_state *b)
{
        cJSON *group;

        if (!b->running)
                return cJSON_CreateNull();
        group = cJSON_CreateObject();
        cJSON_AddNumberToObject(group, "group", b->group);
        cJSON_AddNumberToObject(group, "runs", b->runs);
        cJSON_AddStringToObject(group, "source", b->from_lscd ? "lscd" : "external");
        return group;
}

struct cmd_status_list {
        struct cmd_context *ctx;
        cJSON *list;
};

/* The ids of the claims PEER holds. */
static cJSON *cmd_status_claims(const struct cmd_context *ctx, const struct peer *p)
{
        cJSON *ids = cJSON_CreateArray();

        for (const struct claim *c = robot_claims(ctx->robot)->held; c; c = c->next)
                if (c->owner == p->number)
                        cJSON_AddItemToArray(ids, cJSON_CreateNumber((double) c->id));
        return ids;
}

static void cmd_status_peer(struct peer *p, void *arg)
{
        struct cmd_status_list *l = arg;
        cJSON *o = cJSON_CreateObject();

        cJSON_AddNumberToObject(o, "client", (double) p->number);
        cJSON_AddItemToObject(o, "name", p->name[0] ? cJSON_CreateString(p->name)
                                                    : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "uid", p->has_cred ? cJSON_CreateNumber(p->uid) : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "pid", p->has_cred ? cJSON_CreateNumber(p->pid) : cJSON_CreateNull());
        json_add_time_at(o, "connected", p->connected);
        cJSON_AddBoolToObject(o, "observer", p->observer);
        cJSON_AddStringToObject(o, "on_disconnect", p->drop_on_disconnect ? "drop" : "finish");
        cJSON_AddItemToObject(o, "events", event_mask_to_json(p->events));
        cJSON_AddItemToObject(o, "claims", cmd_status_claims(l->ctx, p));
        cJSON_AddNumberToObject(o, "queued", (double) wire_owner_queued(l->ctx->wire, peer_owner(p)));
        cJSON_AddNumberToObject(o, "in_flight", (double) p->n_calls);
        cJSON_AddItemToArray(l->list, o);
}

static void cmd_status_run(struct cmd_context *ctx, struct call *call)
{
        cJSON *response = call_response(call);
        struct cmd_stats st;

        ctx->stats(ctx->userdata, &st);
        cJSON_AddItemToObject(response, "device", ctx->device(ctx->userdata));
        cJSON_AddItemToObject(response, "group", cmd_status_group(board_state(ctx->board)));
        cJSON_AddNumberToObject(response, "clients", (double) st.clients);
        cJSON_AddNumberToObject(response, "subscribers", (double) st.subscribers);
        ctx->each_peer(ctx->userdata, cmd_status_peer,
                       &(struct cmd_status_list) {
                               .ctx = ctx, .list = cJSON_AddArrayToObject(response, "connections"),
                       });
        cJSON_AddNumberToObject(response, "uptime_ms", (double) st.uptime_ms);
        cJSON_AddItemToObject(response, "realtime", cmd_status_realtime(&st));
        cJSON_AddNumberToObject(response, "queue", (double) wire_queued(ctx->wire));
        cJSON_AddItemToObject(response, "counters", cmd_status_counters(ctx, &st));
        call_reply(call, response);
}

const struct cmd cmd_status = {
        .name = "status",
        .help = "The device, the running group, clients (a count, and each connection with its "
                "name, credentials, subscriptions, claims and queue), uptime, transmit queue and "
                "counters, and lscd's real-time priority.",
        .run = cmd_status_run,
};

/* SPDX-License-Identifier: MIT */
#include "call.h"
#include "cmd.h"

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

static void cmd_status_run(struct cmd_context *ctx, struct call *call)
{
        cJSON *response = call_response(call);
        struct cmd_stats st;

        ctx->stats(ctx->userdata, &st);
        cJSON_AddItemToObject(response, "device", ctx->device(ctx->userdata));
        cJSON_AddItemToObject(response, "group", cmd_status_group(board_state(ctx->board)));
        cJSON_AddNumberToObject(response, "clients", (double) st.clients);
        cJSON_AddNumberToObject(response, "subscribers", (double) st.subscribers);
        cJSON_AddNumberToObject(response, "uptime_ms", (double) st.uptime_ms);
        cJSON_AddNumberToObject(response, "queue", (double) wire_queued(ctx->wire));
        cJSON_AddItemToObject(response, "counters", cmd_status_counters(ctx, &st));
        call_reply(call, response);
}

const struct cmd cmd_status = {
        .name = "status",
        .help = "The device, the running group, clients, uptime, transmit queue and counters.",
        .run = cmd_status_run,
};

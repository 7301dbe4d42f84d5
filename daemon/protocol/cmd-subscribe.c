/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "call.h"
#include "cmd.h"
#include "events.h"

/* Answer {"events":[...]} with the peer's subscription. */
static void cmd_subscribe_reply(struct call *call)
{
        cJSON *response = call_response(call);

        cJSON_AddItemToObject(response, "events", event_mask_to_json(call->peer ? call->peer->events : 0));
        call_reply(call, response);
}

static unsigned cmd_subscribe_mask(const struct call *call)
{
        return call->args.has_events ? call->args.events : LSC_EVENT_MASK_ALL;
}

static void cmd_subscribe_run(struct cmd_context *ctx, struct call *call)
{
        if (call->peer)
                call->peer->events |= cmd_subscribe_mask(call);
        cmd_subscribe_reply(call);
}

static void cmd_unsubscribe_run(struct cmd_context *ctx, struct call *call)
{
        if (call->peer)
                call->peer->events &= ~cmd_subscribe_mask(call);
        cmd_subscribe_reply(call);
}

static const struct cmd_arg cmd_subscribe_args[] = {
        { .name = "events", .type = CMD_ARG_EVENTS,
          .help = "event names, or prefixes ending in \".\"; absent = every event" },
        { 0 }
};

const struct cmd cmd_subscribe = {
        .name = "subscribe",
        .help = "Receive these events too: {\"events\":[...]} lists the whole subscription.",
        .args = cmd_subscribe_args,
        .run = cmd_subscribe_run,
};

const struct cmd cmd_unsubscribe = {
        .name = "unsubscribe",
        .help = "Stop receiving these events (absent = all): {\"events\":[...]} lists what "
                "remains.",
        .args = cmd_subscribe_args,
        .run = cmd_unsubscribe_run,
};

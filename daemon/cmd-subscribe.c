/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "call.h"
#include "client.h"
#include "cmd.h"
#include "events.h"
#include "json.h"

/* Answer {"events":[...]} with the client's subscription. */
static void cmd_subscribe_reply(struct call *call)
{
        cJSON *response = call_response(call);
        cJSON *events = event_mask_to_json(call->client ? call->client->events : 0);

        if (!response || !cJSON_AddItemToObject(response, "events", events)) {
                cJSON_Delete(events);
                response = json_free(response);
        }
        call_reply(call, response);
}

static void cmd_subscribe_run(struct manager *m, struct call *call)
{
        if (call->client)
                call->client->events |= call->args.has_events ? call->args.events : EVENT_MASK_ALL;
        cmd_subscribe_reply(call);
}

static void cmd_unsubscribe_run(struct manager *m, struct call *call)
{
        if (call->client)
                call->client->events &= ~(call->args.has_events ? call->args.events : EVENT_MASK_ALL);
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

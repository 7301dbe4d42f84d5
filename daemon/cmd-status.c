/* SPDX-License-Identifier: MIT */
#include "board.h"
#include "call.h"
#include "client.h"
#include "cmd.h"
#include "json.h"
#include "manager.h"

static cJSON *cmd_status_counters(const struct manager *m)
{
        const struct wire_stats *w = m->wire ? wire_stats(m->wire) : NULL;
        cJSON *c = cJSON_CreateObject();

        if (!c)
                return NULL;
        cJSON_AddNumberToObject(c, "frames_in", (double) m->counters.frames_in);
        cJSON_AddNumberToObject(c, "bytes_in", (double) m->counters.bytes_in);
        cJSON_AddNumberToObject(c, "frames_out", w ? (double) w->frames : 0);
        cJSON_AddNumberToObject(c, "bytes_out", w ? (double) w->bytes : 0);
        cJSON_AddNumberToObject(c, "bytes_discarded",
                                (double) (m->discarded_before + m->decoder.discarded));
        cJSON_AddNumberToObject(c, "requests", (double) m->counters.requests);
        cJSON_AddNumberToObject(c, "errors", (double) m->counters.errors);
        return c;
}

static size_t cmd_status_subscribers(const struct manager *m)
{
        size_t n = 0;

        for (const struct client *c = m->clients; c; c = c->next)
                n += c->events != 0;
        return n;
}

static void cmd_status_run(struct manager *m, struct call *call)
{
        cJSON *response = call_response(call);
        uint64_t now = 0;

        sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        if (response &&
            (!cJSON_AddItemToObject(response, "device", manager_device_json(m)) ||
             !cJSON_AddItemToObject(response, "group", board_group_json(m->board)) ||
             !cJSON_AddNumberToObject(response, "clients", (double) m->n_clients) ||
             !cJSON_AddNumberToObject(response, "subscribers", (double) cmd_status_subscribers(m)) ||
             !cJSON_AddNumberToObject(response, "uptime_ms",
                                      (double) ((now - m->started_usec) / 1000)) ||
             !cJSON_AddNumberToObject(response, "queue", m->wire ? (double) wire_queued(m->wire) : 0) ||
             !cJSON_AddItemToObject(response, "counters", cmd_status_counters(m))))
                response = json_free(response);
        call_reply(call, response);
}

const struct cmd cmd_status = {
        .name = "status",
        .help = "The device, the running group, clients, uptime, transmit queue and counters.",
        .run = cmd_status_run,
};

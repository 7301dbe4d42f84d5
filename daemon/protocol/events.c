/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "events.h"
#include "json.h"

cJSON *event_mask_to_json(unsigned mask)
{
        cJSON *array = cJSON_CreateArray();

        for (int t = 0; t < _LSC_EVENT_MAX; t++)
                if (mask & LSC_EVENT_MASK(t))
                        cJSON_AddItemToArray(array, cJSON_CreateString(lsc_event_name(t)));
        return array;
}

cJSON *event_new(const char *name)
{
        cJSON *event = cJSON_CreateObject();

        cJSON_AddStringToObject(event, "event", name);
        json_add_time(event, "time");
        return event;
}

/* {"cmd":N,"params":"hex"} of a frame lscd does not know. */
static void event_add_frame(cJSON *event, const struct lsc_frame *frame)
{
        char hex[2 * LSC_FRAME_MAX_PARAMS + 1] = "";

        for (size_t i = 0; i < frame->n_params; i++)
                snprintf(hex + 2 * i, 3, "%02x", frame->params[i]);
        cJSON_AddNumberToObject(event, "cmd", frame->cmd);
        cJSON_AddStringToObject(event, "params", hex);
}

void event_add_by(cJSON *event, uint64_t client, const char *name)
{
        cJSON *by = cJSON_AddObjectToObject(event, "by");

        cJSON_AddNumberToObject(by, "client", (double) client);
        cJSON_AddItemToObject(by, "name", name[0] ? cJSON_CreateString(name) : cJSON_CreateNull());
}

cJSON *event_from_board(const struct board_event *e)
{
        cJSON *event = event_new(lsc_event_name(e->type));

        if (e->by)
                event_add_by(event, e->by->client, e->by->name);

        switch (e->type) {
        case LSC_EVENT_GROUP_STARTED:
        case LSC_EVENT_GROUP_COMPLETED:
                /* An older firmware's start of an unknown group names none. */
                if (e->has_group) {
                        cJSON_AddNumberToObject(event, "group", e->group);
                        cJSON_AddNumberToObject(event, "runs", e->runs);
                }
                if (e->type == LSC_EVENT_GROUP_STARTED)
                        cJSON_AddStringToObject(event, "source", e->from_lscd ? "lscd" : "external");
                break;
        case LSC_EVENT_GROUP_STOPPED:
                if (e->has_group)
                        cJSON_AddNumberToObject(event, "group", e->group);
                cJSON_AddStringToObject(event, "reason", e->stop_written ? "stop" : "board");
                break;
        case LSC_EVENT_BATTERY:
                cJSON_AddNumberToObject(event, "millivolts", e->millivolts);
                break;
        case LSC_EVENT_FRAME_UNKNOWN:
                event_add_frame(event, e->frame);
                break;
        default:
                break;
        }
        return event;
}

cJSON *event_servo_ids(uint64_t mask)
{
        cJSON *ids = cJSON_CreateArray();

        for (unsigned id = 0; id < 64; id++)
                if (mask & (UINT64_C(1) << id))
                        cJSON_AddItemToArray(ids, cJSON_CreateNumber(id));
        return ids;
}

cJSON *event_move_completed(uint64_t mask, const char *source)
{
        cJSON *event = event_new(lsc_event_name(LSC_EVENT_MOVE_COMPLETED));

        cJSON_AddItemToObject(event, "servos", event_servo_ids(mask));
        cJSON_AddStringToObject(event, "source", source);
        return event;
}

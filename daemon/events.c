/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "events.h"
#include "json.h"

static const char *const event_names[_EVENT_MAX] = {
        [EVENT_GROUP_STARTED]       = "group.started",
        [EVENT_GROUP_STOPPED]       = "group.stopped",
        [EVENT_GROUP_COMPLETED]     = "group.completed",
        [EVENT_DEVICE_CONNECTED]    = "device.connected",
        [EVENT_DEVICE_DISCONNECTED] = "device.disconnected",
        [EVENT_BATTERY]             = "battery",
        [EVENT_FRAME_UNKNOWN]       = "frame.unknown",
};

const char *event_name(enum event_type type)
{
        return (unsigned) type < _EVENT_MAX ? event_names[type] : NULL;
}

unsigned event_mask_from_pattern(const char *pattern)
{
        size_t len = strlen(pattern);
        bool prefix = len > 0 && pattern[len - 1] == '.';
        unsigned mask = 0;

        for (int t = 0; t < _EVENT_MAX; t++)
                if (prefix ? strncmp(event_names[t], pattern, len) == 0
                           : strcmp(event_names[t], pattern) == 0)
                        mask |= EVENT_MASK(t);
        return mask;
}

cJSON *event_mask_to_json(unsigned mask)
{
        cJSON *array = cJSON_CreateArray();

        for (int t = 0; array && t < _EVENT_MAX; t++)
                if ((mask & EVENT_MASK(t)) &&
                    !cJSON_AddItemToArray(array, cJSON_CreateString(event_names[t]))) {
                        cJSON_Delete(array);
                        return NULL;
                }
        return array;
}

cJSON *event_new(const char *name)
{
        cJSON *event = cJSON_CreateObject();

        if (!event || !cJSON_AddStringToObject(event, "event", name) ||
            !json_add_time(event, "time"))
                return json_free(event);
        return event;
}

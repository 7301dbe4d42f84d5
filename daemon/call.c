/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "call.h"
#include "client.h"
#include "log.h"
#include "manager.h"

struct call *call_new(struct manager *m, struct client *client, const cJSON *id)
{
        struct call *call = calloc(1, sizeof(*call));

        if (!call)
                return NULL;
        call->manager = m;
        if (id) {
                call->id = cJSON_Duplicate(id, true);
                if (!call->id) {
                        free(call);
                        return NULL;
                }
        }
        if (client)
                client_add_call(client, call);
        return call;
}

static void call_free(struct call *call)
{
        if (call->client)
                client_remove_call(call->client, call);
        cJSON_Delete(call->id);
        free(call);
}

/* {"id":ID,"ok":OK}: the start of every response. */
static cJSON *call_response_start(const struct call *call, bool ok)
{
        cJSON *response = cJSON_CreateObject();

        if (!response)
                return NULL;
        if ((call->id && !cJSON_AddItemToObject(response, "id", cJSON_Duplicate(call->id, true))) ||
            !cJSON_AddBoolToObject(response, "ok", ok)) {
                cJSON_Delete(response);
                return NULL;
        }
        return response;
}

cJSON *call_response(const struct call *call)
{
        return call_response_start(call, true);
}

void call_reply(struct call *call, cJSON *response)
{
        if (!response)
                log_error("Out of memory: response to a %s request lost",
                          call->cmd ? call->cmd->name : "bad");
        else if (call->client)
                client_send_json(call->client, response);
        cJSON_Delete(response);
        call_free(call);
}

void call_reply_ok(struct call *call)
{
        call_reply(call, call_response(call));
}

static cJSON *call_error_response(const struct call *call, enum errcode code, const char *field,
                                  const char *message)
{
        cJSON *response = call_response_start(call, false), *error;

        error = response ? cJSON_AddObjectToObject(response, "error") : NULL;
        if (!error || !cJSON_AddStringToObject(error, "code", errcode_to_string(code)) ||
            !cJSON_AddStringToObject(error, "message", message) ||
            (field && field[0] && !cJSON_AddStringToObject(error, "field", field))) {
                cJSON_Delete(response);
                return NULL;
        }
        return response;
}

void call_fail(struct call *call, enum errcode code, const char *field, const char *format, ...)
{
        char message[256];
        va_list ap;

        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        if (call->manager)
                call->manager->counters.errors++;
        call_reply(call, call_error_response(call, code, field, message));
}

enum errcode call_errcode_from_wire(enum wire_result result)
{
        switch (result) {
        case WIRE_HALTED:
                return ERRCODE_HALTED;
        case WIRE_SUPERSEDED:
                return ERRCODE_SUPERSEDED;
        case WIRE_SHUTDOWN:
                return ERRCODE_SHUTDOWN;
        case WIRE_DEVICE_LOST:
        case WIRE_WRITTEN:
                break;
        }
        return ERRCODE_DEVICE_LOST;
}

const char *call_wire_message(enum wire_result result)
{
        switch (result) {
        case WIRE_HALTED:
                return "dropped from the queue by a halt";
        case WIRE_SUPERSEDED:
                return "replaced by a later move of the same servos";
        case WIRE_SHUTDOWN:
                return "lscd is shutting down";
        case WIRE_DEVICE_LOST:
        case WIRE_WRITTEN:
                break;
        }
        return "the device was lost before the frame was written";
}

void call_wire_done(void *userdata, enum wire_result result)
{
        struct call *call = userdata;

        if (result != WIRE_WRITTEN)
                call_fail(call, call_errcode_from_wire(result), NULL, "%s",
                          call_wire_message(result));
        else if (call->cmd && call->cmd->written)
                call->cmd->written(call->manager, call);
        else
                call_reply_ok(call);
}

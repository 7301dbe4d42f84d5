/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "list.h"
#include "mem.h"

void peer_detach(struct peer *p)
{
        for (struct call *call = p->calls; call; call = call->peer_next)
                call->peer = NULL;
        p->calls = NULL;
        p->n_calls = 0;
}

bool call_by(const struct call *call, struct board_by *ret)
{
        if (!call->peer)
                return false;
        ret->client = call->peer->number;
        strcpy(ret->name, call->peer->name);
        return true;
}

const void *peer_owner(const struct peer *p)
{
        return (const void *) (uintptr_t) p->number;
}

struct call *call_new(struct cmd_context *ctx, struct peer *peer, const char *id, size_t id_len)
{
        struct call *call = mem_new0(struct call);

        call->ctx = ctx;
        call->epoch = ctx->board_epoch;
        if (id) {
                call->id = mem_alloc(id_len + 1);
                memcpy(call->id, id, id_len);
                call->id[id_len] = '\0';
        }
        if (peer) {
                call->peer = peer;
                LIST_PREPEND(peer->calls, call, peer_prev, peer_next);
                peer->n_calls++;
        }
        return call;
}

static void call_free(struct call *call)
{
        struct peer *p = call->peer;

        if (p) {
                assert(p->n_calls > 0);
                LIST_REMOVE(p->calls, call, peer_prev, peer_next);
                p->n_calls--;
        }
        cmd_args_free(&call->args);
        free(call->id);
        free(call);
        if (p && p->n_calls == 0)
                p->ops->idle(p);
}

/* {"id":ID,"ok":OK}: the start of every response. */
static cJSON *call_response_start(const struct call *call, bool ok)
{
        cJSON *response = cJSON_CreateObject();

        if (call->id)
                cJSON_AddRawToObject(response, "id", call->id);
        cJSON_AddBoolToObject(response, "ok", ok);
        return response;
}

cJSON *call_response(const struct call *call)
{
        return call_response_start(call, true);
}

void call_reply(struct call *call, cJSON *response)
{
        if (call->peer)
                call->peer->ops->send(call->peer, response);
        cJSON_Delete(response);
        call_free(call);
}

void call_reply_ok(struct call *call)
{
        call_reply(call, call_response(call));
}

cJSON *call_error(struct call *call, enum lsc_errcode code, const char *field, const char *message)
{
        cJSON *response = call_response_start(call, false);
        cJSON *error = cJSON_AddObjectToObject(response, "error");

        cJSON_AddStringToObject(error, "code", lsc_errcode_name(code));
        cJSON_AddStringToObject(error, "message", message);
        if (field && field[0])
                cJSON_AddStringToObject(error, "field", field);
        call->ctx->counters.errors++;
        return response;
}

void call_fail(struct call *call, enum lsc_errcode code, const char *field, const char *format, ...)
{
        char message[256];
        va_list ap;

        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        call_reply(call, call_error(call, code, field, message));
}

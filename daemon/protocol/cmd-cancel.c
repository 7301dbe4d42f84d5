/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "cmd.h"
#include "list.h"
#include "mem.h"

/* Whether CALL's id is the JSON value TEXT (both as cJSON prints them). */
static bool cmd_cancel_same_id(const struct call *call, const char *text)
{
        cJSON *id = call->id ? cJSON_Parse(call->id) : NULL;
        char *printed = id ? mem_check(cJSON_PrintUnformatted(id)) : NULL;
        bool same = printed && strcmp(printed, text) == 0;

        free(printed);
        cJSON_Delete(id);
        return same;
}

static void cmd_cancel_run(struct cmd_context *ctx, struct call *call)
{
        for (struct call *c = ctx->scheduled; c; c = c->sched_next) {
                if (c->peer != call->peer || !cmd_cancel_same_id(c, call->args.any_text))
                        continue;
                c->scheduled = schedule_cancel(c->scheduled);
                LIST_REMOVE(ctx->scheduled, c, sched_prev, sched_next);
                call_fail(c, LSC_ERRCODE_CANCELLED, NULL, "cancelled by a cancel request");
                call_reply_ok(call);
                return;
        }
        call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, "request", "this client has no request "
                  "with id %s waiting for its \"at\"", call->args.any_text);
}

static const struct cmd_arg cmd_cancel_args[] = {
        { .name = "request", .type = CMD_ARG_ANY, .required = true,
          .help = "the id of one of this client's requests that waits for its \"at\"" },
        { 0 }
};

const struct cmd cmd_cancel = {
        .name = "cancel",
        .flags = CMD_WRITE,
        .help = "Cancel a request scheduled with \"at\" (answered cancelled): {}.",
        .args = cmd_cancel_args,
        .run = cmd_cancel_run,
};

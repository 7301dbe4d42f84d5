/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "call.h"
#include "cmd.h"

static void cmd_release_run(struct cmd_context *ctx, struct call *call)
{
        uint64_t owner = call->peer ? call->peer->number : 0;
        int n = robot_release(ctx->robot, owner, (uint64_t) call->args.claim);
        cJSON *response;

        if (n < 0) {
                call_fail(call, LSC_ERRCODE_UNKNOWN_CLAIM, "claim", "this client holds no claim %ld",
                          call->args.claim);
                return;
        }
        response = call_response(call);
        cJSON_AddNumberToObject(response, "released", n);
        call_reply(call, response);
}

static const struct cmd_arg cmd_release_args[] = {
        { .name = "claim", .type = CMD_ARG_INT, .def = 0, .min = 1, .max = INT32_MAX,
          .offset = offsetof(struct cmd_args, claim),
          .help = "the claim to release; absent: every claim of this client" },
        { 0 }
};

const struct cmd cmd_release = {
        .name = "release",
        .help = "Release one claim of this client, or all of them: {\"released\":N}.",
        .args = cmd_release_args,
        .flags = CMD_WRITE,
        .run = cmd_release_run,
};

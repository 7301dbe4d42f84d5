/* SPDX-License-Identifier: MIT */
#include "call.h"
#include "cmd.h"

static void cmd_ping_run(struct cmd_context *ctx, struct call *call)
{
        call_reply_ok(call);
}

const struct cmd cmd_ping = {
        .name = "ping",
        .help = "Answer at once with {}: checks that lscd is alive.",
        .run = cmd_ping_run,
};

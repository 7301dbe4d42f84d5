/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "call.h"
#include "cmd.h"

static void cmd_sequence_stop_run(struct cmd_context *ctx, struct call *call)
{
        struct board_by by;
        size_t n = player_stop(ctx->player, (uint64_t) call->args.run, PLAYER_STOPPED,
                               call_by(call, &by) ? &by : NULL);
        cJSON *response;

        if (n == 0 && call->args.run) {
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, "run", "no sequence run %ld is playing",
                          call->args.run);
                return;
        }
        response = call_response(call);
        cJSON_AddNumberToObject(response, "stopped", (double) n);
        call_reply(call, response);
}

static const struct cmd_arg cmd_sequence_stop_args[] = {
        { .name = "run", .type = CMD_ARG_INT, .def = 0, .min = 1, .max = INT32_MAX,
          .offset = offsetof(struct cmd_args, run),
          .help = "the run to stop (sequence.run's answer); absent: every run" },
        { 0 }
};

const struct cmd cmd_sequence_stop = {
        .name = "sequence.stop",
        .flags = CMD_WRITE | CMD_ESTOP,
        .help = "Stop playing sequences: no step of them reaches the wire after this. "
                "{\"stopped\":N}",
        .args = cmd_sequence_stop_args,
        .run = cmd_sequence_stop_run,
};

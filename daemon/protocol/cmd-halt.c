/* SPDX-License-Identifier: MIT */
#include "call.h"
#include "cmd.h"

static int cmd_halt_encode(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        return lsc_frame_encode_group_stop(buf, size);
}

/* Drop every queued move and group run first (answered "halted"), then
 * send a STOP ahead of everything. */
static void cmd_halt_run(struct cmd_context *ctx, struct call *call)
{
        struct board_by by;

        player_stop(ctx->player, 0, PLAYER_STOPPED, call_by(call, &by) ? &by : NULL);
        call->cancelled = cmd_cancel_scheduled(ctx, NULL, LSC_ERRCODE_CANCELLED);
        call->dropped = wire_halt(ctx->wire);
        cmd_submit(ctx, call, WIRE_LANE_PRIORITY, 0);
}

static void cmd_halt_written(struct cmd_context *ctx, struct call *call)
{
        struct board_by by;
        cJSON *response;

        board_stop_written(ctx->board, call_by(call, &by) ? &by : NULL);
        response = call_response(call);
        cJSON_AddNumberToObject(response, "dropped", (double) call->dropped);
        cJSON_AddNumberToObject(response, "cancelled", (double) call->cancelled);
        call_reply(call, response);
}

const struct cmd cmd_halt = {
        .name = "halt",
        .flags = CMD_WRITE | CMD_ESTOP,
        .help = "Drop every client's queued moves and group runs, then stop the running "
                "group: {\"dropped\":N} once the STOP is written.",
        .encode = cmd_halt_encode,
        .run = cmd_halt_run,
        .written = cmd_halt_written,
};

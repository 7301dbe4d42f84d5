/* SPDX-License-Identifier: MIT */
#include "call.h"
#include "cmd.h"
#include "wire.h"

static int cmd_group_stop_encode(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        return lsc_frame_encode_group_stop(buf, size);
}

static void cmd_group_stop_run(struct cmd_context *ctx, struct call *call)
{
        struct board_by by;

        /* No step of a sequence may follow the STOP onto the wire. */
        player_stop(ctx->player, 0, PLAYER_STOPPED, call_by(call, &by) ? &by : NULL);
        cmd_submit(ctx, call, WIRE_LANE_PRIORITY, 0);
}

/* The board's stop report will name who sent it. */
static void cmd_group_stop_written(struct cmd_context *ctx, struct call *call)
{
        struct board_by by;

        board_stop_written(ctx->board, call_by(call, &by) ? &by : NULL);
        call_reply_ok(call);
}

const struct cmd cmd_group_stop = {
        .name = "group.stop",
        .flags = CMD_WRITE | CMD_ESTOP,
        .help = "Stop the running action group (ACTION_GROUP_STOP, ahead of queued moves); "
                "{} once written.",
        .encode = cmd_group_stop_encode,
        .run = cmd_group_stop_run,
        .written = cmd_group_stop_written,
};

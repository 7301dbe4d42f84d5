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
        cmd_submit(ctx, call, WIRE_LANE_PRIORITY, 0);
}

const struct cmd cmd_group_stop = {
        .name = "group.stop",
        .help = "Stop the running action group (ACTION_GROUP_STOP, ahead of queued moves); "
                "{} once written.",
        .encode = cmd_group_stop_encode,
        .run = cmd_group_stop_run,
};

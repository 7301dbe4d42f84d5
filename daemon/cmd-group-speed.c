/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "board.h"
#include "call.h"
#include "cmd.h"
#include "manager.h"

static int cmd_group_speed_encode(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        return lsc_frame_encode_group_speed(buf, size, a->group, a->percent);
}

static void cmd_group_speed_run(struct manager *m, struct call *call)
{
        cmd_submit(m, call, WIRE_LANE_NORMAL, 0);
}

static void cmd_group_speed_written(struct manager *m, struct call *call)
{
        board_speed_written(m->board, call->args.group, call->args.percent);
        call_reply_ok(call);
}

static const struct cmd_arg cmd_group_speed_args[] = {
        { .name = "group", .type = CMD_ARG_GROUP_OR_ALL, .required = true,
          .min = 0, .max = LSC_GROUP_MAX, .offset = offsetof(struct cmd_args, group),
          .help = "the action group, or \"all\" for every stored group" },
        { .name = "percent", .type = CMD_ARG_INT, .required = true,
          .min = LSC_PERCENT_MIN, .max = LSC_PERCENT_MAX,
          .offset = offsetof(struct cmd_args, percent),
          .help = "speed as a percentage of the recorded one (200 = twice as fast)" },
        { 0 }
};

const struct cmd cmd_group_speed = {
        .name = "group.speed",
        .help = "Set an action group's speed (ACTION_GROUP_SPEED); {} once written. "
                "Re-applied after every reconnect.",
        .args = cmd_group_speed_args,
        .encode = cmd_group_speed_encode,
        .run = cmd_group_speed_run,
        .written = cmd_group_speed_written,
};

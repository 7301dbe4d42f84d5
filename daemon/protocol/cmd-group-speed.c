/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stddef.h>

#include "board.h"
#include "call.h"
#include "cmd.h"

static int cmd_group_speed_encode(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        return lsc_frame_encode_group_speed(buf, size, a->group, a->percent);
}

/* Remember the speed (lscd re-applies it at every connect) and answer
 * {"applied":APPLIED}. */
static void cmd_group_speed_reply(struct cmd_context *ctx, struct call *call, bool applied)
{
        cJSON *response = call_response(call);

        board_speed(ctx->board, (unsigned) call->args.group, (unsigned) call->args.percent);
        robot_touch(ctx->robot);
        cJSON_AddBoolToObject(response, "applied", applied);
        call_reply(call, response);
}

/* While the board is absent the speed is only remembered. */
static void cmd_group_speed_run(struct cmd_context *ctx, struct call *call)
{
        if (wire_attached(ctx->wire))
                cmd_submit(ctx, call, WIRE_LANE_NORMAL, 0);
        else
                cmd_group_speed_reply(ctx, call, false);
}

static void cmd_group_speed_written(struct cmd_context *ctx, struct call *call)
{
        cmd_group_speed_reply(ctx, call, true);
}

static const struct cmd_arg cmd_group_speed_args[] = {
        { .name = "group", .type = CMD_ARG_GROUP_OR_ALL, .required = true,
          .min = 0, .max = LSC_GROUP_MAX, .offset = offsetof(struct cmd_args, group),
          .help = "the action group (number or name), or \"all\" for every stored group" },
        { .name = "percent", .type = CMD_ARG_INT, .required = true,
          .min = LSC_PERCENT_MIN, .max = LSC_PERCENT_MAX,
          .offset = offsetof(struct cmd_args, percent),
          .help = "speed as a percentage of the recorded one (200 = twice as fast)" },
        { 0 }
};

const struct cmd cmd_group_speed = {
        .name = "group.speed",
        .flags = CMD_WRITE | CMD_CLAIMS_GROUPS,
        .help = "Set an action group's speed (ACTION_GROUP_SPEED): {\"applied\":true} once "
                "written, {\"applied\":false} while the board is absent. Remembered and "
                "re-applied at every connect.",
        .args = cmd_group_speed_args,
        .encode = cmd_group_speed_encode,
        .run = cmd_group_speed_run,
        .written = cmd_group_speed_written,
};

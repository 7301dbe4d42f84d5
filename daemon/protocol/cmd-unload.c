/* SPDX-License-Identifier: MIT */
/*
 * unload: torque off (a bus board's MULT_SERVO_UNLOAD, bus-servo-and-d6a.md,
 * "CMD 20"): the servos go limp and can be moved by hand; their targets are
 * unknown from then on. The board sends no reply: the answer comes once the
 * frame is written.
 */
#include <stddef.h>

#include "call.h"
#include "cmd.h"
#include "events.h"
#include "wire.h"

static int cmd_unload_prepare(const struct model *m, const struct servos *s, struct cmd_args *a,
                              struct fail *f)
{
        int r = cmd_servo_set(m, a, f);

        return r < 0 ? r : cmd_some_servos(a, f);
}

static void cmd_unload_run(struct cmd_context *ctx, struct call *call)
{
        cmd_submit(ctx, call, WIRE_LANE_NORMAL, 0);
}

static void cmd_unload_written(struct cmd_context *ctx, struct call *call)
{
        cJSON *response = call_response(call);

        robot_unloaded(ctx->robot, call->args.plan.mask);
        cJSON_AddItemToObject(response, "servos", event_servo_ids(call->args.plan.mask));
        call_reply(call, response);
}

static const struct cmd_arg cmd_unload_args[] = {
        { .name = "servos", .type = CMD_ARG_SERVO_SET, .required = true,
          .help = "the servos to unload, by id or name, or \"all\" (ids 1..32)" },
        { 0 }
};

const struct cmd cmd_unload = {
        .name = "unload",
        .flags = CMD_WRITE | CMD_CLAIMS_SERVOS,
        .board_cmd = LSC_CMD_MULT_SERVO_UNLOAD,
        .help = "Torque off (bus board only): the servos go limp and their targets become "
                "unknown; {\"servos\":[ids]} once the frame is written.",
        .args = cmd_unload_args,
        .prepare = cmd_unload_prepare,
        .encode = cmd_encode_unload,
        .run = cmd_unload_run,
        .written = cmd_unload_written,
};

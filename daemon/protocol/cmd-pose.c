/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "call.h"
#include "cmd.h"
#include "wire.h"

static int cmd_pose_prepare(const struct model *m, const struct servos *s, struct cmd_args *a,
                            struct fail *f)
{
        const struct model_pose *pose = model_pose(m, a->name);

        if (!pose)
                return fail(f, LSC_ERRCODE_UNKNOWN_POSE, "name", "no pose is named \"%s\" in the "
                            "robot file", a->name);
        if (pose->n == 0)
                return fail(f, LSC_ERRCODE_UNKNOWN_POSE, "name", "the pose \"%s\" moves no servo: "
                            "the robot file names none", a->name);
        return servos_plan_pose(s, m, pose, (unsigned) a->time_ms, &a->plan, f);
}

static void cmd_pose_run(struct cmd_context *ctx, struct call *call)
{
        cmd_submit(ctx, call, WIRE_LANE_NORMAL, WIRE_HALTABLE);
}

static void cmd_pose_written(struct cmd_context *ctx, struct call *call)
{
        cmd_motion_written(ctx, call, "pose");
}

static const struct cmd_arg cmd_pose_args[] = {
        { .name = "name", .type = CMD_ARG_NAME, .required = true,
          .help = "a pose of the robot file; \"home\" is every named servo at its home" },
        { .name = "time_ms", .type = CMD_ARG_INT, .def = 1000,
          .min = 0, .max = LSC_TIME_MAX, .offset = offsetof(struct cmd_args, time_ms),
          .help = "time to reach the pose, in milliseconds (raised to respect max_speed)" },
        { .name = "wait", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, wait),
          .help = "answer when the move has ended (its predicted end), not when written" },
        { .name = "at", .type = CMD_ARG_TIME,
          .help = "start at this wall-clock time (seconds since the epoch, as events' time), "
                  "at most an hour ahead" },
        { 0 }
};

const struct cmd cmd_pose = {
        .name = "pose",
        .flags = CMD_WRITE | CMD_CLAIMS_SERVOS,
        .help = "Move every servo of a pose in one frame, within limits and speeds: as move.",
        .args = cmd_pose_args,
        .prepare = cmd_pose_prepare,
        .encode = cmd_encode_motion,
        .run = cmd_pose_run,
        .written = cmd_pose_written,
};

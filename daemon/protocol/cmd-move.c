/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "call.h"
#include "cmd.h"
#include "wire.h"

static int cmd_move_prepare(const struct model *m, const struct servos *s, struct cmd_args *a,
                            struct fail *f)
{
        return servos_plan(s, m, a->specs, a->n_specs, (unsigned) a->time_ms, "servos", &a->plan, f);
}

static void cmd_move_run(struct cmd_context *ctx, struct call *call)
{
        cmd_submit(ctx, call, WIRE_LANE_NORMAL,
                   WIRE_HALTABLE | (call->args.replace ? WIRE_REPLACE : 0));
}

static void cmd_move_written(struct cmd_context *ctx, struct call *call)
{
        cmd_motion_written(ctx, call, "move");
}

static const struct cmd_arg cmd_move_args[] = {
        { .name = "servos", .type = CMD_ARG_SERVOS, .required = true,
          .help = "servos by id (1..32) or name, each at most once, with a position "
                  "(500..2500 us, within the servo's limits) or a delta from its last target" },
        { .name = "time_ms", .type = CMD_ARG_INT, .required = true,
          .min = 0, .max = LSC_TIME_MAX, .offset = offsetof(struct cmd_args, time_ms),
          .help = "time to reach the positions, in milliseconds (raised to respect max_speed)" },
        { .name = "replace", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, replace),
          .help = "supersede this client's queued moves of the same servos" },
        { .name = "wait", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, wait),
          .help = "answer when the move has ended (its predicted end), not when written" },
        { .name = "at", .type = CMD_ARG_TIME,
          .help = "start at this wall-clock time (seconds since the epoch, as events' time), "
                  "at most an hour ahead" },
        { 0 }
};

const struct cmd cmd_move = {
        .name = "move",
        .flags = CMD_WRITE | CMD_CLAIMS_SERVOS,
        .help = "Move servos (SERVO_MOVE): {\"time_ms\"} once the frame is written, or with "
                "wait {\"time_ms\",\"completed\":true} once the move has ended.",
        .args = cmd_move_args,
        .prepare = cmd_move_prepare,
        .encode = cmd_encode_motion,
        .run = cmd_move_run,
        .written = cmd_move_written,
};

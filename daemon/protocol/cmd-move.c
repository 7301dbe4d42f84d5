/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "call.h"
#include "cmd.h"
#include "wire.h"

static int cmd_move_encode(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        return lsc_frame_encode_move(buf, size, a->time_ms, a->servos, a->n_servos);
}

static void cmd_move_run(struct cmd_context *ctx, struct call *call)
{
        cmd_submit(ctx, call, WIRE_LANE_NORMAL,
                   WIRE_HALTABLE | (call->args.replace ? WIRE_REPLACE : 0));
}

static const struct cmd_arg cmd_move_args[] = {
        { .name = "servos", .type = CMD_ARG_SERVOS, .required = true,
          .help = "servo ids 1..32 (each at most once) with positions 500..2500 us" },
        { .name = "time_ms", .type = CMD_ARG_INT, .required = true,
          .min = 0, .max = LSC_TIME_MAX, .offset = offsetof(struct cmd_args, time_ms),
          .help = "time to reach the positions, in milliseconds" },
        { .name = "replace", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, replace),
          .help = "supersede this client's queued moves of the same servos" },
        { 0 }
};

const struct cmd cmd_move = {
        .name = "move",
        .help = "Move servos (SERVO_MOVE); answers {} once the frame is written.",
        .args = cmd_move_args,
        .encode = cmd_move_encode,
        .run = cmd_move_run,
};

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "call.h"
#include "cmd.h"
#include "wire.h"

/* confirm reads positions: a bus board's, after a wait. */
static int cmd_move_prepare(const struct model *m, const struct servos *s, struct cmd_args *a,
                            struct fail *f)
{
        if (a->confirm && cmd_board_takes(m, LSC_CMD_MULT_SERVO_POS_READ, "confirm", f) < 0)
                return -EINVAL;
        if (a->confirm && !a->wait)
                return fail(f, LSC_ERRCODE_INVALID_ARGUMENT, "confirm", "confirm reads the "
                            "positions once the move has ended: it needs \"wait\":true");
        return servos_plan(s, m, a->specs, a->n_specs, (unsigned) a->time_ms, "servos", &a->plan, f);
}

/* The move ended and its servos were read: confirmed when each is within
 * the tolerance of its target. */
static void cmd_move_confirmed(struct call *call, unsigned value)
{
        const struct servos_plan *p = &call->args.plan;
        cJSON *response = cmd_motion_response(call, true);
        int logical[LSC_SERVO_ID_MAX + 1];
        uint64_t read;
        bool confirmed;
        cJSON *list = cmd_positions_read(call->ctx, p->mask, logical, &read);

        confirmed = read == p->mask;
        for (size_t i = 0; confirmed && i < p->n; i++)
                confirmed = labs(logical[p->ids[i]] - p->logical[i]) <= call->args.tolerance;
        cJSON_AddBoolToObject(response, "confirmed", confirmed);
        cJSON_AddItemToObject(response, "positions", list);
        call_reply(call, response);
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
                  "in the board's units (500..2500 us on an LSC board, 0..1000 on a bus "
                  "board) within the servo's limits, or a delta from its last target" },
        { .name = "time_ms", .type = CMD_ARG_INT, .required = true,
          .min = 0, .max = LSC_TIME_MAX, .offset = offsetof(struct cmd_args, time_ms),
          .help = "time to reach the positions, in milliseconds (raised to respect max_speed)" },
        { .name = "replace", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, replace),
          .help = "supersede this client's queued moves of the same servos" },
        CMD_ARG_MOTION_WAIT,
        { .name = "confirm", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, confirm),
          .help = "with wait, read the positions once the move has ended (bus board): "
                  "\"confirmed\" and \"positions\"" },
        { .name = "tolerance", .type = CMD_ARG_INT, .def = 10, .min = 0,
          .max = LSC_POSITION_MAX, .offset = offsetof(struct cmd_args, tolerance),
          .help = "confirm: how far from its target a servo may be read" },
        CMD_ARG_AT,
        { 0 }
};

const struct cmd cmd_move = {
        .name = "move",
        .flags = CMD_WRITE | CMD_CLAIMS_SERVOS,
        .help = "Move servos (SERVO_MOVE): {\"time_ms\"} once the frame is written, or with "
                "wait {\"time_ms\",\"completed\":true} once the move has ended; with confirm "
                "also {\"confirmed\",\"positions\"}.",
        .args = cmd_move_args,
        .prepare = cmd_move_prepare,
        .encode = cmd_encode_motion,
        .run = cmd_move_run,
        .written = cmd_move_written,
        .board_reply = cmd_move_confirmed,
};

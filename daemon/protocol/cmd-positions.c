/* SPDX-License-Identifier: MIT */
/*
 * positions: where the servos are (a bus board's MULT_SERVO_POS_READ,
 * bus-servo-and-d6a.md, "CMD 21"). Concurrent requests share one query on
 * the wire (board-state.h, as battery's), which times out after
 * --battery-timeout. The answer is in logical positions (trim and inversion
 * undone), and each servo read that no move of lscd's is driving takes the
 * reading as its target.
 */
#include <stddef.h>

#include "call.h"
#include "cmd.h"

cJSON *cmd_positions_read(struct cmd_context *ctx, uint64_t mask, int *logical, uint64_t *read)
{
        const struct board_state *bs = board_state(ctx->board);
        const struct model *m = robot_model(ctx->robot);
        cJSON *list = cJSON_CreateArray();

        *read = 0;
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++) {
                cJSON *o;

                if (!(mask & (UINT64_C(1) << id)))
                        continue;
                o = cJSON_CreateObject();
                cJSON_AddNumberToObject(o, "id", id);
                if (m->servos[id].name[0])
                        cJSON_AddStringToObject(o, "name", m->servos[id].name);
                else
                        cJSON_AddNullToObject(o, "name");
                if (bs->position_known & (UINT64_C(1) << id)) {
                        logical[id] = model_logical(&m->servos[id], bs->position[id]);
                        *read |= UINT64_C(1) << id;
                        robot_observe(ctx->robot, id, logical[id]);
                        cJSON_AddNumberToObject(o, "position", logical[id]);
                        /* Moved by hand past a limit (or a trim past the
                         * range's end): said, never silently. */
                        if (!model_in_limits(&m->servos[id], logical[id]))
                                cJSON_AddTrueToObject(o, "outside_limits");
                } else {
                        cJSON_AddNullToObject(o, "position");
                }
                cJSON_AddItemToArray(list, o);
        }
        return list;
}

static int cmd_positions_prepare(const struct model *m, const struct servos *s,
                                 struct cmd_args *a, struct fail *f)
{
        return cmd_named_servos(m, a, f);
}

static void cmd_positions_run(struct cmd_context *ctx, struct call *call)
{
        call->waiter.servos = call->args.plan.mask;
        board_positions(ctx->board, &call->waiter);
}

static void cmd_positions_reply(struct call *call, unsigned value)
{
        cJSON *response = call_response(call);
        int logical[LSC_SERVO_ID_MAX + 1];
        uint64_t read;

        cJSON_AddItemToObject(response, "positions",
                              cmd_positions_read(call->ctx, call->args.plan.mask, logical, &read));
        call_reply(call, response);
}

static const struct cmd_arg cmd_positions_args[] = {
        { .name = "servos", .type = CMD_ARG_SERVO_SET, .required = true,
          .help = "the servos to read, by id or name, or \"all\" (those the robot file names)" },
        { 0 }
};

const struct cmd cmd_positions = {
        .name = "positions",
        .board_cmd = LSC_CMD_MULT_SERVO_POS_READ,
        .help = "Read where the servos are (bus board only): {\"positions\":[{\"id\",\"name\","
                "\"position\"}]}, logical, null for a servo the board did not report; or error "
                "timeout. Concurrent requests share one query.",
        .args = cmd_positions_args,
        .prepare = cmd_positions_prepare,
        .run = cmd_positions_run,
        .board_reply = cmd_positions_reply,
};

/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "board.h"
#include "call.h"
#include "cmd.h"

static int cmd_group_run_encode(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        return lsc_frame_encode_group_run(buf, size, a->group, a->runs);
}

static void cmd_group_run_run(struct cmd_context *ctx, struct call *call)
{
        cmd_submit(ctx, call, WIRE_LANE_NORMAL, WIRE_HALTABLE);
}

/* {"group":G,"runs":N}, plus "completed":true once the board said so. */
static void cmd_group_run_reply(struct call *call, bool completed)
{
        cJSON *response = call_response(call);

        cJSON_AddNumberToObject(response, "group", (double) call->args.group);
        cJSON_AddNumberToObject(response, "runs", (double) call->args.runs);
        if (completed)
                cJSON_AddTrueToObject(response, "completed");
        call_reply(call, response);
}

static void cmd_group_run_completed(struct call *call, unsigned value)
{
        cmd_group_run_reply(call, true);
}

/* Answered now, or (wait) once the board reports the outcome. */
static void cmd_group_run_written(struct cmd_context *ctx, struct call *call)
{
        unsigned group = (unsigned) call->args.group, runs = (unsigned) call->args.runs;
        struct board_by by;
        const struct board_by *who = call_by(call, &by) ? &by : NULL;

        /* The group moves servos from here on: lscd knows none of them. */
        robot_forget(ctx->robot, SERVOS_PREEMPTED);
        if (call->args.wait) {
                board_run_written(ctx->board, &call->waiter, group, runs, who);
                return;
        }
        board_run_written(ctx->board, NULL, group, runs, who);
        cmd_group_run_reply(call, false);
}

static const struct cmd_arg cmd_group_run_args[] = {
        { .name = "group", .type = CMD_ARG_GROUP, .required = true,
          .min = 0, .max = LSC_GROUP_MAX, .offset = offsetof(struct cmd_args, group),
          .help = "the action group stored on the board, by number or by its name in the "
                  "robot file" },
        { .name = "runs", .type = CMD_ARG_INT, .def = 1,
          .min = 0, .max = LSC_RUNS_MAX, .offset = offsetof(struct cmd_args, runs),
          .help = "how many times to run it, 0 = forever" },
        { .name = "wait", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, wait),
          .help = "answer when the board reports completion, not when written" },
        { .name = "at", .type = CMD_ARG_TIME,
          .help = "start at this wall-clock time (seconds since the epoch, as events' time), "
                  "at most an hour ahead" },
        { 0 }
};

const struct cmd cmd_group_run = {
        .name = "group.run",
        .flags = CMD_WRITE | CMD_CLAIMS_GROUPS,
        .help = "Run an action group (ACTION_GROUP_RUN): {\"group\",\"runs\"} once written, "
                "or with wait once completed.",
        .args = cmd_group_run_args,
        .encode = cmd_group_run_encode,
        .run = cmd_group_run_run,
        .written = cmd_group_run_written,
        .board_reply = cmd_group_run_completed,
};

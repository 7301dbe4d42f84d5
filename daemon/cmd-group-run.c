/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "board.h"
#include "call.h"
#include "cmd.h"
#include "manager.h"

static int cmd_group_run_encode(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        return lsc_frame_encode_group_run(buf, size, a->group, a->runs);
}

static void cmd_group_run_run(struct manager *m, struct call *call)
{
        cmd_submit(m, call, WIRE_LANE_NORMAL, WIRE_HALTABLE);
}

static void cmd_group_run_written(struct manager *m, struct call *call)
{
        board_run_written(m->board, call);
}

static const struct cmd_arg cmd_group_run_args[] = {
        { .name = "group", .type = CMD_ARG_INT, .required = true,
          .min = 0, .max = LSC_GROUP_MAX, .offset = offsetof(struct cmd_args, group),
          .help = "the action group stored on the board" },
        { .name = "runs", .type = CMD_ARG_INT, .def = 1,
          .min = 0, .max = LSC_RUNS_MAX, .offset = offsetof(struct cmd_args, runs),
          .help = "how many times to run it, 0 = forever" },
        { .name = "wait", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, wait),
          .help = "answer when the board reports completion, not when written" },
        { 0 }
};

const struct cmd cmd_group_run = {
        .name = "group.run",
        .help = "Run an action group (ACTION_GROUP_RUN): {\"group\",\"runs\"} once written, "
                "or with wait once completed.",
        .args = cmd_group_run_args,
        .encode = cmd_group_run_encode,
        .run = cmd_group_run_run,
        .written = cmd_group_run_written,
};

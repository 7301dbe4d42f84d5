/* SPDX-License-Identifier: MIT */
#include "board.h"
#include "call.h"
#include "cmd.h"
#include "manager.h"

static int cmd_battery_encode(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        return lsc_frame_encode_battery_query(buf, size);
}

static void cmd_battery_run(struct manager *m, struct call *call)
{
        board_battery(m->board, call);
}

const struct cmd cmd_battery = {
        .name = "battery",
        .help = "The board's battery voltage: {\"millivolts\":N}, or error timeout. "
                "Concurrent requests share one query.",
        .encode = cmd_battery_encode,
        .run = cmd_battery_run,
};

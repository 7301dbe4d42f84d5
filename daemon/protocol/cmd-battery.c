/* SPDX-License-Identifier: MIT */
#include "board.h"
#include "call.h"
#include "cmd.h"

static int cmd_battery_encode(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        return lsc_frame_encode_battery_query(buf, size);
}

static void cmd_battery_run(struct cmd_context *ctx, struct call *call)
{
        board_battery(ctx->board, &call->waiter);
}

static void cmd_battery_reply(struct call *call, unsigned millivolts)
{
        cJSON *response = call_response(call);

        cJSON_AddNumberToObject(response, "millivolts", millivolts);
        call_reply(call, response);
}

const struct cmd cmd_battery = {
        .name = "battery",
        .help = "The board's battery voltage: {\"millivolts\":N}, or error timeout. "
                "Concurrent requests share one query.",
        .encode = cmd_battery_encode,
        .run = cmd_battery_run,
        .board_reply = cmd_battery_reply,
};

/* SPDX-License-Identifier: MIT */
#include "call.h"
#include "cmd.h"
#include "json.h"
#include "manager.h"

static int cmd_halt_encode(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        return lsc_frame_encode_group_stop(buf, size);
}

/* Drop every queued move and group run first (answered "halted"), then
 * send a STOP ahead of everything. */
static void cmd_halt_run(struct manager *m, struct call *call)
{
        if (m->wire)
                call->dropped = wire_halt(m->wire);
        cmd_submit(m, call, WIRE_LANE_PRIORITY, 0);
}

static void cmd_halt_written(struct manager *m, struct call *call)
{
        cJSON *response = call_response(call);

        if (response && !cJSON_AddNumberToObject(response, "dropped", (double) call->dropped))
                response = json_free(response);
        call_reply(call, response);
}

const struct cmd cmd_halt = {
        .name = "halt",
        .help = "Drop every client's queued moves and group runs, then stop the running "
                "group: {\"dropped\":N} once the STOP is written.",
        .encode = cmd_halt_encode,
        .run = cmd_halt_run,
        .written = cmd_halt_written,
};

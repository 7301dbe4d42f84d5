/* SPDX-License-Identifier: MIT */
#include "call.h"
#include "cmd.h"

static void cmd_version_run(struct cmd_context *ctx, struct call *call)
{
        cJSON *response = call_response(call);

        cJSON_AddStringToObject(response, "version", PACKAGE_VERSION);
        cJSON_AddNumberToObject(response, "protocol", LSC_PROTOCOL_VERSION);
        cJSON_AddNumberToObject(response, "protocol_minor", LSC_PROTOCOL_MINOR);
        call_reply(call, response);
}

const struct cmd cmd_version = {
        .name = "version",
        .help = "lscd's version and the client protocol version: {\"version\",\"protocol\"}.",
        .run = cmd_version_run,
};

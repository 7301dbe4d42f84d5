/* SPDX-License-Identifier: MIT */
#include "call.h"
#include "cmd.h"
#include "json.h"

#define PROTOCOL_VERSION 1

static void cmd_version_run(struct manager *m, struct call *call)
{
        cJSON *response = call_response(call);

        if (response && (!cJSON_AddStringToObject(response, "version", PACKAGE_VERSION) ||
                         !cJSON_AddNumberToObject(response, "protocol", PROTOCOL_VERSION)))
                response = json_free(response);
        call_reply(call, response);
}

const struct cmd cmd_version = {
        .name = "version",
        .help = "lscd's version and the client protocol version: {\"version\",\"protocol\"}.",
        .run = cmd_version_run,
};

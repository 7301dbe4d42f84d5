/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "cmd.h"

/* invalid_config: the first error as the message, each in "errors". */
static void cmd_config_reload_fail(struct call *call, const char *errors)
{
        size_t len = strcspn(errors, "\n");
        char line[512];
        cJSON *response, *list;

        snprintf(line, sizeof(line), "%.*s", (int) len, errors);
        response = call_error(call, LSC_ERRCODE_INVALID_CONFIG, NULL, line);
        list = cJSON_AddArrayToObject(cJSON_GetObjectItemCaseSensitive(response, "error"),
                                      "errors");
        for (const char *p = errors; *p; p += len + (p[len] ? 1 : 0)) {
                len = strcspn(p, "\n");
                snprintf(line, sizeof(line), "%.*s", (int) len, p);
                cJSON_AddItemToArray(list, cJSON_CreateString(line));
        }
        call_reply(call, response);
}

static void cmd_config_reload_run(struct cmd_context *ctx, struct call *call)
{
        char *errors = NULL;
        struct board_by by;
        cJSON *response;

        if (cmd_reload(ctx, call_by(call, &by) ? &by : NULL, &errors) < 0) {
                cmd_config_reload_fail(call, errors);
                free(errors);
                return;
        }
        response = call_response(call);
        cmd_add_robot(response, ctx->robot);
        call_reply(call, response);
}

const struct cmd cmd_config_reload = {
        .name = "config.reload",
        .flags = CMD_WRITE,
        .help = "Read the robot file again, as SIGHUP does: answers the new model (as robot), "
                "or invalid_config with every error (FILE:LINE: ...), the old model kept.",
        .run = cmd_config_reload_run,
};

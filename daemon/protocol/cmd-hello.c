/* SPDX-License-Identifier: MIT */
#include <stddef.h>
#include <string.h>

#include "call.h"
#include "cmd.h"
#include "log.h"

static const char *const cmd_hello_policies[] = { "finish", "drop", NULL };

static void cmd_hello_run(struct cmd_context *ctx, struct call *call)
{
        struct peer *p = call->peer;
        cJSON *response;

        if (p) {
                if (call->args.text[0])
                        strcpy(p->name, call->args.text);
                if (call->args.choice >= 0)
                        p->drop_on_disconnect = call->args.choice == 1;
                log_info("Client %llu is \"%s\" (pid %d), on disconnect: %s",
                         (unsigned long long) p->number, p->name, p->has_cred ? p->pid : 0,
                         cmd_hello_policies[p->drop_on_disconnect]);
        }
        response = call_response(call);
        if (p) {
                cJSON_AddNumberToObject(response, "client", (double) p->number);
                cJSON_AddItemToObject(response, "name", p->name[0] ? cJSON_CreateString(p->name)
                                                                   : cJSON_CreateNull());
                cJSON_AddStringToObject(response, "on_disconnect",
                                        cmd_hello_policies[p->drop_on_disconnect]);
        }
        call_reply(call, response);
}

static const struct cmd_arg cmd_hello_args[] = {
        { .name = "name", .type = CMD_ARG_TEXT,
          .help = "how status, the log and events name this client (not an authentication)" },
        { .name = "on_disconnect", .type = CMD_ARG_CHOICE, .def = -1,
          .offset = offsetof(struct cmd_args, choice), .choices = cmd_hello_policies,
          .help = "what happens to this client's queued frames when it goes away: \"finish\" "
                  "(they go out, the default) or \"drop\"" },
        { 0 }
};

const struct cmd cmd_hello = {
        .name = "hello",
        .help = "Say who this client is, and what to do with its queued frames when it goes "
                "away: {\"client\",\"name\",\"on_disconnect\"}. Any time, any number of times.",
        .args = cmd_hello_args,
        .run = cmd_hello_run,
};

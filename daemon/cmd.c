/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "call.h"
#include "cmd.h"
#include "log.h"
#include "manager.h"

const struct cmd *const cmd_table[] = {
        &cmd_ping,
        &cmd_version,
        &cmd_status,
        &cmd_move,
        &cmd_group_run,
        &cmd_group_stop,
        &cmd_halt,
        &cmd_group_speed,
        &cmd_battery,
        &cmd_subscribe,
        &cmd_unsubscribe,
        NULL,
};

const struct cmd *cmd_find(const char *name)
{
        for (size_t i = 0; cmd_table[i]; i++)
                if (strcmp(cmd_table[i]->name, name) == 0)
                        return cmd_table[i];
        return NULL;
}

int cmd_encode(const struct cmd *cmd, const struct cmd_args *args, uint8_t *buf, size_t size)
{
        return cmd->encode ? cmd->encode(args, buf, size) : 0;
}

void cmd_submit(struct manager *m, struct call *call, int lane, unsigned flags)
{
        uint8_t frame[LSC_FRAME_MAX_SIZE];
        int r = cmd_encode(call->cmd, &call->args, frame, sizeof(frame));

        if (r <= 0) {
                log_error("Refusing to send a %s frame that does not encode: %s", call->cmd->name,
                          lsc_strerror(r));
                call_fail(call, ERRCODE_INVALID_ARGUMENT, NULL, "%s", lsc_strerror(r));
                return;
        }
        manager_submit(m, call, frame, (size_t) r, (enum wire_lane) lane, flags);
}

const char *cmd_names(void)
{
        static char names[256];

        if (names[0] == '\0')
                for (size_t i = 0; cmd_table[i]; i++) {
                        if (i > 0)
                                strncat(names, ", ", sizeof(names) - strlen(names) - 1);
                        strncat(names, cmd_table[i]->name, sizeof(names) - strlen(names) - 1);
                }
        return names;
}

static void cmd_print_arg(FILE *f, const struct cmd_arg *a)
{
        static const char *const types[] = {
                [CMD_ARG_INT] = "integer", [CMD_ARG_BOOL] = "boolean",
                [CMD_ARG_GROUP_OR_ALL] = "integer or \"all\"",
                [CMD_ARG_SERVOS] = "array of {\"id\",\"position\"}",
                [CMD_ARG_EVENTS] = "array of names or prefixes",
        };

        fprintf(f, "    %-10s %s", a->name, types[a->type]);
        if (a->type == CMD_ARG_INT || a->type == CMD_ARG_GROUP_OR_ALL)
                fprintf(f, " %ld..%ld", a->min, a->max);
        if (a->required)
                fputs(", required", f);
        else if (a->type == CMD_ARG_INT)
                fprintf(f, ", default %ld", a->def);
        else if (a->type == CMD_ARG_BOOL)
                fprintf(f, ", default %s", a->def ? "true" : "false");
        fprintf(f, ": %s\n", a->help);
}

void cmd_print_help(FILE *f)
{
        for (size_t i = 0; cmd_table[i]; i++) {
                fprintf(f, "%s\n    %s\n", cmd_table[i]->name, cmd_table[i]->help);
                for (const struct cmd_arg *a = cmd_table[i]->args; a && a->name; a++)
                        cmd_print_arg(f, a);
        }
}

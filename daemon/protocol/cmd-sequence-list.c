/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "cmd.h"
#include "events.h"
#include "log.h"
#include "mem.h"
#include "sequence-yaml.h"

/* {"name","path","steps","duration_ms"} of a file, or {"name","path","error"}. */
static cJSON *cmd_sequence_list_file(const char *dir, const char *file)
{
        char *path = mem_printf("%s/%s", dir, file), *errors = NULL;
        struct sequence *seq = NULL;
        cJSON *o = cJSON_CreateObject();
        uint64_t ms = 0;

        cJSON_AddStringToObject(o, "path", path);
        if (sequence_load(path, &seq, &errors) < 0) {
                cJSON_AddStringToObject(o, "name", file);
                errors[strcspn(errors, "\n")] = '\0';
                cJSON_AddStringToObject(o, "error", errors);
        } else {
                for (size_t i = 0; i < seq->n_steps; i++)
                        ms += (uint64_t) seq->steps[i].time_ms + seq->steps[i].hold_ms;
                cJSON_AddStringToObject(o, "name", seq->name);
                cJSON_AddNumberToObject(o, "steps", (double) seq->n_steps);
                cJSON_AddNumberToObject(o, "duration_ms", (double) ms);
        }
        sequence_free(seq);
        free(errors);
        free(path);
        return o;
}

static void cmd_sequence_list_dir(const char *dir, cJSON *list)
{
        DIR *d = dir ? opendir(dir) : NULL;
        struct dirent *e;

        if (!d)
                return;
        while ((e = readdir(d))) {
                size_t len = strlen(e->d_name);

                if (len > 5 && strcmp(e->d_name + len - 5, ".yaml") == 0)
                        cJSON_AddItemToArray(list, cmd_sequence_list_file(dir, e->d_name));
        }
        closedir(d);
}

static void cmd_sequence_list_run(const struct player_run_info *run, void *arg)
{
        cJSON *o = cJSON_CreateObject();

        cJSON_AddNumberToObject(o, "run", (double) run->id);
        cJSON_AddItemToObject(o, "name", run->name[0] ? cJSON_CreateString(run->name)
                                                      : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "servos", event_servo_ids(run->servos));
        cJSON_AddItemToArray(arg, o);
}

static void cmd_sequence_list_run_verb(struct cmd_context *ctx, struct call *call)
{
        cJSON *response = call_response(call);
        cJSON *list = cJSON_AddArrayToObject(response, "sequences");

        for (size_t i = 0; i < 2; i++)
                cmd_sequence_list_dir(ctx->sequence_dirs[i], list);
        player_each(ctx->player, cmd_sequence_list_run, cJSON_AddArrayToObject(response, "playing"));
        call_reply(call, response);
}

const struct cmd cmd_sequence_list = {
        .name = "sequence.list",
        .help = "The sequence files (name, path, steps, duration_ms at speed 100, or the error "
                "that keeps one from playing) and the runs playing now.",
        .run = cmd_sequence_list_run_verb,
};

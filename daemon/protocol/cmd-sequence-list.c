/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "call.h"
#include "cmd.h"
#include "events.h"
#include "log.h"
#include "mem.h"
#include "sequence-cache.h"
#include "sequence-yaml.h"

/* The sequence NAME (from NAME.yaml) of a file, into NAME: false when
 * sequence.run could not play it by that name (not a name: hidden files,
 * spaces, dashes, non-ASCII), and such a file is not a sequence. */
static bool cmd_sequence_list_name(const char *file, char name[MODEL_NAME_MAX + 1])
{
        size_t len = strlen(file);

        if (len <= 5 || len - 5 > MODEL_NAME_MAX || strcmp(file + len - 5, ".yaml") != 0)
                return false;
        memcpy(name, file, len - 5);
        name[len - 5] = '\0';
        return model_name_valid(name);
}

/* {"name","path","steps","duration_ms"} of a file, or {"name","path","error"}:
 * from the cache while the file is unchanged. */
static cJSON *cmd_sequence_list_file(struct sequence_cache *cache, const char *dir,
                                     const char *name)
{
        char *path = mem_printf("%s/%s.yaml", dir, name), *errors = NULL;
        const struct sequence_summary *sum = NULL;
        struct sequence_file_id id = { 0 };
        struct sequence *seq = NULL;
        cJSON *o = cJSON_CreateObject();
        struct stat st;

        if (stat(path, &st) == 0) {
                sequence_file_id_of(&st, &id);
                sum = sequence_cache_find(cache, path, &id);
        }
        if (!sum) {
                sequence_load(path, &seq, &errors);
                sum = sequence_cache_put(cache, path, &id, seq, errors);
        }
        cJSON_AddStringToObject(o, "name", name);
        cJSON_AddStringToObject(o, "path", path);
        if (sum->error) {
                cJSON_AddStringToObject(o, "error", sum->error);
        } else {
                cJSON_AddNumberToObject(o, "steps", (double) sum->steps);
                cJSON_AddNumberToObject(o, "duration_ms", (double) sum->duration_ms);
        }
        sequence_free(seq);
        free(errors);
        free(path);
        return o;
}

static void cmd_sequence_list_dir(struct sequence_cache *cache, const char *dir, cJSON *list)
{
        DIR *d = dir ? opendir(dir) : NULL;
        char name[MODEL_NAME_MAX + 1];
        struct dirent *e;

        if (!d)
                return;
        while ((e = readdir(d)))
                if (cmd_sequence_list_name(e->d_name, name))
                        cJSON_AddItemToArray(list, cmd_sequence_list_file(cache, dir, name));
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
                cmd_sequence_list_dir(ctx->sequence_cache, ctx->sequence_dirs[i], list);
        sequence_cache_sweep(ctx->sequence_cache);
        player_each(ctx->player, cmd_sequence_list_run, cJSON_AddArrayToObject(response, "playing"));
        call_reply(call, response);
}

const struct cmd cmd_sequence_list = {
        .name = "sequence.list",
        .help = "The sequence files (name, path, steps, duration_ms at speed 100, or the error "
                "that keeps one from playing) and the runs playing now.",
        .run = cmd_sequence_list_run_verb,
};

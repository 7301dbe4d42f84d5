/* SPDX-License-Identifier: MIT */
/*
 * record.start, record.stop: capture every move that reaches the wire for
 * chosen servos, whoever sent it, into a sequence file in the recordings
 * directory (recorder.h), playable with sequence.run.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "call.h"
#include "clock.h"
#include "cmd.h"
#include "log.h"
#include "mem.h"
#include "replace.h"

/* The file of recording NAME, or NULL without a recordings directory. */
static char *cmd_record_path(const struct cmd_context *ctx, const char *name)
{
        return ctx->sequence_dirs[1] ? mem_printf("%s/%s.yaml", ctx->sequence_dirs[1], name) : NULL;
}

static void cmd_record_start_run(struct cmd_context *ctx, struct call *call)
{
        const struct cmd_args *a = &call->args;
        char *path = cmd_record_path(ctx, a->name);
        struct stat st;

        if (robot_recording(ctx->robot))
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, NULL, "a recording (%s) runs already",
                          robot_recording(ctx->robot)->name);
        else if (!path)
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, NULL, "lscd has no --recordings");
        else if (!a->replace && stat(path, &st) == 0)
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, "name", "%s exists (\"replace\":true "
                          "overwrites it)", path);
        else {
                robot_record(ctx->robot, recorder_new(a->name, a->plan.mask));
                call_reply_ok(call);
        }
        free(path);
}

/* Write TEXT to PATH whole, making its directory: 0 or -errno. */
static int cmd_record_write(const char *path, const char *text)
{
        char *dir = mem_strdup(path);
        int r = 0;

        *strrchr(dir, '/') = '\0';
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                r = -errno;
        free(dir);
        return r < 0 ? r : replace_file(path, text, strlen(text));
}

static void cmd_record_stop_run(struct cmd_context *ctx, struct call *call)
{
        struct recorder *rec = robot_record_stop(ctx->robot);
        char header[128], *text, *path;
        time_t now = time(NULL);
        struct tm tm;
        cJSON *response;
        int r;

        if (!rec || rec->n_moves == 0) {
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, NULL, rec ? "nothing was recorded: no "
                          "move of those servos reached the wire" : "no recording runs");
                recorder_free(rec);
                return;
        }
        gmtime_r(&now, &tm);
        strftime(header, sizeof(header), "Recorded by lscd, %Y-%m-%d %H:%M:%S UTC", &tm);
        text = recorder_yaml(rec, robot_model(ctx->robot), header);
        path = cmd_record_path(ctx, rec->name);
        r = cmd_record_write(path, text);
        if (r < 0) {
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, NULL, "cannot write %s: %s", path,
                          strerror(-r));
        } else {
                log_info("Recorded %zu moves into %s", rec->n_moves, path);
                response = call_response(call);
                cJSON_AddStringToObject(response, "name", rec->name);
                cJSON_AddStringToObject(response, "path", path);
                cJSON_AddNumberToObject(response, "steps", (double) rec->n_moves);
                cJSON_AddNumberToObject(response, "dropped", (double) rec->dropped);
                call_reply(call, response);
        }
        free(path);
        free(text);
        recorder_free(rec);
}

static int cmd_record_start_prepare(const struct model *m, const struct servos *s,
                                    struct cmd_args *a, struct fail *f)
{
        return cmd_servo_set(m, a, f);
}

static const struct cmd_arg cmd_record_start_args[] = {
        { .name = "name", .type = CMD_ARG_NAME, .required = true,
          .help = "the sequence to write, NAME.yaml in the recordings directory" },
        { .name = "servos", .type = CMD_ARG_SERVO_SET, .required = true,
          .help = "the servos whose moves are recorded, by id or name, or \"all\"" },
        { .name = "replace", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, replace),
          .help = "overwrite a recording of that name" },
        { 0 }
};

const struct cmd cmd_record_start = {
        .name = "record.start",
        .flags = CMD_WRITE,
        .help = "Record every move of these servos that reaches the wire, whoever sends it: {}.",
        .args = cmd_record_start_args,
        .prepare = cmd_record_start_prepare,
        .run = cmd_record_start_run,
};

const struct cmd cmd_record_stop = {
        .name = "record.stop",
        .flags = CMD_WRITE,
        .help = "Stop recording and write the sequence file: {\"name\",\"path\",\"steps\","
                "\"dropped\"}; sequence.run plays it.",
        .run = cmd_record_stop_run,
};

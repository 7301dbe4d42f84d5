/* SPDX-License-Identifier: MIT */
/*
 * record.start, record.stop: capture every move that reaches the wire for
 * chosen servos, whoever sent it, into a sequence file in the recordings
 * directory (recorder.h), playable with sequence.run. In teach mode (a bus
 * board) the servos are unloaded first, and their positions read every
 * period are recorded too: the motion a hand gives them.
 */
#include <assert.h>
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
#include "sequence-yaml.h"

/* The file of recording NAME, or NULL without a recordings directory. */
static char *cmd_record_path(const struct cmd_context *ctx, const char *name)
{
        return ctx->sequence_dirs[1] ? mem_printf("%s/%s.yaml", ctx->sequence_dirs[1], name) : NULL;
}

/* The read-only sequence file of NAME, when there is one: sequence.run
 * would play it, never a recording of that name. NULL or its path. */
static char *cmd_record_shadow(const struct cmd_context *ctx, const char *name)
{
        const char *const *dirs = ctx->sequence_dirs;
        struct stat st;
        char *path;

        if (!dirs[0] || (dirs[1] && strcmp(dirs[0], dirs[1]) == 0))
                return NULL;
        path = mem_printf("%s/%s.yaml", dirs[0], name);
        if (stat(path, &st) == 0)
                return path;
        free(path);
        return NULL;
}

/* Whether CALL may start its recording; false after answering it. */
static bool cmd_record_may_start(struct cmd_context *ctx, struct call *call)
{
        const struct cmd_args *a = &call->args;
        char *path = cmd_record_path(ctx, a->name);
        char *shadow = cmd_record_shadow(ctx, a->name);
        struct stat st;
        bool ok = false;

        if (robot_recording(ctx->robot))
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, NULL, "a recording (%s) runs already",
                          robot_recording(ctx->robot)->name);
        else if (!path)
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, NULL, "lscd has no --recordings");
        else if (shadow)
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, "name", "%s, a read-only sequence, "
                          "has that name: sequence.run would play it, never the recording "
                          "(choose another name)", shadow);
        else if (!a->replace && stat(path, &st) == 0)
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, "name", "%s exists (\"replace\":true "
                          "overwrites it)", path);
        else
                ok = true;
        free(shadow);
        free(path);
        return ok;
}

/* Start CALL's recording: it runs from the moment its request is read, so
 * that a record.stop read next stops it. */
static void cmd_record_begin(struct cmd_context *ctx, struct call *call)
{
        struct recorder *rec = recorder_new(call->args.name, call->args.plan.mask);
        struct recorder *kept = robot_record_kept(ctx->robot);

        if (kept)
                log_warning("The recording %s, never written, is discarded: %s starts", kept->name,
                            rec->name);
        recorder_free(kept);
        rec->number = call->recording = ++ctx->recordings;
        robot_record(ctx->robot, rec);
}

static void cmd_record_start_run(struct cmd_context *ctx, struct call *call)
{
        if (!cmd_record_may_start(ctx, call))
                return;
        if (call->args.teach) {
                /* Teach unloads the servos: refused, as a move of them
                 * would be, while another client holds a claim on one.
                 * Its samples begin once the unload is written. */
                if (!cmd_claims_allow(ctx, call, call->args.plan.mask, false))
                        return;
                if (cmd_submit(ctx, call, WIRE_LANE_NORMAL, 0) == 0)    /* the unload */
                        cmd_record_begin(ctx, call);
                return;
        }
        cmd_record_begin(ctx, call);
        call_reply_ok(call);
}

/* CALL's recording, while it runs. */
static bool cmd_record_runs(struct cmd_context *ctx, const struct call *call)
{
        const struct recorder *rec = robot_recording(ctx->robot);

        return rec && rec->number == call->recording;
}

/* Teach's unload will never be written: its recording ends unwritten. */
static void cmd_record_start_unwritten(struct cmd_context *ctx, struct call *call)
{
        if (cmd_record_runs(ctx, call))
                recorder_free(robot_record_stop(ctx->robot));
}

/* A teach reading was answered: the servos read are a sample, each kept
 * within its limits so that the sequence plays (a hand may move a servo
 * past them, a trim below 0). */
static void cmd_record_sample(struct call *call, unsigned value)
{
        const struct model *m = robot_model(call->ctx->robot);
        int logical[LSC_SERVO_ID_MAX + 1];
        uint64_t read;
        size_t clamped = 0;
        struct servos_plan plan = { .time_ms = (unsigned) call->args.time_ms };

        cJSON_Delete(cmd_positions_read(call->ctx, call->args.plan.mask, logical, &read));
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++) {
                const struct model_servo *s = &m->servos[id];
                int at;

                if (!(read & (UINT64_C(1) << id)))
                        continue;
                at = logical[id] < s->min ? s->min : logical[id] > s->max ? s->max : logical[id];
                clamped += at != logical[id];
                plan.ids[plan.n] = id;
                plan.logical[plan.n++] = at;
                plan.mask |= UINT64_C(1) << id;
        }
        if (plan.n)
                robot_teach_sample(call->ctx->robot, &plan, clamped);
        call_reply_ok(call);
}

/* The teach mode's readings: calls of no client, answered to nobody. */
static const struct cmd cmd_record_teach = {
        .name = "record.start",
        .board_reply = cmd_record_sample,
};

/* Whether a teach read waits on the board (shares a query, or the next). */
static bool cmd_record_reading(struct cmd_context *ctx)
{
        const struct board_state *bs = board_state(ctx->board);
        const struct board_waiter *lists[] = { bs->positions.waiters, bs->positions_next.waiters };

        for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
                for (const struct board_waiter *w = lists[i]; w; w = w->next)
                        if (((const struct call *) ((const char *) w - offsetof(struct call,
                                                    waiter)))->cmd == &cmd_record_teach)
                                return true;
        return false;
}

/* A period: read the servos, unless the last read is still outstanding
 * (a slow or silent board): reads never pile up. */
static void cmd_record_teach_fire(void *userdata)
{
        struct cmd_context *ctx = userdata;
        const struct recorder *rec = robot_recording(ctx->robot);
        struct call *call;

        if (cmd_record_reading(ctx)) {
                robot_teach_skip(ctx->robot);
                return;
        }
        call = call_new(ctx, NULL, NULL, 0);
        call->cmd = &cmd_record_teach;
        call->args.plan.mask = call->waiter.servos = rec->servos;
        call->args.time_ms = recorder_teach_period_ms((size_t) __builtin_popcountll(rec->servos));
        board_positions(ctx->board, &call->waiter);
}

/* Teach mode: the servos are limp; read them every period. */
static void cmd_record_start_written(struct cmd_context *ctx, struct call *call)
{
        const struct cmd_args *a = &call->args;
        unsigned period = recorder_teach_period_ms((size_t) __builtin_popcountll(a->plan.mask));
        cJSON *response;
        int r;

        robot_unloaded(ctx->robot, a->plan.mask);
        /* The unload was written: the answer is ok. A record.stop, or a
         * reload that changed the board, ended the recording meanwhile. */
        if (!cmd_record_runs(ctx, call)) {
                response = call_response(call);
                cJSON_AddNumberToObject(response, "period_ms", period);
                cJSON_AddTrueToObject(response, "ended");
                call_reply(call, response);
                return;
        }
        r = robot_teach(ctx->robot, period, cmd_record_teach_fire, ctx);
        if (r < 0) {
                recorder_free(robot_record_stop(ctx->robot));
                call_fail(call, LSC_ERRCODE_SHUTDOWN, NULL, "cannot arm a timer: %s", strerror(-r));
                return;
        }
        response = call_response(call);
        cJSON_AddNumberToObject(response, "period_ms", period);
        call_reply(call, response);
}

/* Write TEXT to PATH whole, making its directory: 0 or -errno. */
static int cmd_record_write(const char *path, const char *text)
{
        char *dir = mem_strdup(path);
        int r = 0;

        *strrchr(dir, '/') = '\0';
        r = replace_mkdirs(dir);
        free(dir);
        return r < 0 ? r : replace_file(path, text, strlen(text));
}

/* Write REC (recorded with model M) into its file, its text made the
 * first time (a kept recording is written as it was stopped), adding
 * {"name","path","steps","dropped","skipped","clamped"} to INTO: 0; 1
 * when a read-only sequence *PATH (free it) has its name, nothing
 * written; or -errno with *PATH the file it could not write. */
static int cmd_record_save(struct cmd_context *ctx, struct recorder *rec,
                           const struct model *m, cJSON *into, char **path)
{
        char header[128];
        time_t now = time(NULL);
        struct tm tm;
        int r;

        if (!rec->text) {
                gmtime_r(&now, &tm);
                strftime(header, sizeof(header), "Recorded by lscd, %Y-%m-%d %H:%M:%S UTC", &tm);
                rec->text = recorder_yaml(rec, m, header, SEQUENCE_FILE_MAX);
        }
        *path = cmd_record_shadow(ctx, rec->name);
        if (*path)
                return 1;
        *path = cmd_record_path(ctx, rec->name);
        r = cmd_record_write(*path, rec->text);
        if (r < 0)
                return r;
        log_info("Recorded %zu moves into %s", rec->n_moves, *path);
        cJSON_AddStringToObject(into, "name", rec->name);
        cJSON_AddStringToObject(into, "path", *path);
        cJSON_AddNumberToObject(into, "steps", (double) rec->n_moves);
        cJSON_AddNumberToObject(into, "dropped", (double) rec->dropped);
        cJSON_AddNumberToObject(into, "skipped", (double) rec->skipped);
        cJSON_AddNumberToObject(into, "clamped", (double) rec->clamped);
        return 0;
}

static void cmd_record_stop_run(struct cmd_context *ctx, struct call *call)
{
        struct recorder *rec = robot_record_stop(ctx->robot);
        cJSON *response;
        char *path = NULL;
        int r;

        if (!rec)
                rec = robot_record_kept(ctx->robot);
        if (!rec) {
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, NULL, "no recording runs");
                return;
        }
        if (rec->n_moves == 0) {
                char teach[96] = "";    /* only teach mode skips periods */

                if (rec->skipped)
                        snprintf(teach, sizeof(teach), ", and %zu teach periods read nothing "
                                 "(the board did not answer)", rec->skipped);
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, NULL, "the recording %s stopped "
                          "with nothing recorded, no file written: no move of those servos "
                          "reached the wire%s", rec->name, teach);
                recorder_free(rec);
                return;
        }
        response = call_response(call);
        r = cmd_record_save(ctx, rec, robot_model(ctx->robot), response, &path);
        if (r == 0) {
                call_reply(call, response);
                recorder_free(rec);
        } else {
                cJSON_Delete(response);
                if (r > 0)
                        call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, NULL, "%s, a read-only "
                                  "sequence, has the recording's name %s: sequence.run would "
                                  "play it, never the recording. The recording is kept: "
                                  "record.stop writes it once that file is gone", path, rec->name);
                else
                        call_fail(call, LSC_ERRCODE_IO_ERROR, NULL, "cannot write %s: %s. The "
                                  "recording is kept: record.stop writes it once that is fixed",
                                  path, strerror(-r));
                robot_record_keep(ctx->robot, rec);
        }
        free(path);
}

cJSON *cmd_record_end(struct cmd_context *ctx, struct recorder *rec, const struct model *m)
{
        cJSON *o = cJSON_CreateObject();
        char *path = NULL;
        int r = rec->n_moves ? cmd_record_save(ctx, rec, m, o, &path) : 0;

        if (rec->n_moves == 0) {
                cJSON_AddStringToObject(o, "name", rec->name);
                cJSON_AddNumberToObject(o, "steps", 0);
        } else if (r != 0) {
                log_warning("The recording %s ended, kept for record.stop: %s: %s", rec->name,
                            path, r > 0 ? "a read-only sequence has its name" : strerror(-r));
                cJSON_AddStringToObject(o, "name", rec->name);
                cJSON_AddStringToObject(o, "error", r > 0 ? "a read-only sequence has its name" :
                                        strerror(-r));
                cJSON_AddTrueToObject(o, "kept");
                robot_record_keep(ctx->robot, rec);
                rec = NULL;
        }
        free(path);
        recorder_free(rec);
        return o;
}

static void cmd_record_unload_done(void *userdata, enum wire_result result)
{
        if (result != WIRE_WRITTEN)
                log_warning("Teach mode's servos were not unloaded again: %s",
                            wire_result_string(result));
}

void cmd_record_connected(struct cmd_context *ctx)
{
        const struct recorder *rec = robot_recording(ctx->robot);
        struct cmd_args a = { .plan.mask = rec ? rec->servos : 0 };
        uint8_t frame[LSC_FRAME_MAX_SIZE];
        struct wire_request req = {
                .frame = frame, .lane = WIRE_LANE_RESTORE, .servo_mask = a.plan.mask,
                .done = cmd_record_unload_done, .userdata = ctx,
        };
        int r;

        if (!rec || !robot_teaching(ctx->robot))
                return;
        r = cmd_encode_unload(&a, frame, sizeof(frame));
        assert(r > 0);
        req.size = (size_t) r;
        r = wire_submit(ctx->wire, &req);
        if (r < 0)
                log_warning_errno(r, "Teach mode's servos cannot be unloaded again");
        else
                log_info("The board is back in teach mode (%s): its servos are unloaded again",
                         rec->name);
}

/* Teach mode's frame: the unload of its servos. */
static int cmd_record_start_encode(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        return a->teach ? cmd_encode_unload(a, buf, size) : 0;
}

/* Teach mode needs a board that unloads and reads; its "all" is the named
 * servos, as for positions. */
static int cmd_record_start_prepare(const struct model *m, const struct servos *s,
                                    struct cmd_args *a, struct fail *f)
{
        int r;

        if (!a->teach) {
                r = cmd_servo_set(m, a, f);
                return r < 0 ? r : cmd_some_servos(a, f);
        }
        if (cmd_board_takes(m, LSC_CMD_MULT_SERVO_UNLOAD, "teach", f) < 0 ||
            cmd_board_takes(m, LSC_CMD_MULT_SERVO_POS_READ, "teach", f) < 0)
                return -EINVAL;
        return cmd_named_servos(m, a, f);
}

static const struct cmd_arg cmd_record_start_args[] = {
        { .name = "name", .type = CMD_ARG_NAME, .required = true,
          .help = "the sequence to write, NAME.yaml in the recordings directory" },
        { .name = "servos", .type = CMD_ARG_SERVO_SET, .required = true,
          .help = "the servos whose moves are recorded, by id or name, or \"all\"" },
        { .name = "replace", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, replace),
          .help = "overwrite a recording of that name" },
        { .name = "teach", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, teach),
          .help = "teach mode (bus board): unload the servos and record their positions, "
                  "read every period, as they are moved by hand" },
        { 0 }
};

const struct cmd cmd_record_start = {
        .name = "record.start",
        .flags = CMD_WRITE,
        .help = "Record every move of these servos that reaches the wire, whoever sends it: {}; "
                "with teach, also their positions as a hand moves them: {\"period_ms\"}.",
        .args = cmd_record_start_args,
        .prepare = cmd_record_start_prepare,
        .encode = cmd_record_start_encode,
        .run = cmd_record_start_run,
        .written = cmd_record_start_written,
        .unwritten = cmd_record_start_unwritten,
};

const struct cmd cmd_record_stop = {
        .name = "record.stop",
        .flags = CMD_WRITE,
        .help = "Stop recording and write the sequence file: {\"name\",\"path\",\"steps\","
                "\"dropped\",\"skipped\",\"clamped\"}; sequence.run plays it. A recording "
                "whose file could not be written is kept, and written by the next record.stop.",
        .run = cmd_record_stop_run,
};

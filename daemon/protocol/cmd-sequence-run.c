/* SPDX-License-Identifier: MIT */
/*
 * sequence.run: a sequence from a file (by name) or inline, checked whole
 * against the robot model before anything moves, then played by lscd
 * (player.h). Also the player's events: sequence.started, sequence.step,
 * sequence.completed and sequence.stopped.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "clock.h"
#include "cmd.h"
#include "events.h"
#include "mem.h"
#include "sequence-yaml.h"

#define CMD_SEQUENCE_LOOPS_MAX 1000000
/* A scheduled run is read and planned this long before its "at". From a
 * file, on 2 busy cores: 200 steps took about 1 ms, 1,000 about 3 ms, and
 * the largest files (256 KiB: 10,000 pose steps, or 859 steps of 32
 * servos) 10 to 120 ms, which the lead does not cover: their first steps
 * are late, the ones after on time. */
#define CMD_SEQUENCE_RUN_LEAD_USEC 20000

static int cmd_sequence_find(const struct cmd_context *ctx, const char *name, struct sequence **ret,
                             char **errors)
{
        int r = -ENOENT;

        *errors = NULL;
        for (size_t i = 0; i < 2 && r == -ENOENT; i++) {
                char *path;

                if (!ctx->sequence_dirs[i])
                        continue;
                path = mem_printf("%s/%s.yaml", ctx->sequence_dirs[i], name);
                free(*errors);
                *errors = NULL;
                r = sequence_load(path, ret, errors);
                free(path);
        }
        return r;
}

/* A sequence whose shape is wrong, into F: the first error ("FILE:LINE:
 * what"). Inline steps are one line of the request: their error is the
 * what alone, and the step it names ("step N: ...") is the field. */
static int cmd_sequence_run_invalid(struct fail *f, bool inline_steps, const char *errors)
{
        const char *what = inline_steps && strstr(errors, ": ") ? strstr(errors, ": ") + 2 : errors;
        char field[32] = "name";
        size_t i;

        if (inline_steps)
                snprintf(field, sizeof(field), "steps");
        if (inline_steps && sscanf(what, "step %zu", &i) == 1)
                snprintf(field, sizeof(field), "steps[%zu]", i);
        return fail(f, LSC_ERRCODE_INVALID_ARGUMENT, field, "%.*s", (int) strcspn(what, "\n"),
                    what);
}

/* Inline steps are read as the request arrives, even one scheduled "at":
 * a bad step is refused at once, and a scheduled run does not spend its
 * first step's time reading them. A named sequence is read when it runs. */
static int cmd_sequence_run_prepare(const struct model *m, const struct servos *s,
                                    struct cmd_args *a, struct fail *f)
{
        char *errors = NULL;
        int r = 0;

        if (a->steps_text && a->name[0])
                return fail(f, LSC_ERRCODE_INVALID_ARGUMENT, "steps", "sequence.run takes "
                            "\"name\" or \"steps\", not both");
        if (a->steps_text && sequence_parse(a->steps_text, strlen(a->steps_text), "steps", "",
                                            &a->sequence, &errors) < 0)
                r = cmd_sequence_run_invalid(f, true, errors);
        free(errors);
        return r;
}

/* The request's sequence, read by prepare or from its file; false after
 * failing CALL. */
static bool cmd_sequence_run_load(struct cmd_context *ctx, struct call *call,
                                  struct sequence **ret)
{
        struct cmd_args *a = &call->args;
        char *errors = NULL;
        struct fail f;
        int r;

        if (a->sequence) {
                *ret = a->sequence;
                a->sequence = NULL;
                return true;
        }
        r = cmd_sequence_find(ctx, a->name, ret, &errors);
        if (r == -ENOENT)
                call_fail(call, LSC_ERRCODE_UNKNOWN_SEQUENCE, "name", "no sequence is named \"%s\"",
                          a->name);
        else if (r < 0) {
                cmd_sequence_run_invalid(&f, false, errors);
                call_fail(call, f.code, f.field, "%s", f.message);
        }
        free(errors);
        return r >= 0;
}

/* The run's own fields, for answers and events. */
static void cmd_sequence_add(cJSON *o, const struct player_run_info *run)
{
        cJSON_AddNumberToObject(o, "run", (double) run->id);
        cJSON_AddItemToObject(o, "name", run->name[0] ? cJSON_CreateString(run->name)
                                                      : cJSON_CreateNull());
}

/* When CALL's run starts (CLOCK_MONOTONIC usec): now, or for a request
 * scheduled "at", that moment. It runs in its lead, so that reading and
 * planning the sequence are done when the first step's timer fires; if
 * the timer fired late, its steps keep their times all the same. A moment
 * further than the lead ahead (the guard fired: the wall clock stepped
 * back) or than the guard back (it stepped forward past it) starts it now. */
static uint64_t cmd_sequence_run_start(const struct call *call)
{
        uint64_t now = clock_usec(CLOCK_MONOTONIC), wall = clock_usec(CLOCK_REALTIME);
        uint64_t at = call->args.at;

        if (!call->timed)
                return now;
        if (at >= wall)
                return at - wall <= call->cmd->lead_usec ? now + (at - wall) : now;
        return wall - at <= SCHEDULE_GUARD_USEC && wall - at <= now ? now - (wall - at) : now;
}

/* Hand SEQ and PLANS to the player; CALL is answered now, or with wait
 * when the run ends. */
static void cmd_sequence_start(struct cmd_context *ctx, struct call *call, struct sequence *seq,
                               struct servos_plan *plans, const struct board_by *by)
{
        const struct cmd_args *a = &call->args;
        uint64_t duration = 0, id;
        struct player_start start = {
                .seq = seq, .plans = plans, .speed = (unsigned) a->speed,
                .loops = (uint64_t) a->loops, .owner = call->peer ? call->peer->number : 0,
                .wire_owner = call->peer ? peer_owner(call->peer) : NULL, .by = by,
                .start = cmd_sequence_run_start(call), .waiter = a->wait ? call : NULL,
        };
        size_t n = seq->n_steps;
        cJSON *response;

        for (size_t i = 0; i < n; i++)
                duration += sequence_step_usec(seq, plans, start.speed, i);
        id = player_start(ctx->player, &start);
        if (a->wait || id == 0)
                return;
        response = call_response(call);
        cJSON_AddNumberToObject(response, "run", (double) id);
        cJSON_AddNumberToObject(response, "steps", (double) n);
        cJSON_AddNumberToObject(response, "duration_ms", (double) (duration / 1000));
        call_reply(call, response);
}

static void cmd_sequence_run_run(struct cmd_context *ctx, struct call *call)
{
        const struct cmd_args *a = &call->args;
        struct sequence *seq;
        struct servos_plan *plans;
        struct board_by by;
        uint64_t servos = 0;
        struct fail f;

        if (!a->steps_text && !a->name[0]) {
                call_fail(call, LSC_ERRCODE_MISSING_ARGUMENT, "name", "sequence.run needs \"name\" "
                          "or \"steps\"");
                return;
        }
        if (!cmd_sequence_run_load(ctx, call, &seq))
                return;
        plans = mem_realloc_array(NULL, seq->n_steps, sizeof(*plans));
        if (sequence_plan(seq, robot_model(ctx->robot), robot_servos(ctx->robot),
                          (unsigned) a->speed, plans, &f) < 0) {
                call_fail(call, f.code, f.field, "%s", f.message);
                goto out;
        }
        for (size_t i = 0; i < seq->n_steps; i++)
                servos |= plans[i].mask;
        if (!cmd_claims_allow(ctx, call, servos, false))
                goto out;
        if (!wire_attached(ctx->wire)) {
                call_fail(call, LSC_ERRCODE_NOT_CONNECTED, NULL, "the device is not connected");
                goto out;
        }
        cmd_sequence_start(ctx, call, seq, plans, call_by(call, &by) ? &by : NULL);
        return;
out:
        sequence_free(seq);
        free(plans);
}

static void cmd_player_publish(struct cmd_context *ctx, enum lsc_event type,
                               const struct player_run_info *run, cJSON *event)
{
        cmd_sequence_add(event, run);
        ctx->publish(ctx->userdata, type, event);
        cJSON_Delete(event);
}

static void cmd_player_started(void *userdata, const struct player_run_info *run)
{
        cJSON *event = event_new(lsc_event_name(LSC_EVENT_SEQUENCE_STARTED));

        cJSON_AddNumberToObject(event, "steps", (double) run->n_steps);
        cJSON_AddNumberToObject(event, "loops", (double) run->loops);
        cJSON_AddNumberToObject(event, "speed", run->speed);
        cJSON_AddItemToObject(event, "servos", event_servo_ids(run->servos));
        if (run->by)
                event_add_by(event, run->by->client, run->by->name);
        cmd_player_publish(userdata, LSC_EVENT_SEQUENCE_STARTED, run, event);
}

static void cmd_player_step(void *userdata, const struct player_run_info *run, uint64_t loop,
                            size_t step)
{
        cJSON *event = event_new(lsc_event_name(LSC_EVENT_SEQUENCE_STEP));

        cJSON_AddNumberToObject(event, "loop", (double) loop);
        cJSON_AddNumberToObject(event, "step", (double) step);
        cmd_player_publish(userdata, LSC_EVENT_SEQUENCE_STEP, run, event);
}

static const char *const cmd_player_reasons[] = {
        [PLAYER_COMPLETED] = "completed", [PLAYER_STOPPED] = "stopped",
        [PLAYER_PREEMPTED] = "preempted", [PLAYER_DEVICE_LOST] = "device_lost",
        [PLAYER_SHUTDOWN] = "shutdown", [PLAYER_CANCELLED] = "cancelled",
};

static void cmd_player_answer(struct call *call, const struct player_run_info *run,
                              enum player_end how)
{
        static const enum lsc_errcode codes[] = {
                [PLAYER_STOPPED] = LSC_ERRCODE_STOPPED, [PLAYER_PREEMPTED] = LSC_ERRCODE_PREEMPTED,
                [PLAYER_DEVICE_LOST] = LSC_ERRCODE_DEVICE_LOST, [PLAYER_SHUTDOWN] = LSC_ERRCODE_SHUTDOWN,
                [PLAYER_CANCELLED] = LSC_ERRCODE_CANCELLED,
        };
        cJSON *response;

        if (how != PLAYER_COMPLETED) {
                call_fail(call, codes[how], NULL, "the sequence ended: %s", cmd_player_reasons[how]);
                return;
        }
        response = call_response(call);
        cJSON_AddNumberToObject(response, "run", (double) run->id);
        cJSON_AddTrueToObject(response, "completed");
        call_reply(call, response);
}

static void cmd_player_ended(void *userdata, const struct player_run_info *run,
                             enum player_end how, const struct board_by *by, void *waiter)
{
        enum lsc_event type = how == PLAYER_COMPLETED ? LSC_EVENT_SEQUENCE_COMPLETED
                                                      : LSC_EVENT_SEQUENCE_STOPPED;
        cJSON *event = event_new(lsc_event_name(type));

        if (how != PLAYER_COMPLETED)
                cJSON_AddStringToObject(event, "reason", cmd_player_reasons[how]);
        if (by)
                event_add_by(event, by->client, by->name);
        cmd_player_publish(userdata, type, run, event);
        if (waiter)
                cmd_player_answer(waiter, run, how);
}

const struct player_ops cmd_player_ops = {
        .started = cmd_player_started,
        .step = cmd_player_step,
        .ended = cmd_player_ended,
};

static const struct cmd_arg cmd_sequence_run_args[] = {
        { .name = "name", .type = CMD_ARG_NAME,
          .help = "a sequence file, NAME.yaml in the sequence directories" },
        { .name = "steps", .type = CMD_ARG_STEPS,
          .help = "the steps inline, as in a sequence file (instead of name)" },
        { .name = "loops", .type = CMD_ARG_INT, .def = 1, .min = 0, .max = CMD_SEQUENCE_LOOPS_MAX,
          .offset = offsetof(struct cmd_args, loops), .help = "how many times, 0 = forever" },
        { .name = "speed", .type = CMD_ARG_INT, .def = 100, .min = SEQUENCE_SPEED_MIN,
          .max = SEQUENCE_SPEED_MAX, .offset = offsetof(struct cmd_args, speed),
          .help = "percent of the written times (200 = twice as fast), within max_speed" },
        { .name = "wait", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, wait),
          .help = "answer when the run ends, not when it starts" },
        CMD_ARG_AT,
        { 0 }
};

const struct cmd cmd_sequence_run = {
        .name = "sequence.run",
        .flags = CMD_WRITE,
        .lead_usec = CMD_SEQUENCE_RUN_LEAD_USEC,
        .help = "Play a sequence, every step checked first: {\"run\",\"steps\",\"duration_ms\"}, "
                "or with wait {\"run\",\"completed\":true} at its end.",
        .args = cmd_sequence_run_args,
        .prepare = cmd_sequence_run_prepare,
        .run = cmd_sequence_run_run,
};

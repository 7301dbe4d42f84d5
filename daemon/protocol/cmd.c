/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "call.h"
#include "clock.h"
#include "list.h"
#include "cmd.h"
#include "events.h"
#include "log.h"
#include "request.h"
#include "txqueue.h"

const struct cmd *const cmd_table[] = {
        &cmd_ping,
        &cmd_version,
        &cmd_status,
        &cmd_move,
        &cmd_pose,
        &cmd_group_run,
        &cmd_group_stop,
        &cmd_halt,
        &cmd_group_speed,
        &cmd_battery,
        &cmd_subscribe,
        &cmd_unsubscribe,
        &cmd_servos,
        &cmd_robot,
        &cmd_config_reload,
        &cmd_hello,
        &cmd_claim,
        &cmd_release,
        &cmd_sequence_run,
        &cmd_sequence_stop,
        &cmd_sequence_list,
        &cmd_cancel,
        &cmd_record_start,
        &cmd_record_stop,
        &cmd_unload,
        &cmd_positions,
        NULL,
};

const struct cmd *cmd_find(const char *name)
{
        for (size_t i = 0; cmd_table[i]; i++)
                if (strcmp(cmd_table[i]->name, name) == 0)
                        return cmd_table[i];
        return NULL;
}

/* Whether CMD takes a group argument. */
static bool cmd_takes_group(const struct cmd *cmd)
{
        for (const struct cmd_arg *a = cmd->args; a && a->name; a++)
                if (a->type == CMD_ARG_GROUP || a->type == CMD_ARG_GROUP_OR_ALL)
                        return true;
        return false;
}

void cmd_args_free(struct cmd_args *args)
{
        free(args->steps_text);
        free(args->any_text);
        args->steps_text = NULL;
        args->sequence = sequence_free(args->sequence);
        args->any_text = NULL;
}

bool cmd_claims_allow(struct cmd_context *ctx, struct call *call, uint64_t servos, bool groups)
{
        const struct claim *holder;

        if (!call->peer)
                return true;
        holder = claims_conflict(robot_claims(ctx->robot), call->peer->number, servos, groups);
        if (holder)
                cmd_claim_refuse(call, holder);
        return !holder;
}

int cmd_servo_set(const struct model *m, struct cmd_args *a, struct fail *f)
{
        char at[32];

        if (a->all) {
                a->plan.mask = CLAIMS_ALL_SERVOS;
                a->groups = true;
        }
        for (size_t i = 0; i < a->n_specs; i++) {
                unsigned id = a->specs[i].name[0] ? model_servo_id(m, a->specs[i].name)
                                                  : a->specs[i].id;

                snprintf(at, sizeof(at), "servos[%zu]", i);
                if (!id)
                        return fail(f, LSC_ERRCODE_UNKNOWN_SERVO, at, "no servo is named \"%s\"",
                                    a->specs[i].name);
                a->plan.mask |= UINT64_C(1) << id;
        }
        return 0;
}

int cmd_some_servos(const struct cmd_args *a, struct fail *f)
{
        if (a->plan.mask)
                return 0;
        return fail(f, LSC_ERRCODE_INVALID_ARGUMENT, "servos", "servos names none: give at "
                    "least one servo, or \"all\"");
}

int cmd_named_servos(const struct model *m, struct cmd_args *a, struct fail *f)
{
        int r = cmd_servo_set(m, a, f);

        if (r < 0)
                return r;
        if (!a->all)
                return cmd_some_servos(a, f);
        a->plan.mask = 0;
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                if (m->servos[id].name[0])
                        a->plan.mask |= UINT64_C(1) << id;
        if (!a->plan.mask)
                return fail(f, LSC_ERRCODE_INVALID_ARGUMENT, "servos", "\"all\" is the servos "
                            "the robot file names, and it names none: give their ids");
        return 0;
}

/* bus-servo-and-d6a.md, "CMD 20". */
int cmd_encode_unload(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        int ids[LSC_MOVE_MAX_SERVOS];

        return lsc_frame_encode_unload(buf, size, ids, cmd_mask_ids(a->plan.mask, ids));
}

int cmd_board_takes(const struct model *m, enum lsc_cmd cmd, const char *verb, struct fail *f)
{
        if (profile_takes(m->profile, cmd))
                return 0;
        return fail(f, LSC_ERRCODE_UNSUPPORTED, NULL, "%s needs board command %d, which the "
                    "\"%s\" board does not take (lscd --board, or the robot file's board)",
                    verb, cmd, m->profile->name);
}

size_t cmd_mask_ids(uint64_t mask, int *ids)
{
        size_t n = 0;

        for (int id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                if (mask & (UINT64_C(1) << id))
                        ids[n++] = id;
        return n;
}

int cmd_prepare(const struct cmd *cmd, const struct model *m, const struct servos *s,
                struct cmd_args *args, struct fail *f)
{
        if (cmd->board_cmd && cmd_board_takes(m, cmd->board_cmd, cmd->name, f) < 0)
                return -EINVAL;
        if (cmd_takes_group(cmd) && args->group_name[0]) {
                int group = model_group(m, args->group_name);

                if (group < 0)
                        return fail(f, LSC_ERRCODE_UNKNOWN_GROUP, "group", "no group is named "
                                    "\"%s\" in the robot file", args->group_name);
                args->group = group;
        }
        return cmd->prepare ? cmd->prepare(m, s, args, f) : 0;
}

int cmd_encode_motion(const struct cmd_args *a, uint8_t *buf, size_t size)
{
        return servos_encode(&a->plan, buf, size);
}

int cmd_encode(const struct cmd *cmd, const struct cmd_args *args, uint8_t *buf, size_t size)
{
        return cmd->encode ? cmd->encode(args, buf, size) : 0;
}

static void cmd_fail_submit(struct call *call, int r)
{
        if (r == -ESHUTDOWN)
                call_fail(call, LSC_ERRCODE_SHUTDOWN, NULL, "lscd is shutting down");
        else if (r == -ENOTCONN)
                call_fail(call, LSC_ERRCODE_NOT_CONNECTED, NULL, "the device is not connected");
        else if (r == -ENOBUFS)
                call_fail(call, LSC_ERRCODE_QUEUE_FULL, NULL,
                          "too many frames of this client are queued (%d)", WIRE_OWNER_MAX);
        else
                call_fail(call, LSC_ERRCODE_QUEUE_FULL, NULL, "cannot queue the frame: %s",
                          strerror(-r));
}

static enum lsc_errcode cmd_wire_errcode(enum wire_result result)
{
        switch (result) {
        case WIRE_HALTED:
                return LSC_ERRCODE_HALTED;
        case WIRE_SUPERSEDED:
                return LSC_ERRCODE_SUPERSEDED;
        case WIRE_SHUTDOWN:
                return LSC_ERRCODE_SHUTDOWN;
        case WIRE_DROPPED:
                return LSC_ERRCODE_DROPPED;
        case WIRE_BOARD_CHANGED:
                return LSC_ERRCODE_CANCELLED;
        case WIRE_CLAIMED:
                return LSC_ERRCODE_CLAIMED;
        case WIRE_DEVICE_LOST:
        case WIRE_WRITTEN:
                break;
        }
        return LSC_ERRCODE_DEVICE_LOST;
}

/* CALL was planned for a board a reload has replaced since. */
static bool cmd_stale(const struct call *call)
{
        return call->epoch != call->ctx->board_epoch;
}

static void cmd_board_changed_fail(struct call *call, const char *when)
{
        call_fail(call, LSC_ERRCODE_CANCELLED, NULL, "the board changed (a reload made it "
                  "\"%s\") %s", robot_model(call->ctx->robot)->profile->name, when);
}

/* A move written to the old board as a reload changed it: its targets
 * mean nothing to the new model, and a wait for it ends cancelled. */
static void cmd_stale_written(struct call *call)
{
        robot_dropped(call->ctx->robot, &call->args.plan);
        if (call->args.wait)
                cmd_board_changed_fail(call, "before this move ended");
        else
                call_reply(call, cmd_motion_response(call, false));
}

/* The wire is done with a call's frame. */
static void cmd_wire_done(void *userdata, enum wire_result result)
{
        struct call *call = userdata;

        if (result == WIRE_WRITTEN && call->args.plan.n > 0 && cmd_stale(call)) {
                cmd_stale_written(call);
                return;
        }
        if (result != WIRE_WRITTEN && call->args.plan.n > 0)
                robot_dropped(call->ctx->robot, &call->args.plan);
        if (result != WIRE_WRITTEN && call->cmd->unwritten)
                call->cmd->unwritten(call->ctx, call);
        if (result != WIRE_WRITTEN)
                call_fail(call, cmd_wire_errcode(result), NULL, "%s", wire_result_string(result));
        else if (call->cmd->written)
                call->cmd->written(call->ctx, call);
        else
                call_reply_ok(call);
}

int cmd_submit(struct cmd_context *ctx, struct call *call, enum wire_lane lane, unsigned flags)
{
        uint8_t frame[LSC_FRAME_MAX_SIZE];
        int r = cmd_encode(call->cmd, &call->args, frame, sizeof(frame));
        struct wire_request req = {
                .frame = frame, .size = (size_t) r,
                .owner = call->peer ? peer_owner(call->peer) : NULL,
                .lane = call->timed && lane == WIRE_LANE_NORMAL ? WIRE_LANE_RESTORE : lane,
                .servo_mask = call->args.plan.mask,
                .flags = flags | (call->cmd->flags & CMD_CLAIMS_GROUPS ? WIRE_GROUP : 0),
                .done = cmd_wire_done, .userdata = call,
        };

        /* Validation admits only arguments that encode. */
        assert(r > 0);
        r = wire_submit(ctx->wire, &req);
        if (r < 0)
                cmd_fail_submit(call, r);
        else if (call->args.plan.n > 0)
                robot_queued(ctx->robot, &call->args.plan);
        return r < 0 ? r : 0;
}

/* Whether PEER may run the prepared request CMD with ARGS: 0, or -EBUSY
 * with *HOLDER when another client's claim covers what it touches. An
 * emergency stop always may. */
static int cmd_admit(struct cmd_context *ctx, const struct peer *peer, const struct cmd *cmd,
                     const struct cmd_args *args, const struct claim **holder)
{
        uint64_t servos = cmd->flags & CMD_CLAIMS_SERVOS ? args->plan.mask : 0;
        bool groups = cmd->flags & CMD_CLAIMS_GROUPS;

        if (cmd->flags & CMD_ESTOP || (!servos && !groups))
                return 0;
        *holder = claims_conflict(robot_claims(ctx->robot), peer->number, servos, groups);
        return *holder ? -EBUSY : 0;
}

/* The scheduled CALL's time came: what it touches may have been claimed
 * since; then it runs, its frame ahead of clients' queued ones. */
static void cmd_scheduled_fire(void *userdata)
{
        struct call *call = userdata;
        struct cmd_context *ctx = call->ctx;
        uint64_t servos = call->cmd->flags & CMD_CLAIMS_SERVOS ? call->args.plan.mask : 0;

        call->scheduled = NULL;
        LIST_REMOVE(ctx->scheduled, call, sched_prev, sched_next);
        call->timed = true;
        if (cmd_stale(call))
                cmd_board_changed_fail(call, "while this request waited for its \"at\"");
        else if (cmd_claims_allow(ctx, call, servos, call->cmd->flags & CMD_CLAIMS_GROUPS))
                call->cmd->run(ctx, call);
}

/* Hold CALL until its "at", at most an hour ahead. */
static void cmd_schedule(struct cmd_context *ctx, struct call *call)
{
        uint64_t now = clock_usec(CLOCK_REALTIME), at = call->args.at;

        if (at <= now || at - now > SCHEDULE_AHEAD_MAX_USEC) {
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, "at", "at must be in the future, at "
                          "most an hour ahead (it is %.3f s %s)",
                          (double) (at > now ? at - now : now - at) / 1e6,
                          at > now ? "ahead" : "ago");
                return;
        }
        call->scheduled = schedule_add(ctx->event, at - call->cmd->lead_usec, cmd_scheduled_fire,
                                       call);
        if (!call->scheduled) {
                call_fail(call, LSC_ERRCODE_SHUTDOWN, "at", "cannot arm a timer");
                return;
        }
        LIST_PREPEND(ctx->scheduled, call, sched_prev, sched_next);
}

size_t cmd_cancel_scheduled(struct cmd_context *ctx, const struct peer *peer, enum lsc_errcode code)
{
        struct call *call = ctx->scheduled, *next;
        size_t n = 0;

        for (; call; call = next) {
                next = call->sched_next;
                if (peer && call->peer != peer)
                        continue;
                call->scheduled = schedule_cancel(call->scheduled);
                LIST_REMOVE(ctx->scheduled, call, sched_prev, sched_next);
                call_fail(call, code, NULL, "the request scheduled \"at\" was cancelled");
                n++;
        }
        return n;
}

void cmd_dispatch(struct cmd_context *ctx, struct peer *peer, const char *line, size_t len)
{
        struct request req;
        struct fail err;
        const struct claim *holder = NULL;
        int r = request_parse(line, len, &req, &err);
        struct call *call = call_new(ctx, peer, req.id_text, req.id_len);

        /* Any line of a claim's holder renews its lease. */
        robot_renew(ctx->robot, peer->number);
        /* An observer learns that it may not act before anything else. */
        if (req.cmd && peer->observer && (req.cmd->flags & CMD_WRITE))
                r = fail(&err, LSC_ERRCODE_FORBIDDEN, NULL, "%s changes the robot; this is the "
                         "observe socket, for reading only", req.cmd->name);
        if (r == 0)
                r = cmd_prepare(req.cmd, robot_model(ctx->robot), robot_servos(ctx->robot),
                                &req.args, &err);
        if (r == 0)
                r = cmd_admit(ctx, peer, req.cmd, &req.args, &holder);
        ctx->counters.requests++;
        if (r == -EBUSY && holder) {
                log_debug("Client %llu: %s: claimed by client %llu", (unsigned long long) peer->number,
                          req.cmd->name, (unsigned long long) holder->owner);
                cmd_claim_refuse(call, holder);
        } else if (r < 0) {
                log_debug("Client %llu: %s: %s", (unsigned long long) peer->number,
                          lsc_errcode_name(err.code), err.message);
                call_fail(call, err.code, err.field, "%s", err.message);
        } else {
                log_debug("Client %llu: %s", (unsigned long long) peer->number, req.cmd->name);
                call->cmd = req.cmd;
                call->args = req.args;
                /* What the arguments own is the call's now. */
                req.args = (struct cmd_args) { .n_specs = 0 };
                if (call->args.at)
                        cmd_schedule(ctx, call);
                else
                        req.cmd->run(ctx, call);
        }
        request_done(&req);
}

static void cmd_board_answer(void *userdata, struct board_waiter *w, enum board_result result,
                             unsigned value)
{
        struct call *call = (struct call *) ((char *) w - offsetof(struct call, waiter));

        switch (result) {
        case BOARD_COMPLETED:
        case BOARD_MILLIVOLTS:
        case BOARD_POSITIONS:
                call->cmd->board_reply(call, value);
                return;
        case BOARD_STOPPED:
                call_fail(call, LSC_ERRCODE_STOPPED, NULL, "the group was stopped");
                return;
        case BOARD_PREEMPTED:
                if (value == LSC_GROUP_ALL)
                        call_fail(call, LSC_ERRCODE_PREEMPTED, NULL, "a run of a group the board "
                                  "did not name was begun before this one completed");
                else
                        call_fail(call, LSC_ERRCODE_PREEMPTED, NULL,
                                  "a run of group %u was begun before this one completed", value);
                return;
        case BOARD_NOT_STARTED:
                call_fail(call, LSC_ERRCODE_NOT_STARTED, NULL,
                          "the board did not start group %u within 1 s (is it downloaded?)",
                          value);
                return;
        case BOARD_TIMEOUT:
                call_fail(call, LSC_ERRCODE_TIMEOUT, NULL, "the board did not reply to %s "
                          "within %u ms", call->cmd->name, value);
                return;
        case BOARD_NOT_CONNECTED:
                call_fail(call, LSC_ERRCODE_NOT_CONNECTED, NULL, "the device is not connected");
                return;
        case BOARD_QUEUE_FULL:
                call_fail(call, LSC_ERRCODE_QUEUE_FULL, NULL, "the transmit queue is full");
                return;
        case BOARD_DEVICE_LOST:
                call_fail(call, LSC_ERRCODE_DEVICE_LOST, NULL, "the device was lost");
                return;
        case BOARD_CHANGED:
                cmd_board_changed_fail(call, "before the positions were read");
                return;
        case BOARD_SHUTDOWN:
                break;
        }
        call_fail(call, LSC_ERRCODE_SHUTDOWN, NULL, "lscd is shutting down");
}

static void cmd_board_event(void *userdata, const struct board_event *e)
{
        struct cmd_context *ctx = userdata;
        cJSON *event = event_from_board(e);

        ctx->publish(ctx->userdata, e->type, event);
        cJSON_Delete(event);
        /* Groups move servos: whatever lscd knew of them is gone. */
        if (e->type == LSC_EVENT_GROUP_STARTED)
                robot_forget(ctx->robot, SERVOS_PREEMPTED);
        robot_touch(ctx->robot);
}

const struct board_ops cmd_board_ops = {
        .answer = cmd_board_answer,
        .event = cmd_board_event,
};

cJSON *cmd_motion_response(struct call *call, bool completed)
{
        cJSON *response = call_response(call);

        cJSON_AddNumberToObject(response, "time_ms", call->args.plan.time_ms);
        if (completed)
                cJSON_AddTrueToObject(response, "completed");
        return response;
}

static void cmd_motion_reply(struct call *call, bool completed)
{
        call_reply(call, cmd_motion_response(call, completed));
}

void cmd_motion_written(struct cmd_context *ctx, struct call *call, const char *source)
{
        robot_written(ctx->robot, &call->args.plan, wire_sent_at(ctx->wire), source,
                      call->args.wait ? call : NULL);
        if (!call->args.wait)
                cmd_motion_reply(call, false);
}

static void cmd_servos_answer(void *userdata, void *waiter, enum servos_result result)
{
        struct call *call = waiter;

        switch (result) {
        case SERVOS_COMPLETED:
                /* move's confirm: read where the servos are (cmd-move.c),
                 * with a query sent from now on, not one sent while the
                 * servos were still moving. */
                if (call->args.confirm) {
                        call->waiter.servos = call->args.plan.mask;
                        call->waiter.fresh = true;
                        board_positions(call->ctx->board, &call->waiter);
                        return;
                }
                cmd_motion_reply(call, true);
                return;
        case SERVOS_PREEMPTED:
                call_fail(call, LSC_ERRCODE_PREEMPTED, NULL, "a later move or unload of one of "
                          "its servos, or a group, reached the wire before this move ended");
                return;
        case SERVOS_DEVICE_LOST:
                call_fail(call, LSC_ERRCODE_DEVICE_LOST, NULL, "the device was lost");
                return;
        case SERVOS_CANCELLED:
                cmd_board_changed_fail(call, "before this move ended");
                return;
        case SERVOS_SHUTDOWN:
                break;
        }
        call_fail(call, LSC_ERRCODE_SHUTDOWN, NULL, "lscd is shutting down");
}

static void cmd_servos_completed(void *userdata, uint64_t mask, const char *source)
{
        struct cmd_context *ctx = userdata;
        cJSON *event = event_move_completed(mask, source);

        ctx->publish(ctx->userdata, LSC_EVENT_MOVE_COMPLETED, event);
        cJSON_Delete(event);
}

const struct servos_ops cmd_servos_ops = {
        .answer = cmd_servos_answer,
        .completed = cmd_servos_completed,
};

void cmd_peer_gone(struct cmd_context *ctx, struct peer *peer)
{
        const struct txqueue_match own = { .owner = peer_owner(peer), .everything = true };
        size_t dropped, runs;

        robot_owner_gone(ctx->robot, peer->number);
        if (!peer->drop_on_disconnect)
                return;
        cmd_cancel_scheduled(ctx, peer, LSC_ERRCODE_CANCELLED);
        /* The runs first: a run whose last frame was dropped would complete. */
        runs = player_stop_owner(ctx->player, peer->number, PLAYER_STOPPED, NULL);
        dropped = wire_drop(ctx->wire, &own, WIRE_DROPPED);
        if (dropped || runs)
                log_info("Client %llu went away: %zu queued frames dropped and %zu sequence runs "
                         "stopped (on_disconnect drop)", (unsigned long long) peer->number,
                         dropped, runs);
}

/* Frames planned for a board: positions in its units, or its commands
 * (moves, poses, safe states, sequence steps, unloads). */
static bool cmd_planned_for_board(const struct txqueue_item *item, const void *arg)
{
        return item->servo_mask != 0;
}

/* A reload changed the board: nothing planned for the old one reaches the
 * new one, and what waited on the old one is cancelled. */
static void cmd_board_changed(struct cmd_context *ctx, const struct board_by *by)
{
        const struct txqueue_match planned = { .select = cmd_planned_for_board };
        /* The runs first: a run whose last frame was dropped would complete. */
        size_t runs = player_stop(ctx->player, 0, PLAYER_CANCELLED, by);
        size_t dropped = wire_drop(ctx->wire, &planned, WIRE_BOARD_CHANGED);

        ctx->board_epoch++;

        if (dropped || runs)
                log_info("The board changed: %zu queued frames and %zu sequence runs cancelled",
                         dropped, runs);
}

int cmd_reload(struct cmd_context *ctx, const struct board_by *by, char **errors)
{
        const struct profile *was = robot_model(ctx->robot)->profile;
        struct recorder *ended;
        struct model *old;
        int r = robot_reload(ctx->robot, errors, &ended, &old);
        cJSON *event;

        if (r < 0) {
                log_warning("The robot file was not reloaded; the model stays as it was:");
                log_lines(LOG_WARNING, *errors);
                return r;
        }
        log_info("Reloaded the robot file %s", robot_path(ctx->robot));
        if (robot_model(ctx->robot)->profile != was)
                cmd_board_changed(ctx, by);
        event = event_new(lsc_event_name(LSC_EVENT_ROBOT_CHANGED));
        cmd_add_robot(event, ctx->robot);
        if (by)
                event_add_by(event, by->client, by->name);
        if (ended) {
                log_info("The board changed: the recording %s ended", ended->name);
                cJSON_AddItemToObject(event, "recording_ended", cmd_record_end(ctx, ended, old));
                model_free(old);
        }
        ctx->publish(ctx->userdata, LSC_EVENT_ROBOT_CHANGED, event);
        cJSON_Delete(event);
        return 0;
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
                [CMD_ARG_GROUP] = "integer or group name",
                [CMD_ARG_GROUP_OR_ALL] = "integer, group name or \"all\"",
                [CMD_ARG_NAME] = "name",
                [CMD_ARG_SERVOS] = "array of {\"id\" or \"name\", \"position\" or \"delta\"}",
                [CMD_ARG_EVENTS] = "array of names or prefixes",
                [CMD_ARG_TEXT] = "string",
                [CMD_ARG_CHOICE] = "string",
                [CMD_ARG_SERVO_SET] = "array of ids and names, or \"all\"",
                [CMD_ARG_SAFE] = "string",
                [CMD_ARG_STEPS] = "array of steps",
                [CMD_ARG_TIME] = "number, a time",
                [CMD_ARG_ANY] = "any JSON value",
        };
        _Static_assert(CMD_ARG_ANY == sizeof(types) / sizeof(types[0]) - 1,
                       "a name for every argument type");

        fprintf(f, "    %-10s %s", a->name, types[a->type]);
        if (a->type == CMD_ARG_INT || a->type == CMD_ARG_GROUP || a->type == CMD_ARG_GROUP_OR_ALL)
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
                if (cmd_table[i]->flags & CMD_ESTOP)
                        fputs("    (acts: an emergency stop, never refused for a claim)\n", f);
                else if (cmd_table[i]->flags & CMD_WRITE)
                        fputs("    (acts: forbidden on the observe socket)\n", f);
                for (const struct cmd_arg *a = cmd_table[i]->args; a && a->name; a++)
                        cmd_print_arg(f, a);
        }
}

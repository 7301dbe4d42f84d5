/* SPDX-License-Identifier: MIT */
/*
 * claim: exclusive use of servos and groups (claims.h), and what happens
 * around a claim: the grant drops other clients' queued frames over it,
 * and an expiry drops the holder's and runs its safe action, which goes
 * to the wire ahead of normal traffic (a STOP in the priority lane, a pose
 * in the restore lane).
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "cmd.h"
#include "events.h"
#include "log.h"
#include "mem.h"
#include "txqueue.h"

#define CMD_CLAIM_MS_MAX 3600000        /* an hour, for leases and waits */
#define CMD_SAFE_TIME_MS 1000           /* a safe pose takes at least this */

static const char *cmd_claim_safe_name(const struct claim *c, char *buf, size_t size)
{
        if (c->safe == CLAIMS_SAFE_NONE)
                return "none";
        if (c->safe == CLAIMS_SAFE_STOP)
                return "stop";
        if (strcmp(c->safe_pose, "home") == 0)
                return "home";
        snprintf(buf, size, "pose:%s", c->safe_pose);
        return buf;
}

/* The claim's own fields, for answers and events. */
static void cmd_claim_add(cJSON *o, const struct claim *c)
{
        char safe[MODEL_NAME_MAX + 8];

        cJSON_AddNumberToObject(o, "claim", (double) c->id);
        cJSON_AddItemToObject(o, "servos", event_servo_ids(c->servos));
        cJSON_AddBoolToObject(o, "groups", c->groups);
        cJSON_AddNumberToObject(o, "lease_ms", (double) (c->lease_usec / 1000));
        cJSON_AddStringToObject(o, "safe", cmd_claim_safe_name(c, safe, sizeof(safe)));
}

/* REASON: why it expired (NULL: it did not); SAFE_ERROR: why its safe
 * action could not run (NULL: it ran, or there is none). */
static void cmd_claim_publish(struct cmd_context *ctx, enum lsc_event type, const struct claim *c,
                              const char *reason, size_t dropped, const char *safe_error)
{
        cJSON *event = event_new(lsc_event_name(type));

        cmd_claim_add(event, c);
        if (reason) {
                cJSON_AddStringToObject(event, "reason", reason);
                cJSON_AddNumberToObject(event, "dropped", (double) dropped);
                cJSON_AddBoolToObject(event, "safe_done", !safe_error);
                if (safe_error)
                        cJSON_AddStringToObject(event, "safe_error", safe_error);
        }
        event_add_by(event, c->owner, c->owner_name);
        ctx->publish(ctx->userdata, type, event);
        cJSON_Delete(event);
}

/* A claim was granted: other clients' queued frames over it are dropped
 * ("claimed"), it is published, and CALL answered. */
static void cmd_claim_granted(struct cmd_context *ctx, struct call *call, const struct claim *c)
{
        const struct txqueue_match others = {
                .owner = (const void *) (uintptr_t) c->owner, .others = true,
                .servos = c->servos, .groups = c->groups,
        };
        size_t dropped = wire_drop(ctx->wire, &others, WIRE_CLAIMED);
        cJSON *response = call_response(call);
        struct board_by by = { .client = c->owner };

        snprintf(by.name, sizeof(by.name), "%s", c->owner_name);
        player_preempt(ctx->player, c->owner, c->servos, &by);
        if (dropped)
                log_info("Claim %llu: dropped %zu queued frames of other clients",
                         (unsigned long long) c->id, dropped);
        cmd_claim_add(response, c);
        call_reply(call, response);
        cmd_claim_publish(ctx, LSC_EVENT_CLAIM_ACQUIRED, c, NULL, 0, NULL);
}

/* "claimed": the holder, by number, name and pid. */
void cmd_claim_refuse(struct call *call, const struct claim *holder)
{
        const char *name = holder->owner_name[0] ? holder->owner_name : "a client without a name";
        char message[160], pid[24] = "";
        cJSON *response, *h;

        if (holder->owner_pid > 0)
                snprintf(pid, sizeof(pid), ", pid %d", holder->owner_pid);
        snprintf(message, sizeof(message), "claimed by %s (client %llu%s)", name,
                 (unsigned long long) holder->owner, pid);
        response = call_error(call, LSC_ERRCODE_CLAIMED, NULL, message);
        h = cJSON_AddObjectToObject(cJSON_GetObjectItemCaseSensitive(response, "error"), "holder");
        cJSON_AddNumberToObject(h, "client", (double) holder->owner);
        cJSON_AddItemToObject(h, "name", holder->owner_name[0] ? cJSON_CreateString(holder->owner_name)
                                                               : cJSON_CreateNull());
        cJSON_AddNumberToObject(h, "pid", holder->owner_pid);
        cJSON_AddNumberToObject(h, "claim", (double) holder->id);
        call_reply(call, response);
}

/* lscd's own frames of a safe action, answered here. */
struct cmd_safe {
        struct cmd_context *ctx;
        struct servos_plan plan;        /* n == 0: a STOP */
};

static void cmd_safe_done(void *userdata, enum wire_result result)
{
        struct cmd_safe *safe = userdata;
        struct robot *robot = safe->ctx->robot;

        if (result != WIRE_WRITTEN)
                log_warning("The safe action's frame was not written: %s",
                            wire_result_string(result));
        if (safe->plan.n > 0 && result == WIRE_WRITTEN)
                robot_written(robot, &safe->plan, wire_sent_at(safe->ctx->wire), "safe", NULL);
        else if (safe->plan.n > 0)
                robot_dropped(robot, &safe->plan);
        free(safe);
}

/* Queue the safe action's frame: NULL, or why it could not be. */
static const char *cmd_safe_submit(struct cmd_context *ctx, struct cmd_safe *safe,
                                   const uint8_t *frame, int size)
{
        struct wire_request req = {
                .frame = frame, .size = (size_t) size,
                .lane = safe->plan.n ? WIRE_LANE_RESTORE : WIRE_LANE_PRIORITY,
                .flags = safe->plan.n ? WIRE_HALTABLE : 0, .servo_mask = safe->plan.mask,
                .done = cmd_safe_done, .userdata = safe,
        };
        int r = wire_submit(ctx->wire, &req);

        if (r < 0) {
                log_warning_errno(r, "Cannot queue the safe action's frame");
                free(safe);
                return r == -ENOTCONN ? "the device is not connected" : "the queue refused it";
        }
        if (safe->plan.n > 0)
                robot_queued(ctx->robot, &safe->plan);
        return NULL;
}

/* The servos of the pose NAME that the claim C holds: a safe pose never
 * moves what another client may have claimed. False when none. */
static bool cmd_safe_pose(const struct model *m, const struct claim *c, struct model_pose *ret)
{
        const struct model_pose *pose = model_pose(m, c->safe_pose);

        *ret = (struct model_pose) { .n = 0 };
        for (size_t i = 0; pose && i < pose->n; i++)
                if (c->servos & (UINT64_C(1) << pose->targets[i].id))
                        ret->targets[ret->n++] = pose->targets[i];
        return ret->n > 0;
}

/* The safe action of the claim C that expired: NULL when it was queued
 * (or there is none), else why it could not be. */
static const char *cmd_safe_run(struct cmd_context *ctx, const struct claim *c)
{
        struct cmd_safe *safe;
        uint8_t frame[LSC_FRAME_MAX_SIZE];
        struct model_pose pose;
        struct fail f;
        int size;

        if (c->safe == CLAIMS_SAFE_NONE ||
            (c->safe == CLAIMS_SAFE_STOP && !board_state(ctx->board)->running))
                return NULL;
        safe = mem_new0(struct cmd_safe);
        safe->ctx = ctx;
        if (c->safe == CLAIMS_SAFE_STOP)
                return cmd_safe_submit(ctx, safe, frame,
                                       lsc_frame_encode_group_stop(frame, sizeof(frame)));
        if (!cmd_safe_pose(robot_model(ctx->robot), c, &pose)) {
                free(safe);
                return "the pose no longer exists, or moves none of the claimed servos";
        }
        if (servos_plan_pose(robot_servos(ctx->robot), robot_model(ctx->robot), &pose,
                             CMD_SAFE_TIME_MS, &safe->plan, &f) < 0) {
                free(safe);
                log_warning("Claim %llu: the safe pose %s: %s", (unsigned long long) c->id,
                            c->safe_pose, f.message);
                return "the pose is outside the servos' limits now";
        }
        size = servos_encode(&safe->plan, frame, sizeof(frame));
        return cmd_safe_submit(ctx, safe, frame, size);
}

static void cmd_claims_granted(void *userdata, struct claim *c)
{
        cmd_claim_granted(userdata, c->waiter, c);
}

static void cmd_claims_timed_out(void *userdata, struct claim *c)
{
        call_fail(c->waiter, LSC_ERRCODE_TIMEOUT, "timeout_ms", "still claimed after timeout_ms");
}

static void cmd_claims_cancelled(void *userdata, struct claim *c)
{
        call_fail(c->waiter, LSC_ERRCODE_SHUTDOWN, NULL, "cancelled: the client went away, or "
                  "lscd is stopping");
}

static void cmd_claims_ended(void *userdata, const struct claim *c, enum claims_end how)
{
        struct cmd_context *ctx = userdata;
        const struct txqueue_match own = {
                .owner = (const void *) (uintptr_t) c->owner, .everything = true,
        };
        const char *reason = how == CLAIMS_EXPIRED_LEASE ? "lease" : "disconnect";
        size_t dropped;

        if (how == CLAIMS_RELEASED) {
                cmd_claim_publish(ctx, LSC_EVENT_CLAIM_RELEASED, c, NULL, 0, NULL);
                return;
        }
        player_stop_owner(ctx->player, c->owner, PLAYER_STOPPED, NULL);
        dropped = wire_drop(ctx->wire, &own, WIRE_DROPPED);
        log_notice("Claim %llu of client %llu expired (%s): %zu queued frames dropped",
                   (unsigned long long) c->id, (unsigned long long) c->owner, reason, dropped);
        cmd_claim_publish(ctx, LSC_EVENT_CLAIM_EXPIRED, c, reason, dropped, cmd_safe_run(ctx, c));
}

const struct claims_ops cmd_claims_ops = {
        .granted = cmd_claims_granted,
        .timed_out = cmd_claims_timed_out,
        .cancelled = cmd_claims_cancelled,
        .ended = cmd_claims_ended,
};

/* A safe pose must exist and move some of the claimed servos: the only
 * ones it may move. */
static int cmd_claim_check_safe(const struct model *m, const struct cmd_args *a, struct fail *f)
{
        const struct model_pose *pose = model_pose(m, a->safe_pose);

        if (!pose)
                return fail(f, LSC_ERRCODE_UNKNOWN_POSE, "safe", "no pose is named \"%s\"",
                            a->safe_pose);
        for (size_t i = 0; i < pose->n; i++)
                if (a->plan.mask & (UINT64_C(1) << pose->targets[i].id))
                        return 0;
        return fail(f, LSC_ERRCODE_INVALID_ARGUMENT, "safe", "the pose %s moves none of the claimed "
                    "servos (a safe pose moves only those)", a->safe_pose);
}

static int cmd_claim_prepare(const struct model *m, const struct servos *s, struct cmd_args *a,
                             struct fail *f)
{
        int r = cmd_servo_set(m, a, f);

        if (r < 0)
                return r;
        if (!a->plan.mask && !a->groups)
                return fail(f, LSC_ERRCODE_INVALID_ARGUMENT, "servos", "a claim needs at least "
                            "one servo, or \"groups\":true");
        if (a->timeout_ms && !a->wait)
                return fail(f, LSC_ERRCODE_INVALID_ARGUMENT, "timeout_ms", "timeout_ms is for a "
                            "claim that waits (\"wait\":true)");
        if (a->safe == CLAIMS_SAFE_POSE)
                return cmd_claim_check_safe(m, a, f);
        return 0;
}

static void cmd_claim_run(struct cmd_context *ctx, struct call *call)
{
        const struct cmd_args *a = &call->args;
        struct claim want = {
                .owner = call->peer ? call->peer->number : 0,
                .owner_pid = call->peer && call->peer->has_cred ? call->peer->pid : 0,
                .servos = a->plan.mask, .groups = a->groups,
                .lease_usec = (uint64_t) a->lease_ms * 1000, .safe = (enum claims_safe) a->safe,
        }, *c;
        int r;

        if (call->peer)
                strcpy(want.owner_name, call->peer->name);
        strcpy(want.safe_pose, a->safe_pose);
        r = robot_claim(ctx->robot, &want, a->wait,
                        a->timeout_ms ? (uint64_t) a->timeout_ms * 1000 : CLAIMS_NEVER, call, &c);
        if (r == -EBUSY)
                cmd_claim_refuse(call, c);
        else if (r == -EEXIST)
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, "servos", "this client already holds "
                          "claim %llu over some of these; release it first",
                          (unsigned long long) c->id);
        else if (r == -ENOSPC)
                call_fail(call, LSC_ERRCODE_INVALID_ARGUMENT, NULL, "this client already holds %d "
                          "claims", CLAIMS_PER_OWNER_MAX);
        else if (r == 0)
                cmd_claim_granted(ctx, call, c);
}

static const struct cmd_arg cmd_claim_args[] = {
        { .name = "servos", .type = CMD_ARG_SERVO_SET, .required = true,
          .help = "the servos, by id or name, or \"all\": every servo and the groups" },
        { .name = "groups", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, groups),
          .help = "also running, stopping and speeding action groups (which move every servo)" },
        { .name = "lease_ms", .type = CMD_ARG_INT, .def = 0, .min = 0, .max = CMD_CLAIM_MS_MAX,
          .offset = offsetof(struct cmd_args, lease_ms),
          .help = "the claim expires after this long without a request from its holder; 0: never" },
        { .name = "safe", .type = CMD_ARG_SAFE,
          .help = "when the claim expires: \"none\" (default), \"stop\", \"home\" or "
                  "\"pose:NAME\"" },
        { .name = "wait", .type = CMD_ARG_BOOL, .def = false,
          .offset = offsetof(struct cmd_args, wait),
          .help = "wait in a fair queue while another client holds part of it" },
        { .name = "timeout_ms", .type = CMD_ARG_INT, .def = 0, .min = 0, .max = CMD_CLAIM_MS_MAX,
          .offset = offsetof(struct cmd_args, timeout_ms),
          .help = "with wait: give up after this long (timeout); 0: never" },
        { 0 }
};

const struct cmd cmd_claim = {
        .name = "claim",
        .help = "Take exclusive control of servos (and groups): {\"claim\",\"servos\",\"groups\","
                "\"lease_ms\",\"safe\"}, or claimed with the holder.",
        .args = cmd_claim_args,
        .flags = CMD_WRITE,
        .prepare = cmd_claim_prepare,
        .run = cmd_claim_run,
};

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "call.h"
#include "events.h"
#include "json.h"
#include "log.h"
#include "manager.h"

/* The board echoes a RUN at once; a start not echoed within this did not
 * happen (group not downloaded, frame lost). */
#define BOARD_START_TIMEOUT_USEC 1000000
/* Timeouts are answers: fire them within 1 ms, not sd-event's default
 * 250 ms slack. They are one-shot, never periodic. */
#define BOARD_TIMER_ACCURACY_USEC 1000

/* A RUN frame lscd wrote whose echo has not been seen yet. Invariant: on
 * the board's starts list exactly while its timer is armed. */
struct board_start {
        struct board *board;
        unsigned group, runs;
        struct call *waiter;            /* group.run with wait, or NULL */
        sd_event_source *timer;
        struct board_start *next;
};

/* Invariants: group/runs/from_lscd mean something only while running;
 * completion holds the waiting group.run calls whose start was echoed;
 * battery holds calls exactly while battery_pending, and battery_timer is
 * enabled exactly then; speeds[g] == 0 means "not set since the last
 * \"all\"" (the board's percent is never 0). */
struct board {
        struct manager *manager;
        sd_event *event;
        uint64_t battery_timeout_usec;
        bool running, from_lscd;
        unsigned group, runs;
        struct board_start *starts;     /* oldest first */
        struct call *completion;        /* linked by queue_next */
        struct call *battery;           /* linked by queue_next */
        bool battery_pending;
        sd_event_source *battery_timer;
        bool speed_all_set;
        unsigned speed_all;
        unsigned speeds[LSC_GROUP_MAX + 1];
};

static int board_battery_timeout(sd_event_source *s, uint64_t usec, void *userdata);

int board_new(struct board **ret, struct manager *m, sd_event *event, uint64_t battery_timeout_usec)
{
        struct board *b = calloc(1, sizeof(*b));
        int r;

        if (!b)
                return -ENOMEM;
        b->manager = m;
        b->event = sd_event_ref(event);
        b->battery_timeout_usec = battery_timeout_usec;
        r = sd_event_add_time_relative(event, &b->battery_timer, CLOCK_MONOTONIC,
                                       battery_timeout_usec, BOARD_TIMER_ACCURACY_USEC,
                                       board_battery_timeout, b);
        if (r >= 0)
                r = sd_event_source_set_enabled(b->battery_timer, SD_EVENT_OFF);
        if (r < 0) {
                board_free(b);
                return r;
        }
        *ret = b;
        return 0;
}

struct board *board_free(struct board *b)
{
        if (!b)
                return NULL;
        board_abort(b, ERRCODE_SHUTDOWN);
        sd_event_source_disable_unref(b->battery_timer);
        sd_event_unref(b->event);
        free(b);
        return NULL;
}

static void board_publish(struct board *b, enum event_type type, cJSON *event)
{
        if (event)
                manager_publish(b->manager, type, event);
}

/* Answer every call of *LIST with CODE; the list is emptied first, so
 * answering may add new calls to it. */
static void board_fail_list(struct call **list, enum errcode code, const char *message)
{
        struct call *call = *list;

        *list = NULL;
        while (call) {
                struct call *next = call->queue_next;

                call->queue_next = NULL;
                call_fail(call, code, NULL, "%s", message);
                call = next;
        }
}

static void board_append(struct call **list, struct call *call)
{
        while (*list)
                list = &(*list)->queue_next;
        call->queue_next = NULL;
        *list = call;
}

static struct board_start *board_start_free(struct board_start *s)
{
        sd_event_source_disable_unref(s->timer);
        free(s);
        return NULL;
}

static void board_start_unlink(struct board *b, struct board_start *s)
{
        for (struct board_start **p = &b->starts; *p; p = &(*p)->next)
                if (*p == s) {
                        *p = s->next;
                        return;
                }
}

static int board_start_timeout(sd_event_source *source, uint64_t usec, void *userdata)
{
        struct board_start *s = userdata;
        struct board *b = s->board;
        struct call *waiter = s->waiter;
        unsigned group = s->group;

        board_start_unlink(b, s);
        board_start_free(s);
        log_debug("Group %u was written but the board did not report its start", group);
        if (waiter)
                call_fail(waiter, ERRCODE_NOT_STARTED, NULL,
                          "the board did not start group %u within 1 s (is it downloaded?)",
                          group);
        return 0;
}

/* {"group":G,"runs":N} plus completed:true when COMPLETED. */
static void board_reply_run(struct call *call, bool completed)
{
        cJSON *response = call_response(call);

        if (response && (!cJSON_AddNumberToObject(response, "group", (double) call->args.group) ||
                         !cJSON_AddNumberToObject(response, "runs", (double) call->args.runs) ||
                         (completed && !cJSON_AddTrueToObject(response, "completed"))))
                response = json_free(response);
        call_reply(call, response);
}

void board_run_written(struct board *b, struct call *call)
{
        struct board_start *s = calloc(1, sizeof(*s));
        int r = s ? 0 : -ENOMEM;

        if (s) {
                *s = (struct board_start) {
                        .board = b, .group = (unsigned) call->args.group,
                        .runs = (unsigned) call->args.runs,
                        .waiter = call->args.wait ? call : NULL,
                };
                r = sd_event_add_time_relative(b->event, &s->timer, CLOCK_MONOTONIC,
                                               BOARD_START_TIMEOUT_USEC,
                                               BOARD_TIMER_ACCURACY_USEC,
                                               board_start_timeout, s);
        }
        if (r < 0) {
                log_error_errno(r, "Cannot track the start of group %ld", call->args.group);
                if (s)
                        board_start_free(s);
                board_reply_run(call, false);
                return;
        }
        for (struct board_start **p = &b->starts;; p = &(*p)->next)
                if (!*p) {
                        *p = s;
                        break;
                }
        if (!call->args.wait)
                board_reply_run(call, false);
}

/* Take the oldest start lscd wrote for GROUP/RUNS, if any. */
static struct board_start *board_take_start(struct board *b, unsigned group, unsigned runs)
{
        for (struct board_start *s = b->starts; s; s = s->next)
                if (s->group == group && s->runs == runs) {
                        board_start_unlink(b, s);
                        return s;
                }
        return NULL;
}

static void board_on_run(struct board *b, unsigned group, unsigned runs)
{
        struct board_start *s = board_take_start(b, group, runs);
        struct call *waiter = s ? s->waiter : NULL, *keep = NULL, *call, *next;
        char message[64];
        cJSON *event;

        b->running = true;
        b->group = group;
        b->runs = runs;
        b->from_lscd = s != NULL;
        if (s)
                board_start_free(s);

        /* A different group starting preempts every wait for another one. */
        snprintf(message, sizeof(message), "group %u was started instead", group);
        call = b->completion;
        b->completion = NULL;
        for (; call; call = next) {
                next = call->queue_next;
                if ((unsigned) call->args.group == group)
                        board_append(&keep, call);
                else
                        call_fail(call, ERRCODE_PREEMPTED, NULL, "%s", message);
        }
        b->completion = keep;
        if (waiter)
                board_append(&b->completion, waiter);

        event = event_new(event_name(EVENT_GROUP_STARTED));
        if (event) {
                cJSON_AddNumberToObject(event, "group", group);
                cJSON_AddNumberToObject(event, "runs", runs);
                cJSON_AddStringToObject(event, "source", b->from_lscd ? "lscd" : "external");
        }
        board_publish(b, EVENT_GROUP_STARTED, event);
}

static void board_on_stop(struct board *b)
{
        cJSON *event = event_new(event_name(EVENT_GROUP_STOPPED));

        if (event && b->running)
                cJSON_AddNumberToObject(event, "group", b->group);
        b->running = false;
        board_fail_list(&b->completion, ERRCODE_STOPPED, "the group was stopped");
        board_publish(b, EVENT_GROUP_STOPPED, event);
}

static void board_on_complete(struct board *b, unsigned group, unsigned runs)
{
        struct call *call = b->completion, *next, *keep = NULL;
        cJSON *event;

        b->completion = NULL;
        for (; call; call = next) {
                next = call->queue_next;
                if ((unsigned) call->args.group == group)
                        board_reply_run(call, true);
                else
                        board_append(&keep, call);
        }
        b->completion = keep;
        if (b->running && b->group == group)
                b->running = false;

        event = event_new(event_name(EVENT_GROUP_COMPLETED));
        if (event) {
                cJSON_AddNumberToObject(event, "group", group);
                cJSON_AddNumberToObject(event, "runs", runs);
        }
        board_publish(b, EVENT_GROUP_COMPLETED, event);
}

static void board_battery_settle(struct board *b)
{
        b->battery_pending = false;
        sd_event_source_set_enabled(b->battery_timer, SD_EVENT_OFF);
}

static void board_on_battery(struct board *b, unsigned millivolts)
{
        struct call *call = b->battery, *next;
        cJSON *event = event_new(event_name(EVENT_BATTERY));

        b->battery = NULL;
        board_battery_settle(b);
        for (; call; call = next) {
                cJSON *response = call_response(call);

                next = call->queue_next;
                if (response && !cJSON_AddNumberToObject(response, "millivolts", millivolts))
                        response = json_free(response);
                call_reply(call, response);
        }
        if (event)
                cJSON_AddNumberToObject(event, "millivolts", millivolts);
        board_publish(b, EVENT_BATTERY, event);
}

static void board_on_unknown(struct board *b, const struct lsc_frame *frame)
{
        char hex[2 * LSC_FRAME_MAX_PARAMS + 1] = "";
        cJSON *event = event_new(event_name(EVENT_FRAME_UNKNOWN));

        for (size_t i = 0; i < frame->n_params; i++)
                snprintf(hex + 2 * i, 3, "%02x", frame->params[i]);
        if (event) {
                cJSON_AddNumberToObject(event, "cmd", frame->cmd);
                cJSON_AddStringToObject(event, "params", hex);
        }
        board_publish(b, EVENT_FRAME_UNKNOWN, event);
}

void board_frame(struct board *b, const struct lsc_frame *frame)
{
        struct lsc_msg msg;

        if (lsc_frame_parse(frame, &msg) != LSC_OK) {
                board_on_unknown(b, frame);
                return;
        }
        switch (msg.type) {
        case LSC_MSG_GROUP_RUN:
                board_on_run(b, msg.u.group.group, msg.u.group.runs);
                break;
        case LSC_MSG_GROUP_STOP:
                board_on_stop(b);
                break;
        case LSC_MSG_GROUP_COMPLETE:
                board_on_complete(b, msg.u.group.group, msg.u.group.runs);
                break;
        case LSC_MSG_BATTERY_REPLY:
                board_on_battery(b, msg.u.millivolts);
                break;
        case LSC_MSG_SERVO_MOVE:
        case LSC_MSG_GROUP_SPEED:
        case LSC_MSG_BATTERY_QUERY:
                /* Host-to-board frames: a board never sends them. */
                board_on_unknown(b, frame);
                break;
        }
}

static int board_battery_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct board *b = userdata;
        char message[64];

        snprintf(message, sizeof(message), "no battery reply within %llu ms",
                 (unsigned long long) (b->battery_timeout_usec / 1000));
        board_battery_settle(b);
        board_fail_list(&b->battery, ERRCODE_TIMEOUT, message);
        return 0;
}

static void board_battery_done(void *userdata, enum wire_result result)
{
        struct board *b = userdata;

        if (result == WIRE_WRITTEN)
                return;
        board_battery_settle(b);
        board_fail_list(&b->battery, call_errcode_from_wire(result), call_wire_message(result));
}

void board_battery(struct board *b, struct call *call)
{
        uint8_t frame[LSC_FRAME_SIZE_BATTERY];
        int r;

        board_append(&b->battery, call);
        if (b->battery_pending)
                return;
        r = cmd_encode(call->cmd, &call->args, frame, sizeof(frame));
        if (r > 0)
                r = manager_submit_own(b->manager, frame, (size_t) r, board_battery_done, b);
        if (r < 0) {
                board_fail_list(&b->battery, r == -ENOBUFS ? ERRCODE_QUEUE_FULL : ERRCODE_NOT_CONNECTED,
                                r == -ENOBUFS ? "the transmit queue is full" : "the device is not connected");
                return;
        }
        b->battery_pending = true;
        sd_event_source_set_time_relative(b->battery_timer, b->battery_timeout_usec);
        sd_event_source_set_enabled(b->battery_timer, SD_EVENT_ONESHOT);
}

void board_speed_written(struct board *b, long group, long percent)
{
        if (group == LSC_GROUP_ALL) {
                b->speed_all_set = true;
                b->speed_all = (unsigned) percent;
                memset(b->speeds, 0, sizeof(b->speeds));
        } else
                b->speeds[group] = (unsigned) percent;
}

static void board_speed_done(void *userdata, enum wire_result result)
{
        if (result != WIRE_WRITTEN)
                log_warning("A remembered group speed was not re-applied: %s",
                            call_wire_message(result));
}

static void board_speed_submit(struct board *b, unsigned group, unsigned percent)
{
        uint8_t frame[LSC_FRAME_SIZE_SPEED];
        int r = lsc_frame_encode_group_speed(frame, sizeof(frame), group, percent);

        if (r > 0)
                r = manager_submit_own(b->manager, frame, (size_t) r, board_speed_done, b);
        if (r < 0)
                log_warning("Cannot re-apply the speed of group %u", group);
}

void board_connected(struct board *b)
{
        if (b->speed_all_set)
                board_speed_submit(b, LSC_GROUP_ALL, b->speed_all);
        for (unsigned g = 0; g <= LSC_GROUP_MAX; g++)
                if (b->speeds[g])
                        board_speed_submit(b, g, b->speeds[g]);
}

void board_abort(struct board *b, enum errcode code)
{
        const char *message = code == ERRCODE_SHUTDOWN ? "lscd is shutting down"
                                                       : "the device was lost";

        while (b->starts) {
                struct board_start *s = b->starts;
                struct call *waiter = s->waiter;

                b->starts = s->next;
                board_start_free(s);
                if (waiter)
                        call_fail(waiter, code, NULL, "%s", message);
        }
        b->running = false;
        board_battery_settle(b);
        board_fail_list(&b->completion, code, message);
        board_fail_list(&b->battery, code, message);
}

cJSON *board_group_json(const struct board *b)
{
        cJSON *group;

        if (!b->running)
                return cJSON_CreateNull();
        group = cJSON_CreateObject();
        if (group && (!cJSON_AddNumberToObject(group, "group", b->group) ||
                      !cJSON_AddNumberToObject(group, "runs", b->runs) ||
                      !cJSON_AddStringToObject(group, "source", b->from_lscd ? "lscd" : "external")))
                group = json_free(group);
        return group;
}

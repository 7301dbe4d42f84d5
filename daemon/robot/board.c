/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "board.h"
#include "deadline.h"
#include "log.h"
#include "mem.h"

/* Timeouts are answers: fire them within 1 ms, not sd-event's default
 * 250 ms slack. They are one-shot, never periodic. */
#define BOARD_TIMER_ACCURACY_USEC 1000

/* Invariant: timer is enabled exactly while the state has a deadline, and
 * then set to it. ops is the caller's with send replaced by board_send. */
struct board {
        struct board_state state;
        struct board_ops ops;
        const struct board_ops *caller;
        void *userdata;
        sd_event *event;
        sd_event_source *timer;
        struct wire *wire;
};

static uint64_t board_now(const struct board *b)
{
        uint64_t now = 0;

        sd_event_now(b->event, CLOCK_MONOTONIC, &now);
        return now;
}

_Static_assert(BOARD_NEVER == DEADLINE_NEVER, "the state's \"no deadline\" is the timer's");

static void board_arm(struct board *b)
{
        deadline_arm(b->timer, board_state_deadline(&b->state));
}

static int board_on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct board *b = userdata;

        board_state_expire(&b->state, usec);
        board_arm(b);
        return 0;
}

static void board_answer(void *userdata, struct board_waiter *w, enum board_result result,
                         unsigned value)
{
        struct board *b = userdata;

        b->caller->answer(b->userdata, w, result, value);
}

static void board_event(void *userdata, const struct board_event *event)
{
        struct board *b = userdata;

        b->caller->event(b->userdata, event);
}

static void board_battery_done(void *userdata, enum wire_result result)
{
        struct board *b = userdata;

        board_state_sent(&b->state, BOARD_FRAME_BATTERY, result == WIRE_WRITTEN);
        board_arm(b);
}

/* A position query's USERDATA is its board's positions query, so that
 * board_profile() can take it back from the wire alone. */
static void board_positions_done(void *userdata, enum wire_result result)
{
        struct board *b = (struct board *) ((char *) userdata -
                                            offsetof(struct board, state.positions));

        board_state_sent(&b->state, BOARD_FRAME_POSITIONS, result == WIRE_WRITTEN);
        board_arm(b);
}

static void board_speed_done(void *userdata, enum wire_result result)
{
        struct board *b = userdata;

        if (result != WIRE_WRITTEN)
                log_warning("A remembered group speed was not re-applied: %s",
                            wire_result_string(result));
        board_state_sent(&b->state, BOARD_FRAME_SPEED, result == WIRE_WRITTEN);
}

static int board_send(void *userdata, enum board_frame kind, const uint8_t *frame, size_t size)
{
        struct board *b = userdata;
        static const wire_done_fn done[] = {
                [BOARD_FRAME_BATTERY] = board_battery_done,
                [BOARD_FRAME_POSITIONS] = board_positions_done,
                [BOARD_FRAME_SPEED] = board_speed_done,
        };
        /* A position query (up to 37 bytes, 38 ms at 9600 baud) takes its
         * turn among the clients': a STOP never waits behind one. */
        static const enum wire_lane lane[] = {
                [BOARD_FRAME_BATTERY] = WIRE_LANE_PRIORITY,
                [BOARD_FRAME_POSITIONS] = WIRE_LANE_NORMAL,
                [BOARD_FRAME_SPEED] = WIRE_LANE_RESTORE,
        };
        struct wire_request req = {
                .frame = frame, .size = size, .lane = lane[kind], .done = done[kind],
                .userdata = kind == BOARD_FRAME_POSITIONS ? (void *) &b->state.positions : b,
        };

        return wire_submit(b->wire, &req);
}

int board_new(struct board **ret, sd_event *event, struct wire *wire,
              const struct board_ops *ops, void *userdata, uint64_t battery_timeout_usec)
{
        struct board *b = mem_new0(struct board);
        int r;

        b->caller = ops;
        b->userdata = userdata;
        b->ops = (struct board_ops) {
                .answer = board_answer, .event = board_event, .send = board_send,
        };
        b->event = sd_event_ref(event);
        b->wire = wire;
        board_state_init(&b->state, &b->ops, b, battery_timeout_usec);
        r = sd_event_add_time(event, &b->timer, CLOCK_MONOTONIC, BOARD_NEVER,
                              BOARD_TIMER_ACCURACY_USEC, board_on_timer, b);
        if (r >= 0)
                r = sd_event_source_set_enabled(b->timer, SD_EVENT_OFF);
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
        board_state_done(&b->state);
        sd_event_source_disable_unref(b->timer);
        sd_event_unref(b->event);
        free(b);
        return NULL;
}

void board_frame(struct board *b, const struct lsc_frame *frame)
{
        board_state_frame(&b->state, frame, board_now(b));
        board_arm(b);
}

void board_run_written(struct board *b, struct board_waiter *w, unsigned group, unsigned runs,
                       const struct board_by *by)
{
        board_state_run_written(&b->state, w, group, runs, by, board_now(b));
        board_arm(b);
}

void board_stop_written(struct board *b, const struct board_by *by)
{
        board_state_stop_written(&b->state, by, board_now(b));
}

void board_speed(struct board *b, unsigned group, unsigned percent)
{
        board_state_speed(&b->state, group, percent);
}

void board_restore_group(struct board *b, unsigned group, unsigned runs, bool from_lscd)
{
        board_state_restore_group(&b->state, group, runs, from_lscd);
}

void board_battery(struct board *b, struct board_waiter *w)
{
        board_state_battery(&b->state, w, board_now(b));
        board_arm(b);
}

void board_positions(struct board *b, struct board_waiter *w)
{
        board_state_positions(&b->state, w, board_now(b));
        board_arm(b);
}

void board_profile(struct board *b, const struct profile *p)
{
        bool changed = b->state.profile && p != b->state.profile;

        board_state_profile(&b->state, p);
        /* Its waiters answered, a query of the old board still queued never
         * reaches the new one. */
        if (changed)
                wire_cancel(b->wire, &b->state.positions, WIRE_DROPPED);
        board_arm(b);
}

void board_connected(struct board *b)
{
        board_state_connected(&b->state);
}

void board_abort(struct board *b, enum board_result result)
{
        board_state_abort(&b->state, result);
        board_arm(b);
}

const struct board_state *board_state(const struct board *b)
{
        return &b->state;
}

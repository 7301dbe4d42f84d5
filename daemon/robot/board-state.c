/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "board-state.h"
#include "list.h"
#include "mem.h"

void board_state_init(struct board_state *s, const struct board_ops *ops, void *userdata,
                      uint64_t battery_timeout_usec)
{
        *s = (struct board_state) {
                .ops = ops, .userdata = userdata,
                .battery_timeout_usec = battery_timeout_usec,
        };
}

void board_state_done(struct board_state *s)
{
        board_state_abort(s, BOARD_SHUTDOWN);
}

static void board_state_answer(struct board_state *s, struct board_waiter *w,
                               enum board_result result, unsigned value)
{
        w->next = NULL;
        s->ops->answer(s->userdata, w, result, value);
}

/* Answer every waiter of the FIFO *HEAD..*TAIL; it is emptied first, so
 * answering may add new waiters to it. */
static void board_state_answer_all(struct board_state *s, struct board_waiter **head,
                                   struct board_waiter **tail, enum board_result result,
                                   unsigned value)
{
        struct board_waiter *w = *head;

        *head = *tail = NULL;
        while (w) {
                struct board_waiter *next = w->next;

                board_state_answer(s, w, result, value);
                w = next;
        }
}

static void board_state_publish(struct board_state *s, const struct board_event *e)
{
        s->ops->event(s->userdata, e);
}

/* No STOP of lscd's is waiting for its report. */
static void board_state_stop_clear(struct board_state *s)
{
        s->stop_until = 0;
        s->has_stop_by = false;
}

/* Every wait not yet answered, echoed or not, ends: a new run began. */
static void board_state_preempt(struct board_state *s, unsigned group)
{
        for (struct board_start *st = s->starts; st; st = st->next)
                if (st->waiter) {
                        struct board_waiter *w = st->waiter;

                        st->waiter = NULL;
                        board_state_answer(s, w, BOARD_PREEMPTED, group);
                }
        board_state_answer_all(s, &s->completion, &s->completion_tail, BOARD_PREEMPTED, group);
}

void board_state_run_written(struct board_state *s, struct board_waiter *w, unsigned group,
                             unsigned runs, const struct board_by *by, uint64_t now)
{
        struct board_start *st = mem_new0(struct board_start);

        board_state_preempt(s, group);
        *st = (struct board_start) {
                .group = group, .runs = runs, .waiter = w,
                .deadline = now + BOARD_START_TIMEOUT_USEC, .has_by = by != NULL,
        };
        if (by)
                st->by = *by;
        if (w)
                w->group = group;
        assert(!s->starts_tail || s->starts_tail->deadline <= st->deadline);
        FIFO_APPEND(s->starts, s->starts_tail, st, next);
}

/* Take the oldest start lscd wrote for GROUP/RUNS, if any. The board
 * echoes in order, so the starts written before it were never echoed and
 * never will be: they are forgotten (their waits were preempted when this
 * one was written), lest a later external start pass for one of them. */
static struct board_start *board_state_take_start(struct board_state *s, unsigned group,
                                                  unsigned runs)
{
        struct board_start *st = s->starts;

        while (st && !(st->group == group && st->runs == runs))
                st = st->next;
        if (!st)
                return NULL;
        while (s->starts != st) {
                struct board_start *old = s->starts;

                FIFO_SHIFT(s->starts, s->starts_tail, next);
                assert(!old->waiter);
                free(old);
        }
        FIFO_SHIFT(s->starts, s->starts_tail, next);
        return st;
}

static void board_state_on_run(struct board_state *s, unsigned group, unsigned runs)
{
        struct board_start *st = board_state_take_start(s, group, runs);

        /* The board reports in order: a STOP lscd wrote before this run
         * was reported before its echo, or never will be; one written
         * after it (before its echo came) is reported next. */
        if (!st || !st->stop_after)
                board_state_stop_clear(s);
        /* A start that is not lscd's (the gamepad, a restart) cuts short
         * whatever was being waited for. */
        if (!st)
                board_state_preempt(s, group);
        s->running = true;
        s->group = group;
        s->runs = runs;
        s->from_lscd = st != NULL;
        if (st && st->waiter)
                FIFO_APPEND(s->completion, s->completion_tail, st->waiter, next);
        board_state_publish(s, &(struct board_event) {
                .type = LSC_EVENT_GROUP_STARTED, .has_group = true,
                .group = group, .runs = runs, .from_lscd = s->from_lscd,
                .by = st && st->has_by ? &st->by : NULL,
        });
        free(st);
}

/* An older firmware's run report names no group (bus-servo-and-d6a.md,
 * "Older firmware report forms"): the board echoes in order, so it is the
 * oldest run lscd wrote and has not seen echoed; without one, a start of
 * an unknown group (the gamepad's), which ends every wait. */
static void board_state_on_bare_run(struct board_state *s)
{
        if (s->starts) {
                board_state_on_run(s, s->starts->group, s->starts->runs);
                return;
        }
        board_state_stop_clear(s);
        board_state_preempt(s, LSC_GROUP_ALL);
        s->running = false;
        board_state_publish(s, &(struct board_event) { .type = LSC_EVENT_GROUP_STARTED });
}

void board_state_stop_written(struct board_state *s, const struct board_by *by, uint64_t now)
{
        s->stop_until = now + BOARD_START_TIMEOUT_USEC;
        s->has_stop_by = by != NULL;
        if (by)
                s->stop_by = *by;
        for (struct board_start *st = s->starts; st; st = st->next)
                st->stop_after = true;
}

static void board_state_on_stop(struct board_state *s, uint64_t now)
{
        /* Without a STOP of lscd's, the board's own end of the group: an
         * older firmware reports a natural end so ("reason":"board"). */
        bool written = now <= s->stop_until;
        struct board_event e = {
                .type = LSC_EVENT_GROUP_STOPPED, .has_group = s->running, .group = s->group,
                .by = s->has_stop_by && written ? &s->stop_by : NULL, .stop_written = written,
        };

        /* One report per STOP: a later one (an older firmware's natural
         * end) is the board's own, whoever stopped before. */
        board_state_stop_clear(s);
        s->running = false;
        board_state_answer_all(s, &s->completion, &s->completion_tail, BOARD_STOPPED, 0);
        board_state_publish(s, &e);
}

static void board_state_on_complete(struct board_state *s, unsigned group, unsigned runs)
{
        struct board_waiter *w = s->completion, *next;

        s->completion = s->completion_tail = NULL;
        for (; w; w = next) {
                next = w->next;
                if (w->group == group)
                        board_state_answer(s, w, BOARD_COMPLETED, 0);
                else
                        FIFO_APPEND(s->completion, s->completion_tail, w, next);
        }
        if (s->running && s->group == group)
                s->running = false;
        board_state_publish(s, &(struct board_event) {
                .type = LSC_EVENT_GROUP_COMPLETED, .has_group = true,
                .group = group, .runs = runs,
        });
}

/* Answer every waiter of Q; it is no longer pending. */
static void board_query_answer(struct board_state *s, struct board_query *q,
                               enum board_result result, unsigned value)
{
        q->pending = false;
        board_state_answer_all(s, &q->waiters, &q->tail, result, value);
}

static enum board_result board_state_send_error(int r)
{
        return r == -ENOBUFS ? BOARD_QUEUE_FULL : BOARD_NOT_CONNECTED;
}

/* Queue Q's frame (SIZE from its encoder) for Q's waiters: pending until
 * its reply, or NOW plus the timeout. */
static void board_query_send(struct board_state *s, struct board_query *q, enum board_frame kind,
                             const uint8_t *frame, int size, uint64_t now)
{
        int r;

        assert(size > 0 && q->waiters);
        r = s->ops->send(s->userdata, kind, frame, (size_t) size);
        if (r < 0) {
                board_query_answer(s, q, board_state_send_error(r), 0);
                return;
        }
        q->pending = true;
        q->deadline = now + s->battery_timeout_usec;
}

/* Q timed out at NOW: true after answering its waiters. */
static bool board_query_expire(struct board_state *s, struct board_query *q, uint64_t now)
{
        if (!q->pending || q->deadline > now)
                return false;
        board_query_answer(s, q, BOARD_TIMEOUT, (unsigned) (s->battery_timeout_usec / 1000));
        return true;
}

static void board_state_on_battery(struct board_state *s, unsigned millivolts)
{
        board_query_answer(s, &s->battery, BOARD_MILLIVOLTS, millivolts);
        board_state_publish(s, &(struct board_event) {
                .type = LSC_EVENT_BATTERY, .millivolts = millivolts,
        });
}

/* Query the positions of positions_asked (bus-servo-and-d6a.md, "CMD 21"). */
static void board_state_positions_send(struct board_state *s, uint64_t now)
{
        uint8_t frame[LSC_FRAME_SIZE_IDS(LSC_MOVE_MAX_SERVOS)];
        int ids[LSC_MOVE_MAX_SERVOS];
        size_t n = 0;

        for (int id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                if (s->positions_asked & (UINT64_C(1) << id))
                        ids[n++] = id;
        board_query_send(s, &s->positions, BOARD_FRAME_POSITIONS, frame,
                         lsc_frame_encode_position_query(frame, sizeof(frame), ids, n), now);
}

/* The positions query was answered: the waiters it could not serve are
 * the next one's, asking for what they all want. */
static void board_state_positions_next(struct board_state *s, uint64_t now)
{
        if (!s->positions_next.waiters)
                return;
        s->positions.waiters = s->positions_next.waiters;
        s->positions.tail = s->positions_next.tail;
        s->positions_next.waiters = s->positions_next.tail = NULL;
        s->positions_asked = 0;
        for (struct board_waiter *w = s->positions.waiters; w; w = w->next)
                s->positions_asked |= w->servos;
        board_state_positions_send(s, now);
}

/* A reply: its servos' positions are the latest readings; a reply nobody
 * asked for only updates them. A position outside the board's range is
 * outside input, no reading: the servo is not reported (null), as one the
 * board left out, and never becomes a target. */
static void board_state_on_positions(struct board_state *s, const struct lsc_msg *msg,
                                     uint64_t now)
{
        s->position_known = 0;
        for (unsigned i = 0; i < msg->u.positions.n; i++) {
                const struct lsc_servo *p = &msg->u.positions.servos[i];

                if (p->id < LSC_SERVO_ID_MIN || p->id > LSC_SERVO_ID_MAX)
                        continue;
                if (s->profile && (p->position < s->profile->position_min ||
                                   p->position > s->profile->position_max))
                        continue;
                s->position[p->id] = p->position;
                s->position_known |= UINT64_C(1) << p->id;
        }
        if (!s->positions.pending)
                return;
        board_query_answer(s, &s->positions, BOARD_POSITIONS, 0);
        board_state_positions_next(s, now);
}

void board_state_frame(struct board_state *s, const struct lsc_frame *frame, uint64_t now)
{
        struct lsc_msg msg;

        if (lsc_frame_parse(frame, &msg) != LSC_OK ||
            (s->profile && !profile_reports(s->profile, frame->cmd)))
                msg.type = LSC_MSG_SERVO_MOVE;  /* reported as unknown below */
        switch (msg.type) {
        case LSC_MSG_GROUP_RUN:
                board_state_on_run(s, msg.u.group.group, msg.u.group.runs);
                return;
        case LSC_MSG_GROUP_RUN_BARE:
                board_state_on_bare_run(s);
                return;
        case LSC_MSG_POSITION_REPLY:
                board_state_on_positions(s, &msg, now);
                return;
        case LSC_MSG_GROUP_STOP:
                board_state_on_stop(s, now);
                return;
        case LSC_MSG_GROUP_COMPLETE:
                board_state_on_complete(s, msg.u.group.group, msg.u.group.runs);
                return;
        case LSC_MSG_BATTERY_REPLY:
                board_state_on_battery(s, msg.u.millivolts);
                return;
        case LSC_MSG_SERVO_MOVE:
        case LSC_MSG_GROUP_SPEED:
        case LSC_MSG_BATTERY_QUERY:
        case LSC_MSG_SERVO_UNLOAD:
        case LSC_MSG_POSITION_QUERY:
                /* Host-to-board frames: a board never sends them. */
                break;
        }
        board_state_publish(s, &(struct board_event) {
                .type = LSC_EVENT_FRAME_UNKNOWN, .frame = frame,
        });
}

void board_state_battery(struct board_state *s, struct board_waiter *w, uint64_t now)
{
        uint8_t frame[LSC_FRAME_SIZE_BATTERY];

        FIFO_APPEND(s->battery.waiters, s->battery.tail, w, next);
        if (!s->battery.pending)
                board_query_send(s, &s->battery, BOARD_FRAME_BATTERY, frame,
                                 lsc_frame_encode_battery_query(frame, sizeof(frame)), now);
}

void board_state_positions(struct board_state *s, struct board_waiter *w, uint64_t now)
{
        assert(w->servos);
        if (s->positions.pending && (w->fresh || (w->servos & ~s->positions_asked))) {
                FIFO_APPEND(s->positions_next.waiters, s->positions_next.tail, w, next);
                return;
        }
        FIFO_APPEND(s->positions.waiters, s->positions.tail, w, next);
        if (s->positions.pending)
                return;
        s->positions_asked = w->servos;
        board_state_positions_send(s, now);
}

void board_state_profile(struct board_state *s, const struct profile *p)
{
        bool changed = s->profile && p != s->profile;

        s->profile = p;
        if (!changed)
                return;
        /* Readings in the old board's units; a reply, if any, is the old
         * board's too. */
        s->position_known = 0;
        board_query_answer(s, &s->positions, BOARD_CHANGED, 0);
        board_query_answer(s, &s->positions_next, BOARD_CHANGED, 0);
}

void board_state_speed(struct board_state *s, unsigned group, unsigned percent)
{
        if (group == LSC_GROUP_ALL) {
                s->speed_all_set = true;
                s->speed_all = percent;
                memset(s->speeds, 0, sizeof(s->speeds));
        } else
                s->speeds[group] = percent;
}

void board_state_restore_group(struct board_state *s, unsigned group, unsigned runs,
                               bool from_lscd)
{
        s->running = true;
        s->group = group;
        s->runs = runs;
        s->from_lscd = from_lscd;
}

/* Queue the first remembered speed at or after restore_next; restoring
 * ends when there is none, or when the device is gone. */
static void board_state_restore(struct board_state *s)
{
        uint8_t frame[LSC_FRAME_SIZE_SPEED];

        for (; s->restore_next <= LSC_GROUP_MAX; s->restore_next++) {
                unsigned g = s->restore_next < 0 ? LSC_GROUP_ALL : (unsigned) s->restore_next;
                unsigned percent = s->restore_next < 0 ? (s->speed_all_set ? s->speed_all : 0)
                                                       : s->speeds[g];
                int r;

                if (percent == 0)
                        continue;
                r = lsc_frame_encode_group_speed(frame, sizeof(frame), g, percent);
                assert(r > 0);
                r = s->ops->send(s->userdata, BOARD_FRAME_SPEED, frame, (size_t) r);
                if (r == -ENOTCONN)
                        break;
                if (r == 0) {
                        s->restoring = true;
                        return;
                }
        }
        s->restoring = false;
}

void board_state_connected(struct board_state *s)
{
        s->restore_next = -1;
        board_state_restore(s);
}

void board_state_sent(struct board_state *s, enum board_frame kind, bool written)
{
        if (kind == BOARD_FRAME_BATTERY || kind == BOARD_FRAME_POSITIONS) {
                struct board_query *q = kind == BOARD_FRAME_BATTERY ? &s->battery : &s->positions;

                /* Lost with the device: so is the next query's chance. */
                if (!written && q->pending) {
                        board_query_answer(s, q, BOARD_DEVICE_LOST, 0);
                        board_query_answer(s, &s->positions_next, BOARD_DEVICE_LOST, 0);
                }
                return;
        }
        if (!s->restoring)
                return;
        s->restoring = false;
        if (written) {
                s->restore_next++;
                board_state_restore(s);
        }
}

void board_state_abort(struct board_state *s, enum board_result result)
{
        while (s->starts) {
                struct board_start *st = s->starts;

                FIFO_SHIFT(s->starts, s->starts_tail, next);
                if (st->waiter)
                        board_state_answer(s, st->waiter, result, 0);
                free(st);
        }
        s->running = false;
        s->restoring = false;
        board_state_answer_all(s, &s->completion, &s->completion_tail, result, 0);
        board_query_answer(s, &s->battery, result, 0);
        board_query_answer(s, &s->positions, result, 0);
        board_query_answer(s, &s->positions_next, result, 0);
}

uint64_t board_state_deadline(const struct board_state *s)
{
        uint64_t t = s->starts ? s->starts->deadline : BOARD_NEVER;

        if (s->battery.pending && s->battery.deadline < t)
                t = s->battery.deadline;
        if (s->positions.pending && s->positions.deadline < t)
                t = s->positions.deadline;
        return t;
}

void board_state_expire(struct board_state *s, uint64_t now)
{
        while (s->starts && s->starts->deadline <= now) {
                struct board_start *st = s->starts;

                FIFO_SHIFT(s->starts, s->starts_tail, next);
                if (st->waiter)
                        board_state_answer(s, st->waiter, BOARD_NOT_STARTED, st->group);
                free(st);
        }
        board_query_expire(s, &s->battery, now);
        if (board_query_expire(s, &s->positions, now))
                board_state_positions_next(s, now);
}

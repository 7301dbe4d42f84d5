/* SPDX-License-Identifier: MIT */
/* sim-board.c: what an LSC board does with each frame, in pure code. */
#include <assert.h>
#include <errno.h>
#include <string.h>

#include "sim-board.h"

void sim_board_init(struct sim_board *b)
{
        memset(b, 0, sizeof(*b));
        b->battery_on = true;
        b->battery_mv = SIM_BOARD_BATTERY_MV;
        sim_board_power_cycle(b);
}

int sim_board_set_group(struct sim_board *b, long g, long ms)
{
        if (g < 0 || g > LSC_GROUP_MAX || ms < 0 || ms > (long)SIM_BOARD_DURATION_MAX)
                return -EINVAL;
        b->downloaded[g] = true;
        b->duration_ms[g] = (uint32_t)ms;
        return 0;
}

/* Nobody knows where the servos are: unpowered, or moved by a group. */
static void board_forget_servos(struct sim_board *b)
{
        for (int id = 0; id <= LSC_SERVO_ID_MAX; id++)
                b->servo[id] = (struct sim_servo){ .from = SIM_UNKNOWN, .target = SIM_UNKNOWN };
}

void sim_board_power_cycle(struct sim_board *b)
{
        b->running = -1;
        b->runs = 0;
        b->deadline_us = SIM_NEVER;
        for (int g = 0; g < SIM_BOARD_GROUPS; g++)
                b->percent[g] = 100;
        board_forget_servos(b);
}

static void reply_nothing(struct sim_reply *r, enum sim_action action)
{
        r->action = action;
        r->size = 0;
}

/* Keep an encoder's result: its arguments were validated by the caller. */
static void reply_frame(struct sim_reply *r, int size)
{
        assert(size > 0);
        r->action = SIM_SEND;
        r->size = size;
}

/* Start group g for runs (0 = forever) at now_us; echo the start. */
static void board_start(struct sim_board *b, unsigned g, unsigned runs,
                        uint64_t now_us, struct sim_reply *r)
{
        board_forget_servos(b);
        b->running = (int)g;
        b->runs = runs;
        if (runs == 0)
                b->deadline_us = SIM_NEVER;
        else
                b->deadline_us = now_us + (uint64_t)b->duration_ms[g] * 100 * 1000
                                 * runs / b->percent[g];
        reply_frame(r, lsc_frame_encode_group_run(r->frame, sizeof(r->frame), g, runs));
}

static void board_idle(struct sim_board *b)
{
        b->running = -1;
        b->runs = 0;
        b->deadline_us = SIM_NEVER;
}

static void board_run(struct sim_board *b, const struct lsc_msg *m, uint64_t now_us,
                      struct sim_reply *r)
{
        unsigned g = m->u.group.group;

        if (g > LSC_GROUP_MAX) {
                reply_nothing(r, SIM_BEEP);
        } else if (!b->downloaded[g]) {
                reply_nothing(r, SIM_NOT_DOWNLOADED);
                r->group = g;
        } else {
                board_start(b, g, m->u.group.runs, now_us, r);
        }
}

static void board_stop(struct sim_board *b, struct sim_reply *r)
{
        if (b->running < 0) {
                reply_nothing(r, SIM_NOTHING);
                return;
        }
        board_idle(b);
        reply_frame(r, lsc_frame_encode_group_stop(r->frame, sizeof(r->frame)));
}

static void board_speed(struct sim_board *b, const struct lsc_msg *m, struct sim_reply *r)
{
        unsigned g = m->u.speed.group, p = m->u.speed.percent;

        if (p < LSC_PERCENT_MIN) {
                reply_nothing(r, SIM_BEEP);
                return;
        }
        for (unsigned i = 0; i < SIM_BOARD_GROUPS; i++)
                if (i == g || g == LSC_GROUP_ALL)
                        b->percent[i] = (uint16_t)p;
        reply_nothing(r, SIM_NOTHING);
}

/* A move is acted on only when every servo is a channel and every position
 * a pulse width the board drives; otherwise it is malformed. */
static void board_move(struct sim_board *b, const struct lsc_msg *m, uint64_t now_us,
                       struct sim_reply *r)
{
        for (unsigned i = 0; i < m->u.move.n_servos; i++) {
                const struct lsc_servo *s = &m->u.move.servos[i];

                if (s->id < LSC_SERVO_ID_MIN || s->id > LSC_SERVO_ID_MAX ||
                    s->position < LSC_POSITION_MIN || s->position > LSC_POSITION_MAX) {
                        reply_nothing(r, SIM_BEEP);
                        return;
                }
        }
        for (unsigned i = 0; i < m->u.move.n_servos; i++) {
                const struct lsc_servo *s = &m->u.move.servos[i];

                b->servo[s->id] = (struct sim_servo){
                        .from = sim_board_position(b, s->id, now_us),
                        .target = s->position,
                        .start_us = now_us,
                        .time_ms = m->u.move.time_ms,
                };
        }
        reply_nothing(r, SIM_NOTHING);
}

static void board_battery(struct sim_board *b, struct sim_reply *r)
{
        if (!b->battery_on) {
                reply_nothing(r, SIM_NOTHING);
                return;
        }
        reply_frame(r, lsc_frame_encode_battery_reply(r->frame, sizeof(r->frame),
                                                      b->battery_mv));
}

void sim_board_receive(struct sim_board *b, const struct lsc_frame *f,
                       uint64_t now_us, struct sim_reply *r)
{
        struct lsc_msg m;

        if (lsc_frame_parse(f, &m) < 0) {
                reply_nothing(r, SIM_BEEP);
                return;
        }
        switch (m.type) {
        case LSC_MSG_SERVO_MOVE:
                board_move(b, &m, now_us, r);
                break;
        case LSC_MSG_GROUP_RUN:
                board_run(b, &m, now_us, r);
                break;
        case LSC_MSG_GROUP_STOP:
                board_stop(b, r);
                break;
        case LSC_MSG_GROUP_SPEED:
                board_speed(b, &m, r);
                break;
        case LSC_MSG_BATTERY_QUERY:
                board_battery(b, r);
                break;
        case LSC_MSG_GROUP_COMPLETE:
        case LSC_MSG_BATTERY_REPLY:
        default:
                /* Board-to-host frames make no sense coming from the host. */
                reply_nothing(r, SIM_BEEP);
                break;
        }
}

/* from + (target - from) * elapsed / duration, a half rounded towards the
 * target; |target - from| <= 2000 and 0 < elapsed < duration <= 65535 ms. */
static int board_between(const struct sim_servo *s, uint64_t elapsed_us)
{
        int64_t d = s->target - s->from, dur = (int64_t)s->time_ms * 1000;
        int64_t num = 2 * d * (int64_t)elapsed_us + (d < 0 ? -dur : dur);

        return s->from + (int)(num / (2 * dur));
}

int sim_board_position(const struct sim_board *b, int id, uint64_t now_us)
{
        const struct sim_servo *s = &b->servo[id];

        assert(id >= LSC_SERVO_ID_MIN && id <= LSC_SERVO_ID_MAX);
        if (s->target == SIM_UNKNOWN || now_us >= sim_board_arrival(b, id))
                return s->target;
        if (now_us <= s->start_us || s->from == SIM_UNKNOWN)
                return s->from;
        return board_between(s, now_us - s->start_us);
}

uint64_t sim_board_arrival(const struct sim_board *b, int id)
{
        const struct sim_servo *s = &b->servo[id];

        assert(id >= LSC_SERVO_ID_MIN && id <= LSC_SERVO_ID_MAX);
        if (s->target == SIM_UNKNOWN)
                return SIM_NEVER;
        return s->start_us + (uint64_t)s->time_ms * 1000;
}

void sim_board_expire(struct sim_board *b, uint64_t now_us, struct sim_reply *r)
{
        if (b->running < 0 || b->deadline_us > now_us) {
                reply_nothing(r, SIM_NOTHING);
                return;
        }
        reply_frame(r, lsc_frame_encode_group_complete(r->frame, sizeof(r->frame),
                                                       b->running, b->runs));
        board_idle(b);
}

int sim_board_emit_run(struct sim_board *b, long g, long runs, uint64_t now_us,
                       struct sim_reply *r)
{
        if (g < 0 || g > LSC_GROUP_MAX || runs < 0 || runs > LSC_RUNS_MAX)
                return -EINVAL;
        if (!b->downloaded[g])
                return -ENOENT;
        board_start(b, (unsigned)g, (unsigned)runs, now_us, r);
        return 0;
}

void sim_board_emit_stop(struct sim_board *b, struct sim_reply *r)
{
        board_idle(b);
        reply_frame(r, lsc_frame_encode_group_stop(r->frame, sizeof(r->frame)));
}

int sim_board_emit_complete(struct sim_board *b, long g, long runs, struct sim_reply *r)
{
        int size = lsc_frame_encode_group_complete(r->frame, sizeof(r->frame), g, runs);

        if (size < 0)
                return -EINVAL;
        if (b->running == g)
                board_idle(b);
        reply_frame(r, size);
        return 0;
}

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

/* The middle of a bus servo's range, where the simulated ones power on. */
#define SIM_BUS_HOME ((LSC_BUS_POSITION_MIN + LSC_BUS_POSITION_MAX) / 2)

/* A bus servo held at POSITION: limp (by hand), or after power-on. */
static void board_hold(struct sim_board *b, int id, int position, bool limp)
{
        b->servo[id] = (struct sim_servo){ .from = position, .target = position, .limp = limp };
}

void sim_board_power_cycle(struct sim_board *b)
{
        b->running = -1;
        b->runs = 0;
        b->deadline_us = SIM_NEVER;
        for (int g = 0; g < SIM_BOARD_GROUPS; g++)
                b->percent[g] = 100;
        board_forget_servos(b);
        for (int id = LSC_SERVO_ID_MIN; b->bus && id <= LSC_SERVO_ID_MAX; id++)
                board_hold(b, id, SIM_BUS_HOME, false);
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
        /* bus-servo-and-d6a.md, "Older firmware report forms". */
        if (b->old_firmware)
                reply_frame(r, lsc_frame_encode_group_run_bare(r->frame, sizeof(r->frame)));
        else
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
 * one the board drives (a pulse width, or a bus servo's 0..1000); otherwise
 * it is malformed. */
static void board_move(struct sim_board *b, const struct lsc_msg *m, uint64_t now_us,
                       struct sim_reply *r)
{
        int min = b->bus ? LSC_BUS_POSITION_MIN : LSC_POSITION_MIN;
        int max = b->bus ? LSC_BUS_POSITION_MAX : LSC_POSITION_MAX;

        for (unsigned i = 0; i < m->u.move.n_servos; i++) {
                const struct lsc_servo *s = &m->u.move.servos[i];

                if (s->id < LSC_SERVO_ID_MIN || s->id > LSC_SERVO_ID_MAX ||
                    s->position < min || s->position > max) {
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

/* Torque off (bus-servo-and-d6a.md, "CMD 20"): no reply. An id that is no
 * channel is ignored, as a bus board ignores a servo that is not there. */
static void board_unload(struct sim_board *b, const struct lsc_msg *m, uint64_t now_us,
                         struct sim_reply *r)
{
        for (unsigned i = 0; i < m->u.ids.n; i++) {
                int id = m->u.ids.ids[i];

                if (id >= LSC_SERVO_ID_MIN && id <= LSC_SERVO_ID_MAX)
                        board_hold(b, id, sim_board_position(b, id, now_us), true);
        }
        reply_nothing(r, SIM_NOTHING);
}

/* Read positions (bus-servo-and-d6a.md, "CMD 21"): the servos whose
 * position is known, in the order asked; the others do not answer. */
static void board_read(struct sim_board *b, const struct lsc_msg *m, uint64_t now_us,
                       struct sim_reply *r)
{
        struct lsc_servo servos[LSC_MOVE_MAX_SERVOS];
        size_t n = 0;

        for (unsigned i = 0; i < m->u.ids.n && n < LSC_MOVE_MAX_SERVOS; i++) {
                int id = m->u.ids.ids[i];

                if (id >= LSC_SERVO_ID_MIN && id <= LSC_SERVO_ID_MAX &&
                    sim_board_position(b, id, now_us) != SIM_UNKNOWN)
                        servos[n++] = (struct lsc_servo){ id, sim_board_position(b, id, now_us) };
        }
        if (n == 0) {
                reply_nothing(r, SIM_NOTHING);
                return;
        }
        reply_frame(r, lsc_frame_encode_position_reply(r->frame, sizeof(r->frame), servos, n));
}

int sim_board_hand(struct sim_board *b, int id, long position)
{
        if (position < LSC_BUS_POSITION_MIN || position > LSC_BUS_POSITION_MAX ||
            id < LSC_SERVO_ID_MIN || id > LSC_SERVO_ID_MAX)
                return -EINVAL;
        if (!b->bus || !b->servo[id].limp)
                return -EPERM;
        board_hold(b, id, (int)position, true);
        return 0;
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
        /* A PWM board's reaction to 20 and 21 is not documented
         * (bus-servo-and-d6a.md, "PWM LSC boards and commands 20/21"):
         * silence, which lscd must not depend on. */
        case LSC_MSG_SERVO_UNLOAD:
                if (b->bus)
                        board_unload(b, &m, now_us, r);
                else
                        reply_nothing(r, SIM_NOTHING);
                break;
        case LSC_MSG_POSITION_QUERY:
                if (b->bus)
                        board_read(b, &m, now_us, r);
                else
                        reply_nothing(r, SIM_NOTHING);
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
        /* An older firmware reports the natural end with STOP. */
        if (b->old_firmware)
                reply_frame(r, lsc_frame_encode_group_stop(r->frame, sizeof(r->frame)));
        else
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

/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "mem.h"
#include "servos.h"

#define SERVOS_BIT(id) (UINT64_C(1) << (id))

void servos_init(struct servos *s, const struct servos_ops *ops, void *userdata)
{
        *s = (struct servos) { .ops = ops, .userdata = userdata };
}

/* Unlink and free every move, answering each wait RESULT. */
static void servos_end_all(struct servos *s, enum servos_result result)
{
        while (s->moves) {
                struct servos_move *m = s->moves;

                s->moves = m->next;
                if (m->waiter)
                        s->ops->answer(s->userdata, m->waiter, result);
                free(m);
        }
}

void servos_done(struct servos *s)
{
        servos_end_all(s, SERVOS_SHUTDOWN);
}

/* The target a new move of servo ID starts from: the last one queued. */
static bool servos_base(const struct servos *s, unsigned id, int *ret)
{
        const struct servo_state *st = &s->servo[id];

        *ret = st->queued;
        return st->queued_known;
}

/* Spec I into its id (0 after failing). */
static unsigned servos_spec_id(const struct model *m, const struct servos_spec *spec, size_t i,
                               const char *field, struct fail *f)
{
        char at[64];
        unsigned id = spec->name[0] ? model_servo_id(m, spec->name) : spec->id;

        if (id == 0) {
                snprintf(at, sizeof(at), "%s[%zu].name", field, i);
                fail(f, LSC_ERRCODE_UNKNOWN_SERVO, at, "no servo is named \"%s\"", spec->name);
        }
        return id;
}

/* The logical target of spec I of servo ID, within its limits. */
static int servos_spec_target(const struct servos *s, const struct model_servo *ms, unsigned id,
                              const struct servos_spec *spec, size_t i, const char *field,
                              int *ret, struct fail *f)
{
        const char *label = ms->name[0] ? ms->name : "servo";
        char at[64];
        int base = 0, target = spec->value;

        snprintf(at, sizeof(at), "%s[%zu].%s", field, i, spec->delta ? "delta" : "position");
        if (spec->delta) {
                if (!servos_base(s, id, &base))
                        return fail(f, LSC_ERRCODE_UNKNOWN_POSITION, at, "%s %u: its position is "
                                    "unknown (never moved by lscd, or a group ran since)",
                                    label, id);
                target = base + spec->value;
        } else if (target < ms->wire_min || target > ms->wire_max) {
                /* The request parser admits any board's positions. */
                return fail(f, LSC_ERRCODE_INVALID_ARGUMENT, at, "%s %u: %d is outside the "
                            "board's positions %d..%d", label, id, target, ms->wire_min,
                            ms->wire_max);
        }
        if (!model_in_limits(ms, target)) {
                if (spec->delta)
                        return fail(f, LSC_ERRCODE_OUT_OF_LIMITS, at, "%s %u: %d%+d = %d is "
                                    "outside its limits %d..%d", label, id, base, spec->value,
                                    target, ms->min, ms->max);
                return fail(f, LSC_ERRCODE_OUT_OF_LIMITS, at, "%s %u: %d is outside its limits "
                            "%d..%d", label, id, target, ms->min, ms->max);
        }
        *ret = target;
        return 0;
}

/* Raise the plan's time so that no servo outruns its max_speed. */
static void servos_stretch(const struct servos *s, const struct model *m, struct servos_plan *p)
{
        for (size_t i = 0; i < p->n; i++) {
                int base;
                unsigned need;

                if (!servos_base(s, p->ids[i], &base))
                        continue;
                need = model_min_time_ms(&m->servos[p->ids[i]], base, p->logical[i]);
                if (need > p->time_ms)
                        p->time_ms = need;
        }
        assert(p->time_ms <= LSC_TIME_MAX);
}

int servos_plan(const struct servos *s, const struct model *m, const struct servos_spec *specs,
                size_t n, unsigned time_ms, const char *field, struct servos_plan *plan,
                struct fail *f)
{
        *plan = (struct servos_plan) { .time_ms = time_ms, .wire_min = m->profile->position_min,
                                       .wire_max = m->profile->position_max };
        for (size_t i = 0; i < n; i++) {
                unsigned id = servos_spec_id(m, &specs[i], i, field, f);
                const struct model_servo *ms = &m->servos[id];
                char at[64];
                int target = 0, r;

                if (id == 0)
                        return -EINVAL;
                if (plan->mask & SERVOS_BIT(id)) {
                        snprintf(at, sizeof(at), "%s[%zu]", field, i);
                        return fail(f, LSC_ERRCODE_INVALID_ARGUMENT, at,
                                    "servo %u appears more than once", id);
                }
                r = servos_spec_target(s, ms, id, &specs[i], i, field, &target, f);
                if (r < 0)
                        return r;
                plan->mask |= SERVOS_BIT(id);
                plan->ids[i] = id;
                plan->logical[i] = target;
                plan->wire[i] = (struct lsc_servo) { .id = (int) id,
                                                     .position = model_wire(ms, target) };
                plan->n = i + 1;
        }
        servos_stretch(s, m, plan);
        return 0;
}

int servos_plan_pose(const struct servos *s, const struct model *m, const struct model_pose *pose,
                     unsigned time_ms, struct servos_plan *plan, struct fail *f)
{
        struct servos_spec specs[LSC_MOVE_MAX_SERVOS];

        for (size_t i = 0; i < pose->n; i++)
                specs[i] = (struct servos_spec) { .id = pose->targets[i].id,
                                                  .value = pose->targets[i].position };
        return servos_plan(s, m, specs, pose->n, time_ms, "pose", plan, f);
}

int servos_encode(const struct servos_plan *plan, uint8_t *buf, size_t size)
{
        return lsc_frame_encode_move_within(buf, size, plan->time_ms, plan->wire, plan->n,
                                            plan->wire_min, plan->wire_max);
}

void servos_queued(struct servos *s, const struct servos_plan *plan)
{
        for (size_t i = 0; i < plan->n; i++) {
                struct servo_state *st = &s->servo[plan->ids[i]];

                st->pending++;
                st->queued = plan->logical[i];
                st->queued_known = true;
        }
}

/* One frame of servo ID is no longer pending. */
static void servos_unpend(struct servo_state *st)
{
        assert(st->pending > 0);
        if (--st->pending == 0) {
                st->queued = st->target;
                st->queued_known = st->known;
        }
}

void servos_dropped(struct servos *s, const struct servos_plan *plan)
{
        for (size_t i = 0; i < plan->n; i++)
                servos_unpend(&s->servo[plan->ids[i]]);
}

/* Take the servos of MASK from every earlier move: a wait on one of them
 * is preempted, and a move left without servos ends silently. */
static void servos_preempt(struct servos *s, uint64_t mask)
{
        struct servos_move **link = &s->moves;

        while (*link) {
                struct servos_move *m = *link;

                if (!(m->mask & mask)) {
                        link = &m->next;
                        continue;
                }
                m->mask &= ~mask;
                if (m->waiter) {
                        s->ops->answer(s->userdata, m->waiter, SERVOS_PREEMPTED);
                        m->waiter = NULL;
                }
                if (m->mask) {
                        link = &m->next;
                        continue;
                }
                *link = m->next;
                free(m);
        }
}

void servos_written(struct servos *s, const struct servos_plan *plan, uint64_t sent,
                    const char *source, void *waiter)
{
        uint64_t end = sent + (uint64_t) plan->time_ms * 1000;
        struct servos_move *m = mem_new0(struct servos_move);

        for (size_t i = 0; i < plan->n; i++) {
                struct servo_state *st = &s->servo[plan->ids[i]];

                st->target = plan->logical[i];
                st->known = st->commanded = true;
                st->until = end;
                servos_unpend(st);
        }
        servos_preempt(s, plan->mask);
        *m = (struct servos_move) { .next = s->moves, .mask = plan->mask, .end = end,
                                    .source = source, .waiter = waiter };
        s->moves = m;
}

void servos_forget(struct servos *s, enum servos_result result)
{
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++) {
                struct servo_state *st = &s->servo[id];

                st->known = false;
                st->until = 0;
                if (st->pending == 0)
                        st->queued_known = false;
        }
        servos_end_all(s, result);
}

void servos_unloaded(struct servos *s, uint64_t mask)
{
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++) {
                struct servo_state *st = &s->servo[id];

                if (!(mask & SERVOS_BIT(id)))
                        continue;
                st->known = false;
                st->until = 0;
                if (st->pending == 0)
                        st->queued_known = false;
        }
        servos_preempt(s, mask);
}

bool servos_observe(struct servos *s, unsigned id, int position)
{
        struct servo_state *st = &s->servo[id];

        for (const struct servos_move *m = s->moves; m; m = m->next)
                if (m->mask & SERVOS_BIT(id))
                        return false;
        if (st->pending > 0)
                return false;
        st->known = st->queued_known = true;
        st->target = st->queued = position;
        st->until = 0;
        return true;
}

void servos_restore(struct servos *s, unsigned id, int target, uint64_t until)
{
        struct servo_state *st = &s->servo[id];

        st->known = st->queued_known = st->commanded = true;
        st->target = st->queued = target;
        st->until = until;
}

uint64_t servos_deadline(const struct servos *s)
{
        uint64_t deadline = SERVOS_NEVER;

        for (const struct servos_move *m = s->moves; m; m = m->next)
                if (m->end < deadline)
                        deadline = m->end;
        return deadline;
}

void servos_expire(struct servos *s, uint64_t now)
{
        struct servos_move **link = &s->moves;

        while (*link) {
                struct servos_move *m = *link;

                if (m->end > now) {
                        link = &m->next;
                        continue;
                }
                *link = m->next;
                s->ops->completed(s->userdata, m->mask, m->source);
                if (m->waiter)
                        s->ops->answer(s->userdata, m->waiter, SERVOS_COMPLETED);
                free(m);
        }
}

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "claims.h"
#include "list.h"
#include "mem.h"

void claims_init(struct claims *s, const struct claims_ops *ops, void *userdata)
{
        *s = (struct claims) { .ops = ops, .userdata = userdata };
}

static bool claims_overlap(const struct claim *a, uint64_t servos, bool groups)
{
        return (a->servos & servos) || (a->groups && groups);
}

/* Unlink C from the FIFO HEAD/TAIL. */
static void claims_unlink(struct claim **head, struct claim **tail, struct claim *c)
{
        struct claim *prev = NULL;

        for (struct claim *i = *head; i; prev = i, i = i->next) {
                if (i != c)
                        continue;
                if (prev)
                        prev->next = c->next;
                else
                        *head = c->next;
                if (*tail == c)
                        *tail = prev;
                c->next = NULL;
                return;
        }
}

void claims_done(struct claims *s)
{
        while (s->waiting) {
                struct claim *c = s->waiting;

                FIFO_SHIFT(s->waiting, s->waiting_tail, next);
                s->ops->cancelled(s->userdata, c);
                free(c);
        }
        while (s->held) {
                struct claim *c = s->held;

                FIFO_SHIFT(s->held, s->held_tail, next);
                free(c);
        }
}

const struct claim *claims_conflict(const struct claims *s, uint64_t owner, uint64_t servos,
                                    bool groups)
{
        for (const struct claim *c = s->held; c; c = c->next)
                if (c->owner != owner && claims_overlap(c, servos, groups))
                        return c;
        return NULL;
}

/* A claim waiting before BEFORE (NULL: any) that overlaps C, of another owner. */
static const struct claim *claims_waiting_conflict(const struct claims *s, const struct claim *c,
                                                   const struct claim *before)
{
        for (const struct claim *w = s->waiting; w && w != before; w = w->next)
                if (w->owner != c->owner && claims_overlap(w, c->servos, c->groups))
                        return w;
        return NULL;
}

static void claims_hold(struct claims *s, struct claim *c, uint64_t now)
{
        c->held = true;
        c->wait_until = CLAIMS_NEVER;
        c->expires = c->lease_usec ? now + c->lease_usec : CLAIMS_NEVER;
        FIFO_APPEND(s->held, s->held_tail, c, next);
}

int claims_request(struct claims *s, const struct claim *want, bool wait, uint64_t wait_until,
                   void *waiter, uint64_t now, struct claim **ret)
{
        const struct claim *holder = claims_conflict(s, want->owner, want->servos, want->groups);
        struct claim *c;
        size_t n = 0;

        for (c = s->held; c; c = c->next) {
                n += c->owner == want->owner;
                if (c->owner == want->owner && claims_overlap(c, want->servos, want->groups)) {
                        *ret = c;
                        return -EEXIST;
                }
        }
        if (n >= CLAIMS_PER_OWNER_MAX)
                return -ENOSPC;

        if (holder && !wait) {
                *ret = (struct claim *) holder;
                return -EBUSY;
        }
        c = mem_new0(struct claim);
        *c = *want;
        c->id = ++s->last_id;
        /* Without wait only holders count: a request that will not wait
         * never queues behind a waiting one. */
        if (!holder && (!wait || !claims_waiting_conflict(s, c, NULL))) {
                c->waiter = NULL;
                claims_hold(s, c, now);
                *ret = c;
                return 0;
        }
        c->held = false;
        c->waiter = waiter;
        c->wait_until = wait_until;
        FIFO_APPEND(s->waiting, s->waiting_tail, c, next);
        *ret = c;
        return 1;
}

/* Grant, in order of arrival, every waiting claim that now can be. */
static void claims_grant(struct claims *s, uint64_t now)
{
        struct claim *w = s->waiting;

        while (w) {
                struct claim *next = w->next;

                if (!claims_conflict(s, w->owner, w->servos, w->groups) &&
                    !claims_waiting_conflict(s, w, w)) {
                        claims_unlink(&s->waiting, &s->waiting_tail, w);
                        claims_hold(s, w, now);
                        s->ops->granted(s->userdata, w);
                        w->waiter = NULL;
                }
                w = next;
        }
}

/* End the held claim C HOW; the waiting ones it blocked are granted. */
static void claims_end(struct claims *s, struct claim *c, enum claims_end how, uint64_t now)
{
        claims_unlink(&s->held, &s->held_tail, c);
        s->ops->ended(s->userdata, c, how);
        free(c);
        claims_grant(s, now);
}

void claims_renew(struct claims *s, uint64_t owner, uint64_t now)
{
        for (struct claim *c = s->held; c; c = c->next)
                if (c->owner == owner && c->lease_usec)
                        c->expires = now + c->lease_usec;
}

/* The first held claim of OWNER with ID (0: any). */
static struct claim *claims_find(const struct claims *s, uint64_t owner, uint64_t id)
{
        for (struct claim *c = s->held; c; c = c->next)
                if (c->owner == owner && (id == 0 || c->id == id))
                        return c;
        return NULL;
}

int claims_release(struct claims *s, uint64_t owner, uint64_t id, uint64_t now)
{
        struct claim *c;
        int n = 0;

        while ((c = claims_find(s, owner, id))) {
                claims_end(s, c, CLAIMS_RELEASED, now);
                n++;
        }
        return n == 0 && id != 0 ? -ENOENT : n;
}

void claims_owner_gone(struct claims *s, uint64_t owner, uint64_t now)
{
        struct claim *c = s->waiting;

        while (c) {
                struct claim *next = c->next;

                if (c->owner == owner) {
                        claims_unlink(&s->waiting, &s->waiting_tail, c);
                        s->ops->cancelled(s->userdata, c);
                        free(c);
                }
                c = next;
        }
        while ((c = claims_find(s, owner, 0)))
                claims_end(s, c, CLAIMS_EXPIRED_DISCONNECT, now);
        /* The waiting claims it held back may go now. */
        claims_grant(s, now);
}

uint64_t claims_deadline(const struct claims *s)
{
        uint64_t t = CLAIMS_NEVER;

        for (const struct claim *c = s->held; c; c = c->next)
                if (c->expires < t)
                        t = c->expires;
        for (const struct claim *c = s->waiting; c; c = c->next)
                if (c->wait_until < t)
                        t = c->wait_until;
        return t;
}

/* The first claim of LIST due at NOW: held by expires, waiting by wait_until. */
static struct claim *claims_due(struct claim *list, uint64_t now)
{
        for (struct claim *c = list; c; c = c->next)
                if ((c->held ? c->expires : c->wait_until) <= now)
                        return c;
        return NULL;
}

void claims_expire(struct claims *s, uint64_t now)
{
        struct claim *c;

        while ((c = claims_due(s->waiting, now))) {
                claims_unlink(&s->waiting, &s->waiting_tail, c);
                s->ops->timed_out(s->userdata, c);
                free(c);
                /* A claim that waited longer no longer holds the others back. */
                claims_grant(s, now);
        }
        while ((c = claims_due(s->held, now)))
                claims_end(s, c, CLAIMS_EXPIRED_LEASE, now);
}

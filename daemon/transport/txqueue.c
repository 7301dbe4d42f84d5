/* SPDX-License-Identifier: MIT */
/*
 * txqueue.c: the transmit scheduler. Owners with queued items sit on a ring;
 * the cursor is the owner whose turn it is. Popping a normal item takes the
 * cursor owner's oldest item and passes the turn on, so with K owners queued
 * an item waits at most K pops once it is at the head of its owner's FIFO.
 * A new owner joins just before the cursor: it is served after every owner
 * already waiting had one turn, and never waits more than one round.
 *
 * Owner lookup walks the ring: O(owners with queued items), and owners with
 * nothing queued cost nothing.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "list.h"
#include "mem.h"
#include "txqueue.h"

/* Owner records kept for reuse: an owner with one frame at a time (a
 * teleoperation client) would otherwise cost a malloc per frame. */
#define TXQUEUE_SPARE_OWNERS 16

/* One per owner with queued items. Invariants: n >= 1 (at 0 the record
 * leaves the ring for the spare list) and counts the owner's items in both
 * lanes; head..tail is its normal-lane FIFO (head NULL when it has priority
 * or restore items only); prev/next link every owner record into the circular ring. */
struct txqueue_owner {
        const void *key;
        struct txqueue_item *head, *tail;
        size_t n;
        struct txqueue_owner *prev, *next;
};

/* Invariants: cursor is NULL iff no owner has items, else the owner whose
 * turn it is; prio_head..prio_tail is the priority lane and
 * restore_head..restore_tail the restore lane, each FIFO; len counts every
 * item. When both are empty every owner on the ring has a normal item, so
 * txqueue_peek() never skips owners. spare lists n_spare
 * unused owner records (linked by next, at most TXQUEUE_SPARE_OWNERS). */
struct txqueue {
        struct txqueue_owner *cursor;
        struct txqueue_item *prio_head, *prio_tail;
        struct txqueue_item *restore_head, *restore_tail;
        size_t len;
        size_t owner_max;
        struct txqueue_owner *spare;
        size_t n_spare;
};

/* A list being collected: the address of its last next pointer. */
typedef struct txqueue_item **txqueue_list_end;

typedef bool (*txqueue_drop_fn)(const struct txqueue_item *item, const void *ref);

int txqueue_new(struct txqueue **ret, size_t owner_max)
{
        struct txqueue *q;

        if (owner_max == 0)
                return -EINVAL;
        q = mem_new0(struct txqueue);
        q->owner_max = owner_max;
        *ret = q;
        return 0;
}

static void txqueue_free_owners(struct txqueue_owner *list)
{
        while (list) {
                struct txqueue_owner *next = list->next;

                free(list);
                list = next;
        }
}

struct txqueue *txqueue_free(struct txqueue *q)
{
        if (!q)
                return NULL;
        if (q->cursor) {
                q->cursor->prev->next = NULL; /* open the ring into a list */
                txqueue_free_owners(q->cursor);
        }
        txqueue_free_owners(q->spare);
        free(q);
        return NULL;
}

static struct txqueue_owner *txqueue_owner_find(const struct txqueue *q, const void *key)
{
        struct txqueue_owner *o = q->cursor;

        if (!o)
                return NULL;
        do {
                if (o->key == key)
                        return o;
                o = o->next;
        } while (o != q->cursor);
        return NULL;
}

/* Find KEY's record, or create it at the end of the current round. */
static struct txqueue_owner *txqueue_owner_get(struct txqueue *q, const void *key)
{
        struct txqueue_owner *o = txqueue_owner_find(q, key);

        if (o)
                return o;
        if (q->spare) {
                o = q->spare;
                q->spare = o->next;
                q->n_spare--;
                *o = (struct txqueue_owner){ 0 };
        } else {
                o = mem_new0(struct txqueue_owner);
        }
        o->key = key;
        if (!q->cursor) {
                o->prev = o->next = o;
                q->cursor = o;
        } else {
                o->next = q->cursor;
                o->prev = q->cursor->prev;
                o->prev->next = o;
                q->cursor->prev = o;
        }
        return o;
}

static void txqueue_owner_remove(struct txqueue *q, struct txqueue_owner *o)
{
        assert(o->n == 0 && !o->head);
        if (o->next == o) {
                q->cursor = NULL;
        } else {
                o->prev->next = o->next;
                o->next->prev = o->prev;
                if (q->cursor == o)
                        q->cursor = o->next;
        }
        if (q->n_spare >= TXQUEUE_SPARE_OWNERS) {
                free(o);
                return;
        }
        o->next = q->spare;
        q->spare = o;
        q->n_spare++;
}

/* Account for the unlinked items of LIST: owners whose last item left are
 * removed from the ring. */
static void txqueue_release(struct txqueue *q, struct txqueue_item *list)
{
        for (struct txqueue_item *i = list; i; i = i->next) {
                struct txqueue_owner *o = i->owner;

                assert(o && o->n >= 1 && q->len >= 1);
                i->owner = NULL;
                q->len--;
                if (--o->n == 0)
                        txqueue_owner_remove(q, o);
        }
}

/* Move the items of the list *HEAD..*TAIL that DROP selects to the list
 * ending at *END, keeping the order of both. Returns how many moved. */
static size_t txqueue_extract(struct txqueue_item **head, struct txqueue_item **tail,
                              txqueue_drop_fn drop, const void *ref,
                              txqueue_list_end *end)
{
        struct txqueue_item **pp = head, *last = NULL;
        size_t n = 0;

        while (*pp) {
                struct txqueue_item *i = *pp;

                if (drop(i, ref)) {
                        *pp = i->next;
                        i->next = NULL;
                        **end = i;
                        *end = &i->next;
                        n++;
                } else {
                        last = i;
                        pp = &i->next;
                }
        }
        *tail = last;
        return n;
}

/* Superseded by REF: every servo ITEM moves, REF moves too. A partial
 * overlap stays queued: dropping it would lose its other servos' targets,
 * and sending it before REF still leaves the shared servos at REF's. */
static bool txqueue_drop_subset(const struct txqueue_item *item, const void *ref)
{
        const struct txqueue_item *r = ref;

        return item->servo_mask != 0 && (item->servo_mask & ~r->servo_mask) == 0;
}

static bool txqueue_drop_haltable(const struct txqueue_item *item, const void *ref)
{
        return item->haltable;
}

static bool txqueue_drop_all(const struct txqueue_item *item, const void *ref)
{
        return true;
}

/* Extract what DROP selects from every lane and owner, priority lane first,
 * then owners from the cursor on; the list is released before returning. */
static struct txqueue_item *txqueue_extract_all(struct txqueue *q, txqueue_drop_fn drop, size_t *n_ret)
{
        struct txqueue_item *list = NULL;
        txqueue_list_end end = &list;
        struct txqueue_owner *o = q->cursor;
        size_t n;

        n = txqueue_extract(&q->prio_head, &q->prio_tail, drop, NULL, &end);
        n += txqueue_extract(&q->restore_head, &q->restore_tail, drop, NULL, &end);
        if (o)
                do {
                        n += txqueue_extract(&o->head, &o->tail, drop, NULL, &end);
                        o = o->next;
                } while (o != q->cursor);
        txqueue_release(q, list);
        if (n_ret)
                *n_ret = n;
        return list;
}

/* The superseded items are released after ITEM is queued, so that an
 * owner whose every item was replaced keeps its place in the round: a
 * client replacing its one move faster than frames go out is still served
 * every round, not sent to the back of it each time. */
int txqueue_push(struct txqueue *q, struct txqueue_item *item, const void *owner,
                 struct txqueue_item **superseded)
{
        struct txqueue_owner *o = txqueue_owner_find(q, owner);
        struct txqueue_item *list = NULL;
        txqueue_list_end end = &list;
        size_t n = 0;
        int r = 0;

        if (o && item->replace && item->servo_mask != 0)
                n = txqueue_extract(&o->head, &o->tail, txqueue_drop_subset, item, &end);
        if (!o)
                o = txqueue_owner_get(q, owner);
        if (o->n - n >= q->owner_max)
                r = -ENOBUFS;
        if (r == 0) {
                item->owner = o;
                if (item->priority)
                        FIFO_APPEND(q->prio_head, q->prio_tail, item, next);
                else if (item->restore)
                        FIFO_APPEND(q->restore_head, q->restore_tail, item, next);
                else
                        FIFO_APPEND(o->head, o->tail, item, next);
                o->n++;
                q->len++;
        }
        txqueue_release(q, list);
        *superseded = list;
        return r;
}

struct txqueue_item *txqueue_peek(const struct txqueue *q)
{
        if (q->prio_head)
                return q->prio_head;
        if (q->restore_head)
                return q->restore_head;
        return q->cursor ? q->cursor->head : NULL;
}


struct txqueue_item *txqueue_pop(struct txqueue *q)
{
        struct txqueue_item *item = txqueue_peek(q);

        if (!item)
                return NULL;
        if (item == q->prio_head) {
                FIFO_SHIFT(q->prio_head, q->prio_tail, next);
        } else if (item == q->restore_head) {
                FIFO_SHIFT(q->restore_head, q->restore_tail, next);
        } else {
                FIFO_SHIFT(q->cursor->head, q->cursor->tail, next);
                q->cursor = q->cursor->next;
        }
        item->next = NULL;
        txqueue_release(q, item);
        return item;
}

struct txqueue_item *txqueue_halt(struct txqueue *q, size_t *n_ret)
{
        return txqueue_extract_all(q, txqueue_drop_haltable, n_ret);
}

static bool txqueue_drop_match(const struct txqueue_item *item, const void *ref)
{
        const struct txqueue_match *m = ref;

        if (m->select)
                return m->select(item, m->arg);
        if ((item->owner->key == m->owner) == m->others)
                return false;
        return m->everything || (item->servo_mask & m->servos) || (m->groups && item->group);
}

struct txqueue_item *txqueue_drop(struct txqueue *q, const struct txqueue_match *match,
                                  size_t *n_ret)
{
        struct txqueue_item *list = NULL;
        txqueue_list_end end = &list;
        struct txqueue_owner *o = q->cursor;
        size_t n = txqueue_extract(&q->restore_head, &q->restore_tail, txqueue_drop_match, match,
                                   &end);

        if (o)
                do {
                        n += txqueue_extract(&o->head, &o->tail, txqueue_drop_match, match, &end);
                        o = o->next;
                } while (o != q->cursor);
        txqueue_release(q, list);
        *n_ret = n;
        return list;
}

struct txqueue_item *txqueue_drain(struct txqueue *q)
{
        return txqueue_extract_all(q, txqueue_drop_all, NULL);
}

size_t txqueue_len(const struct txqueue *q)
{
        return q->len;
}

size_t txqueue_owner_len(const struct txqueue *q, const void *owner)
{
        const struct txqueue_owner *o = txqueue_owner_find(q, owner);

        return o ? o->n : 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * txqueue.h: the transmit scheduler, without I/O, clock or event loop. It
 * orders items (frames, to wire.c) that it does not own: a priority lane
 * first, FIFO; then a restore lane, FIFO; then one item per owner in turn
 * (round-robin), each owner's items FIFO. It also drops items: halt (every haltable item), supersede
 * (an owner's items replaced by a later one) and drain (everything). Dropped
 * items are handed back as a list, so the caller answers them once the
 * queue is consistent again.
 */
#ifndef LSCD_TXQUEUE_H
#define LSCD_TXQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct txqueue;
struct txqueue_owner;

/* Embedded by the caller in its own record. The caller fills priority,
 * haltable, replace and servo_mask before txqueue_push(); next and owner
 * belong to the queue while the item is queued. In a list handed back by
 * txqueue_halt(), txqueue_push() or txqueue_drain(), next links the list. */
struct txqueue_item {
        struct txqueue_item *next;
        struct txqueue_owner *owner;
        bool priority;         /* the priority lane */
        bool restore;          /* the restore lane (unless priority) */
        bool haltable;         /* dropped by txqueue_halt() */
        bool replace;          /* supersede on push, see txqueue_push() */
        bool group;            /* runs or speeds an action group */
        uint64_t servo_mask;   /* 0 = never superseded */
};

/* Which items of the restore and normal lanes txqueue_drop() takes: those
 * of OWNER, or with OTHERS those of every other owner; of them, every one
 * with EVERYTHING, else those whose servo_mask overlaps SERVOS, and with
 * GROUPS those that are group frames. The priority lane (STOP) is never
 * dropped. */
struct txqueue_match {
        const void *owner;
        bool others;
        bool everything;
        uint64_t servos;
        bool groups;
        /* When set, instead of the above: the items for which it is true. */
        bool (*select)(const struct txqueue_item *item, const void *arg);
        const void *arg;
};

/* OWNER_MAX bounds the items one owner may have queued (both lanes). */
int txqueue_new(struct txqueue **ret, size_t owner_max);
/* The queue must be empty (txqueue_drain() first). Accepts NULL. */
struct txqueue *txqueue_free(struct txqueue *q);

/* Queue ITEM for OWNER. With item->replace, first unlinks OWNER's queued
 * normal-lane items whose servo_mask is non-zero and a subset of ITEM's, and
 * returns them in queue order in *superseded (NULL when none). Returns 0,
 * -ENOBUFS when OWNER already has owner_max items queued (nothing changed
 * but the supersession). */
int txqueue_push(struct txqueue *q, struct txqueue_item *item, const void *owner,
                 struct txqueue_item **superseded);

/* The item txqueue_pop() would return next, or NULL when empty. */
struct txqueue_item *txqueue_peek(const struct txqueue *q);
/* Unlink and return the next item (the one txqueue_peek() returned), and
 * pass the round-robin turn to the next owner. */
struct txqueue_item *txqueue_pop(struct txqueue *q);

/* Unlink every haltable item of every owner and lane; returns them as a
 * list in queue order (priority lane first), *n_ret its length. */
struct txqueue_item *txqueue_halt(struct txqueue *q, size_t *n_ret);
/* Unlink the restore- and normal-lane items MATCH selects; returns them
 * as a list in queue order, *n_ret its length. */
struct txqueue_item *txqueue_drop(struct txqueue *q, const struct txqueue_match *match,
                                  size_t *n_ret);
/* Unlink every item; returns them as a list (priority lane first). */
struct txqueue_item *txqueue_drain(struct txqueue *q);

size_t txqueue_len(const struct txqueue *q);
/* Items OWNER has queued, both lanes. */
size_t txqueue_owner_len(const struct txqueue *q, const void *owner);

#endif

/* SPDX-License-Identifier: MIT */
/* Unit tests of the transmit scheduler: order, priority, round-robin
 * fairness, halt, replace and the owner bound. Deterministic: no clock. */
#include "lscd-check.h"
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "txqueue.h"

struct frame {
        struct txqueue_item item;
        int id;
};

#define FRAME(i) ((struct frame *)((char *)(i) - offsetof(struct frame, item)))

/* Owner keys: only their addresses matter. */
static const char owner_a, owner_b, owner_c;

static struct txqueue *q;
static struct frame frames[4096];

static void setup(void)
{
        ck_assert_int_eq(txqueue_new(&q, 4096), 0);
        for (int i = 0; i < 4096; i++)
                frames[i] = (struct frame){ .id = i };
}

static void teardown(void)
{
        txqueue_drain(q);
        q = txqueue_free(q);
}

/* Push frames[id] for OWNER with the given lane, flags and mask. */
static int push(int id, const void *owner, bool priority, bool haltable, bool replace,
                uint64_t mask, struct txqueue_item **superseded)
{
        struct txqueue_item *dropped;
        struct txqueue_item *item = &frames[id].item;
        int r;

        item->priority = priority;
        item->haltable = haltable;
        item->replace = replace;
        item->servo_mask = mask;
        r = txqueue_push(q, item, owner, &dropped);
        if (superseded)
                *superseded = dropped;
        else
                ck_assert_ptr_null(dropped);
        return r;
}

static void push_normal(int id, const void *owner)
{
        ck_assert_int_eq(push(id, owner, false, true, false, 0, NULL), 0);
}

static int pop_id(void)
{
        struct txqueue_item *peek = txqueue_peek(q);
        struct txqueue_item *item = txqueue_pop(q);

        ck_assert_ptr_eq(peek, item);
        return item ? FRAME(item)->id : -1;
}

/* Check that LIST holds exactly the frames IDS, in order. */
static void check_list(struct txqueue_item *list, const int *ids, size_t n)
{
        size_t k = 0;

        for (struct txqueue_item *i = list; i; i = i->next, k++) {
                ck_assert_uint_lt(k, n);
                ck_assert_int_eq(FRAME(i)->id, ids[k]);
                ck_assert_ptr_null(i->owner);
        }
        ck_assert_uint_eq(k, n);
}

START_TEST(test_fifo_one_owner)
{
        for (int i = 0; i < 10; i++)
                push_normal(i, &owner_a);
        ck_assert_uint_eq(txqueue_len(q), 10);
        ck_assert_uint_eq(txqueue_owner_len(q, &owner_a), 10);
        for (int i = 0; i < 10; i++)
                ck_assert_int_eq(pop_id(), i);
        ck_assert_ptr_null(txqueue_peek(q));
        ck_assert_ptr_null(txqueue_pop(q));
        ck_assert_uint_eq(txqueue_len(q), 0);
        ck_assert_uint_eq(txqueue_owner_len(q, &owner_a), 0);
}
END_TEST

START_TEST(test_null_owner_is_an_owner)
{
        push_normal(0, NULL);
        push_normal(1, &owner_a);
        push_normal(2, NULL);
        ck_assert_uint_eq(txqueue_owner_len(q, NULL), 2);
        ck_assert_int_eq(pop_id(), 0);
        ck_assert_int_eq(pop_id(), 1);
        ck_assert_int_eq(pop_id(), 2);
}
END_TEST

START_TEST(test_priority_first)
{
        push_normal(0, &owner_a);
        push_normal(1, &owner_a);
        push_normal(2, &owner_b);
        ck_assert_int_eq(push(3, &owner_b, true, false, false, 0, NULL), 0);
        ck_assert_int_eq(pop_id(), 3);
        ck_assert_int_eq(pop_id(), 0);
        /* Priority frames submitted mid-stream still go next, FIFO. */
        ck_assert_int_eq(push(4, NULL, true, false, false, 0, NULL), 0);
        ck_assert_int_eq(push(5, &owner_c, true, false, false, 0, NULL), 0);
        ck_assert_int_eq(pop_id(), 4);
        ck_assert_int_eq(pop_id(), 5);
        ck_assert_int_eq(pop_id(), 2);
        ck_assert_int_eq(pop_id(), 1);
        ck_assert_int_eq(pop_id(), -1);
}
END_TEST

static void push_restore(int id, const void *owner)
{
        frames[id].item.restore = true;
        ck_assert_int_eq(push(id, owner, false, false, false, 0, NULL), 0);
}

/* The restore lane goes after the priority lane and before every normal
 * item, FIFO: a STOP jumps lscd's re-applied speeds, clients wait for them. */
START_TEST(test_restore_lane)
{
        push_normal(0, &owner_a);
        push_restore(1, NULL);
        push_restore(2, NULL);
        push_normal(3, NULL);
        ck_assert_int_eq(pop_id(), 1);
        ck_assert_int_eq(push(4, &owner_b, true, false, false, 0, NULL), 0);
        ck_assert_int_eq(pop_id(), 4);
        ck_assert_int_eq(pop_id(), 2);
        ck_assert_uint_eq(txqueue_owner_len(q, NULL), 1);
        ck_assert_int_eq(pop_id(), 0);
        ck_assert_int_eq(pop_id(), 3);
        ck_assert_int_eq(pop_id(), -1);
        /* Drain takes the restore lane after the priority lane. */
        push_normal(5, &owner_a);
        push_restore(6, NULL);
        ck_assert_int_eq(push(7, NULL, true, false, false, 0, NULL), 0);
        check_list(txqueue_drain(q), (const int[]){ 7, 6, 5 }, 3);
}
END_TEST

/* The priority lane counts toward its owner's items and does not consume
 * the owner's round-robin turn. */
START_TEST(test_priority_keeps_turn)
{
        push_normal(0, &owner_a);
        push_normal(1, &owner_b);
        ck_assert_int_eq(push(2, &owner_a, true, false, false, 0, NULL), 0);
        ck_assert_uint_eq(txqueue_owner_len(q, &owner_a), 2);
        ck_assert_int_eq(pop_id(), 2);
        ck_assert_int_eq(pop_id(), 0);
        ck_assert_int_eq(pop_id(), 1);
}
END_TEST

START_TEST(test_round_robin_order)
{
        static const int expect[] = { 0, 4, 6, 1, 5, 2, 3 };

        for (int i = 0; i < 4; i++)
                push_normal(i, &owner_a);
        push_normal(4, &owner_b);
        push_normal(5, &owner_b);
        push_normal(6, &owner_c);
        for (size_t i = 0; i < ARRAY_SIZE(expect); i++)
                ck_assert_int_eq(pop_id(), expect[i]);
        ck_assert_int_eq(pop_id(), -1);
}
END_TEST

/* K owners flood; a new owner's single frame comes out within K + 1 pops
 * (the number of active owners), wherever the round stands. */
START_TEST(test_fairness_flood)
{
        static const char flooders[5];
        const int k = 5, per = 200, single = 4000;

        for (int skip = 0; skip < 2 * k; skip++) {
                int id = 0, pops = 0;

                for (int o = 0; o < k; o++)
                        for (int n = 0; n < per; n++)
                                push_normal(id++, &flooders[o]);
                for (int n = 0; n < skip; n++)
                        ck_assert_int_ne(pop_id(), -1);
                push_normal(single, &owner_a);
                for (;;) {
                        pops++;
                        if (pop_id() == single)
                                break;
                }
                ck_assert_int_le(pops, k + 1);
                txqueue_drain(q);
        }
}
END_TEST

/* One flooder against a steady second owner: the second owner's frames
 * alternate with the flood, each within two pops. */
START_TEST(test_fairness_two_owners)
{
        for (int i = 0; i < 1000; i++)
                push_normal(i, &owner_a);
        for (int round = 0; round < 50; round++) {
                int pops = 0;

                push_normal(2000 + round, &owner_b);
                do
                        pops++;
                while (pop_id() != 2000 + round);
                ck_assert_int_le(pops, 2);
        }
}
END_TEST

START_TEST(test_halt_exact)
{
        static const int dropped[] = { 7, 0, 2, 4, 5 };
        struct txqueue_item *list;
        size_t n;

        push(0, &owner_a, false, true, false, 0x2, NULL);   /* move */
        push(1, &owner_a, false, false, false, 0, NULL);    /* speed */
        push(2, &owner_a, false, true, false, 0, NULL);     /* run */
        push(3, &owner_b, false, false, false, 0, NULL);
        push(4, &owner_b, false, true, false, 0x6, NULL);
        push(5, &owner_c, false, true, false, 0x1, NULL);
        push(6, NULL, true, false, false, 0, NULL);         /* battery */
        push(7, &owner_c, true, true, false, 0, NULL);      /* haltable, priority */
        list = txqueue_halt(q, &n);
        ck_assert_uint_eq(n, 5);
        check_list(list, dropped, 5);
        ck_assert_uint_eq(txqueue_len(q), 3);
        ck_assert_uint_eq(txqueue_owner_len(q, &owner_c), 0);
        ck_assert_int_eq(pop_id(), 6);
        ck_assert_int_eq(pop_id(), 1);
        ck_assert_int_eq(pop_id(), 3);
        ck_assert_int_eq(pop_id(), -1);

        list = txqueue_halt(q, &n);
        ck_assert_ptr_null(list);
        ck_assert_uint_eq(n, 0);
}
END_TEST

START_TEST(test_replace_subsets_only)
{
        static const int superseded[] = { 0, 1, 5 };
        struct txqueue_item *list;

        push(0, &owner_a, false, true, false, 0x02, NULL);  /* servo 1 */
        push(1, &owner_a, false, true, false, 0x06, NULL);  /* servos 1, 2 */
        push(2, &owner_a, false, true, false, 0x0c, NULL);  /* 2, 3: partial */
        push(3, &owner_a, false, true, false, 0, NULL);     /* a group run */
        push(4, &owner_b, false, true, false, 0x02, NULL);  /* other owner */
        push(5, &owner_a, false, true, false, 0x04, NULL);  /* servo 2 */
        push(6, &owner_a, true, false, false, 0, NULL);     /* priority */
        ck_assert_int_eq(push(7, &owner_a, false, true, true, 0x06, &list), 0);
        check_list(list, superseded, 3);
        ck_assert_uint_eq(txqueue_owner_len(q, &owner_a), 4);
        ck_assert_int_eq(pop_id(), 6);
        ck_assert_int_eq(pop_id(), 2);
        ck_assert_int_eq(pop_id(), 4);
        ck_assert_int_eq(pop_id(), 3);
        ck_assert_int_eq(pop_id(), 7);
        ck_assert_int_eq(pop_id(), -1);
}
END_TEST

/* Without the flag nothing is superseded; a replace that finds nothing
 * returns an empty list; a popped frame is never answered again. */
START_TEST(test_replace_once)
{
        struct txqueue_item *list;

        ck_assert_int_eq(push(0, &owner_a, false, true, false, 0x2, &list), 0);
        ck_assert_ptr_null(list);
        ck_assert_int_eq(push(1, &owner_a, false, true, false, 0x2, &list), 0);
        ck_assert_ptr_null(list);
        ck_assert_int_eq(pop_id(), 0);
        ck_assert_int_eq(push(2, &owner_a, false, true, true, 0x2, &list), 0);
        check_list(list, (const int[]){ 1 }, 1);
        ck_assert_int_eq(push(3, &owner_a, false, true, true, 0x8, &list), 0);
        ck_assert_ptr_null(list);
        ck_assert_int_eq(push(4, &owner_a, false, true, true, 0xa, &list), 0);
        check_list(list, (const int[]){ 2, 3 }, 2);
        ck_assert_int_eq(pop_id(), 4);
        ck_assert_int_eq(pop_id(), -1);
}
END_TEST

/* An owner whose every frame is superseded keeps a valid ring, and its
 * turn: the new frame takes the place of the ones it replaced. */
START_TEST(test_replace_whole_owner)
{
        struct txqueue_item *list;

        push(0, &owner_a, false, true, false, 0x2, NULL);
        push(1, &owner_b, false, true, false, 0x2, NULL);
        ck_assert_int_eq(push(2, &owner_a, false, true, true, 0x2, &list), 0);
        check_list(list, (const int[]){ 0 }, 1);
        ck_assert_int_eq(pop_id(), 2);
        ck_assert_int_eq(pop_id(), 1);
        ck_assert_int_eq(pop_id(), -1);
}
END_TEST

/* A teleoperation client replaces its one queued move after every frame
 * written, against a flooding client: it is still served every round. */
START_TEST(test_replace_keeps_turn)
{
        struct txqueue_item *list;
        int id = 100, served = 0;

        for (int i = 0; i < 100; i++)
                push_normal(i, &owner_b);
        push(id, &owner_a, false, true, false, 0x2, NULL);
        for (int k = 0; k < 50; k++) {
                served += pop_id() >= 100;
                ck_assert_int_eq(push(++id, &owner_a, false, true, true, 0x2, &list), 0);
        }
        ck_assert_int_ge(served, 24);
}
END_TEST

START_TEST(test_owner_bound)
{
        struct txqueue_item *list;

        q = txqueue_free(q);
        ck_assert_int_eq(txqueue_new(&q, 3), 0);
        ck_assert_int_eq(txqueue_new(&(struct txqueue *){ NULL }, 0), -EINVAL);
        push_normal(0, &owner_a);
        push(1, &owner_a, false, true, false, 0x2, NULL);
        ck_assert_int_eq(push(2, &owner_a, true, false, false, 0, NULL), 0);
        ck_assert_int_eq(push(3, &owner_a, false, true, false, 0, NULL), -ENOBUFS);
        ck_assert_int_eq(push(3, &owner_a, true, false, false, 0, NULL), -ENOBUFS);
        ck_assert_uint_eq(txqueue_len(q), 3);
        push_normal(4, &owner_b);
        /* A replace that frees a slot fits. */
        ck_assert_int_eq(push(5, &owner_a, false, true, true, 0x2, &list), 0);
        check_list(list, (const int[]){ 1 }, 1);
        ck_assert_int_eq(pop_id(), 2);
        ck_assert_int_eq(pop_id(), 0);
        push_normal(6, &owner_a);
        push_normal(7, &owner_a);
        ck_assert_uint_eq(txqueue_owner_len(q, &owner_a), 3);
        ck_assert_int_eq(push(8, &owner_a, false, true, false, 0, NULL), -ENOBUFS);
}
END_TEST

START_TEST(test_drain)
{
        static const int all[] = { 3, 0, 1, 2 };

        push_normal(0, &owner_a);
        push_normal(1, &owner_a);
        push_normal(2, &owner_b);
        push(3, NULL, true, false, false, 0, NULL);
        check_list(txqueue_drain(q), all, 4);
        ck_assert_uint_eq(txqueue_len(q), 0);
        ck_assert_ptr_null(txqueue_peek(q));
        ck_assert_ptr_null(txqueue_drain(q));
        /* The queue works again after a drain. */
        push_normal(0, &owner_b);
        ck_assert_int_eq(pop_id(), 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("txqueue");
        TCase *tc = tcase_create("txqueue");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_fifo_one_owner);
        tcase_add_test(tc, test_null_owner_is_an_owner);
        tcase_add_test(tc, test_priority_first);
        tcase_add_test(tc, test_restore_lane);
        tcase_add_test(tc, test_priority_keeps_turn);
        tcase_add_test(tc, test_round_robin_order);
        tcase_add_test(tc, test_fairness_flood);
        tcase_add_test(tc, test_fairness_two_owners);
        tcase_add_test(tc, test_halt_exact);
        tcase_add_test(tc, test_replace_subsets_only);
        tcase_add_test(tc, test_replace_once);
        tcase_add_test(tc, test_replace_whole_owner);
        tcase_add_test(tc, test_replace_keeps_turn);
        tcase_add_test(tc, test_owner_bound);
        tcase_add_test(tc, test_drain);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

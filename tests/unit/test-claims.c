/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of claims.c: overlapping claims refused or queued first come
 * first served, leases that expire at their end (and start again on every
 * request), waits that time out, owners that go away. Pure: time is an
 * argument, so a lease of 500 ms is checked at 499.999 and 500 ms without
 * sleeping. The ops calls are logged as text and compared whole.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "claims.h"
#include "lscd-check.h"

#define MS 1000ULL

struct log {
        char text[1024];
};

static void log_add(void *userdata, const char *what, const struct claim *c)
{
        struct log *l = userdata;
        size_t len = strlen(l->text);

        snprintf(l->text + len, sizeof(l->text) - len, "%s%s %llu", len ? ", " : "", what,
                 (unsigned long long) c->id);
}

static void test_granted(void *userdata, struct claim *c)
{
        ck_assert(c->held);
        log_add(userdata, "granted", c);
}

static void test_timed_out(void *userdata, struct claim *c)
{
        log_add(userdata, "timed out", c);
}

static void test_cancelled(void *userdata, struct claim *c)
{
        log_add(userdata, "cancelled", c);
}

static void test_ended(void *userdata, const struct claim *c, enum claims_end how)
{
        static const char *const names[] = {
                [CLAIMS_RELEASED] = "released", [CLAIMS_EXPIRED_LEASE] = "lease",
                [CLAIMS_EXPIRED_DISCONNECT] = "disconnect",
        };

        log_add(userdata, names[how], c);
}

static const struct claims_ops test_ops = {
        .granted = test_granted, .timed_out = test_timed_out,
        .cancelled = test_cancelled, .ended = test_ended,
};

/* The log so far, then emptied. */
static const char *taken(struct log *l)
{
        static char out[sizeof(l->text)];

        strcpy(out, l->text);
        l->text[0] = '\0';
        return out;
}

#define BIT(id) (UINT64_C(1) << (id))

/* OWNER claims SERVOS (GROUPS) with LEASE_MS at NOW_MS: the result, with *id. */
static int claim(struct claims *s, uint64_t owner, uint64_t servos, bool groups,
                 unsigned lease_ms, bool wait, uint64_t wait_until, uint64_t now_ms,
                 uint64_t *id)
{
        struct claim want = { .owner = owner, .servos = servos, .groups = groups,
                              .lease_usec = lease_ms * MS };
        struct claim *c = NULL;
        int r = claims_request(s, &want, wait, wait_until, wait ? &want : NULL, now_ms * MS, &c);

        if (id)
                *id = c ? c->id : 0;
        return r;
}

START_TEST(test_overlaps_are_refused_naming_the_holder)
{
        struct log l = { "" };
        struct claims s;
        uint64_t a, b;

        claims_init(&s, &test_ops, &l);
        ck_assert_int_eq(claim(&s, 1, BIT(1) | BIT(2), false, 0, false, 0, 0, &a), 0);
        ck_assert_int_eq(claim(&s, 2, BIT(2), false, 0, false, 0, 0, &b), -EBUSY);
        ck_assert_uint_eq(b, a);                /* the holder */
        ck_assert_uint_eq(claims_conflict(&s, 2, BIT(1), false)->id, a);
        ck_assert_ptr_null(claims_conflict(&s, 1, BIT(1), false));   /* its own */
        ck_assert_int_eq(claim(&s, 2, BIT(3), false, 0, false, 0, 0, &b), 0);
        ck_assert_int_eq(claim(&s, 1, BIT(2), false, 0, false, 0, 0, &b), -EEXIST);
        ck_assert_uint_eq(b, a);
        ck_assert_int_eq(claim(&s, 1, 0, true, 0, false, 0, 0, &a), 0);
        ck_assert_int_eq(claim(&s, 2, 0, true, 0, false, 0, 0, &b), -EBUSY);
        ck_assert_uint_eq(b, a);                /* the groups: one holder too */
        ck_assert_str_eq(taken(&l), "");
        claims_done(&s);
        ck_assert_str_eq(taken(&l), "");        /* lscd stopping: no ended calls */
}
END_TEST

START_TEST(test_an_owner_holds_at_most_its_maximum)
{
        struct log l = { "" };
        struct claims s;

        claims_init(&s, &test_ops, &l);
        for (unsigned id = 1; id <= CLAIMS_PER_OWNER_MAX; id++)
                ck_assert_int_eq(claim(&s, 1, BIT(id), false, 0, false, 0, 0, NULL), 0);
        ck_assert_int_eq(claim(&s, 1, 0, true, 0, false, 0, 0, NULL), -ENOSPC);
        ck_assert_int_eq(claim(&s, 2, 0, true, 0, false, 0, 0, NULL), 0);
        ck_assert_int_eq(claims_release(&s, 1, 0, 0), CLAIMS_PER_OWNER_MAX);
        claims_done(&s);
}
END_TEST

START_TEST(test_a_lease_ends_at_its_end_and_every_request_renews_it)
{
        struct log l = { "" };
        struct claims s;
        uint64_t a, b;

        claims_init(&s, &test_ops, &l);
        ck_assert_uint_eq(claims_deadline(&s), CLAIMS_NEVER);
        ck_assert_int_eq(claim(&s, 1, BIT(1), false, 500, false, 0, 1000, &a), 0);
        ck_assert_int_eq(claim(&s, 2, BIT(2), false, 0, false, 0, 1000, &b), 0);
        ck_assert_uint_eq(claims_deadline(&s), 1500 * MS);      /* no lease: never */
        claims_renew(&s, 1, 1200 * MS);
        ck_assert_uint_eq(claims_deadline(&s), 1700 * MS);
        claims_renew(&s, 2, 1600 * MS);                         /* another owner's */
        claims_expire(&s, 1700 * MS - 1);
        ck_assert_str_eq(taken(&l), "");
        claims_expire(&s, 1700 * MS);
        ck_assert_str_eq(taken(&l), "lease 1");
        ck_assert_ptr_null(claims_conflict(&s, 3, BIT(1), false));
        ck_assert_uint_eq(claims_deadline(&s), CLAIMS_NEVER);
        claims_expire(&s, UINT64_MAX - 1);
        ck_assert_str_eq(taken(&l), "");                        /* b has no lease */
        claims_done(&s);
}
END_TEST

/* Waiting is first come, first served: a later claim never overtakes one
 * that waited longer over the same servo, yet nobody waits for what is
 * free, and a claim that will not wait is not held back by waiters. */
START_TEST(test_waiters_are_granted_in_order_of_arrival)
{
        struct log l = { "" };
        struct claims s;
        uint64_t a, b, d;

        claims_init(&s, &test_ops, &l);
        ck_assert_int_eq(claim(&s, 1, BIT(1), false, 0, false, 0, 0, &a), 0);
        ck_assert_int_eq(claim(&s, 2, BIT(1) | BIT(2), false, 0, true, CLAIMS_NEVER, 0, &b), 1);
        ck_assert_int_eq(claim(&s, 3, BIT(2), false, 0, true, CLAIMS_NEVER, 0, NULL), 1);
        ck_assert_int_eq(claim(&s, 4, BIT(3), false, 0, true, CLAIMS_NEVER, 0, NULL), 0);
        ck_assert_int_eq(claim(&s, 5, BIT(2), false, 0, false, 0, 0, &d), 0);
        ck_assert_int_eq(claims_release(&s, 1, a, 10 * MS), 1);
        ck_assert_str_eq(taken(&l), "released 1");              /* b waits for d too */
        ck_assert_int_eq(claims_release(&s, 5, 0, 20 * MS), 1);
        ck_assert_str_eq(taken(&l), "released 5, granted 2");   /* c waits behind b */
        ck_assert_int_eq(claims_release(&s, 2, b, 30 * MS), 1);
        ck_assert_str_eq(taken(&l), "released 2, granted 3");
        ck_assert_int_eq(claims_release(&s, 2, b, 30 * MS), -ENOENT);
        ck_assert_int_eq(claims_release(&s, 2, 0, 30 * MS), 0);
        claims_done(&s);
        ck_assert_str_eq(taken(&l), "");
}
END_TEST

START_TEST(test_a_wait_times_out_and_frees_those_behind_it)
{
        struct log l = { "" };
        struct claims s;

        claims_init(&s, &test_ops, &l);
        ck_assert_int_eq(claim(&s, 1, BIT(1), false, 0, false, 0, 0, NULL), 0);
        ck_assert_int_eq(claim(&s, 2, BIT(1) | BIT(2), false, 0, true, 200 * MS, 0, NULL), 1);
        ck_assert_int_eq(claim(&s, 3, BIT(2), false, 500, true, CLAIMS_NEVER, 0, NULL), 1);
        ck_assert_uint_eq(claims_deadline(&s), 200 * MS);
        claims_expire(&s, 200 * MS - 1);
        ck_assert_str_eq(taken(&l), "");
        claims_expire(&s, 200 * MS);
        ck_assert_str_eq(taken(&l), "timed out 2, granted 3");
        /* Its lease starts when it is granted, not when it asked. */
        ck_assert_uint_eq(claims_deadline(&s), 700 * MS);
        claims_done(&s);
}
END_TEST

START_TEST(test_an_owner_gone_ends_its_claims_and_its_waits)
{
        struct log l = { "" };
        struct claims s;

        claims_init(&s, &test_ops, &l);
        ck_assert_int_eq(claim(&s, 1, BIT(1), false, 0, false, 0, 0, NULL), 0);
        ck_assert_int_eq(claim(&s, 2, BIT(2), false, 0, false, 0, 0, NULL), 0);
        ck_assert_int_eq(claim(&s, 1, BIT(2), false, 0, true, CLAIMS_NEVER, 0, NULL), 1);
        ck_assert_int_eq(claim(&s, 3, BIT(1), false, 0, true, CLAIMS_NEVER, 0, NULL), 1);
        claims_owner_gone(&s, 1, 5 * MS);
        ck_assert_str_eq(taken(&l), "cancelled 3, disconnect 1, granted 4");
        claims_owner_gone(&s, 1, 6 * MS);
        ck_assert_str_eq(taken(&l), "");
        claims_done(&s);
        ck_assert_str_eq(taken(&l), "");
}
END_TEST

START_TEST(test_stopping_cancels_the_waits)
{
        struct log l = { "" };
        struct claims s;

        claims_init(&s, &test_ops, &l);
        ck_assert_int_eq(claim(&s, 1, 0, true, 100, false, 0, 0, NULL), 0);
        ck_assert_int_eq(claim(&s, 2, BIT(4), true, 0, true, CLAIMS_NEVER, 0, NULL), 1);
        claims_done(&s);
        ck_assert_str_eq(taken(&l), "cancelled 2");
}
END_TEST

int main(void)
{
        Suite *s = suite_create("claims");
        TCase *tc = tcase_create("claims");

        tcase_add_test(tc, test_overlaps_are_refused_naming_the_holder);
        tcase_add_test(tc, test_an_owner_holds_at_most_its_maximum);
        tcase_add_test(tc, test_a_lease_ends_at_its_end_and_every_request_renews_it);
        tcase_add_test(tc, test_waiters_are_granted_in_order_of_arrival);
        tcase_add_test(tc, test_a_wait_times_out_and_frees_those_behind_it);
        tcase_add_test(tc, test_an_owner_gone_ends_its_claims_and_its_waits);
        tcase_add_test(tc, test_stopping_cancels_the_waits);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

/* SPDX-License-Identifier: MIT */
/* test-mqtt-pace.c: lscd-mqtt's status rate, reconnection backoff and
 * failure logging, with time as an argument. */
#include "lscd-check.h"
#include "pace.h"

#define S (1000 * 1000ULL)

START_TEST(test_status_rate)
{
        uint64_t boot = 5000 * S;       /* CLOCK_MONOTONIC is far from 0 */

        ck_assert_uint_eq(pace_status_at(0, boot), boot);
        /* Wanted again 100 ms after a read began: a second after it. */
        ck_assert_uint_eq(pace_status_at(boot, boot + S / 10), boot + S);
        ck_assert_uint_eq(pace_status_at(boot, boot + S - 1), boot + S);
        ck_assert_uint_eq(pace_status_at(boot, boot + S), boot + S);
        ck_assert_uint_eq(pace_status_at(boot, boot + 7 * S), boot + 7 * S);
}
END_TEST

START_TEST(test_backoff_doubles)
{
        struct pace_backoff b;

        pace_backoff_init(&b, S / 10, 10 * S);
        ck_assert_uint_eq(pace_backoff_next(&b), S / 10);
        ck_assert_uint_eq(pace_backoff_next(&b), S / 5);
        for (int i = 0; i < 20; i++)
                pace_backoff_next(&b);
        ck_assert_uint_eq(pace_backoff_next(&b), 10 * S);
}
END_TEST

/* A peer that accepts and drops at once does not reset the backoff; a
 * connection that stayed up does. */
START_TEST(test_backoff_stable)
{
        struct pace_backoff b;
        uint64_t t = 5000 * S;

        pace_backoff_init(&b, S / 10, 10 * S);
        for (int i = 0; i < 4; i++) {
                t += pace_backoff_next(&b);
                pace_backoff_up(&b, t);
                pace_backoff_down(&b, t + S / 100);
        }
        ck_assert_uint_eq(pace_backoff_next(&b), 16 * S / 10);
        pace_backoff_up(&b, t);
        pace_backoff_down(&b, t + PACE_STABLE_USEC - 1);
        ck_assert_uint_eq(pace_backoff_next(&b), 32 * S / 10);
        pace_backoff_up(&b, t);
        pace_backoff_down(&b, t + PACE_STABLE_USEC);
        ck_assert_uint_eq(pace_backoff_next(&b), S / 10);
        /* Down without having been up: no reset. */
        pace_backoff_down(&b, t + 100 * S);
        ck_assert_uint_eq(pace_backoff_next(&b), S / 5);
}
END_TEST

START_TEST(test_failure_logged_on_change)
{
        struct pace_failure f = { 0 };

        ck_assert(pace_failure_new(&f, "Connection refused"));
        ck_assert(!pace_failure_new(&f, "Connection refused"));
        ck_assert(pace_failure_new(&f, "No route to host"));
        ck_assert(pace_failure_new(&f, "Connection refused"));
        pace_failure_clear(&f);
        ck_assert(pace_failure_new(&f, "Connection refused"));
}
END_TEST

int main(void)
{
        Suite *s = suite_create("mqtt-pace");
        TCase *tc = tcase_create("pace");

        tcase_add_test(tc, test_status_rate);
        tcase_add_test(tc, test_backoff_doubles);
        tcase_add_test(tc, test_backoff_stable);
        tcase_add_test(tc, test_failure_logged_on_change);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

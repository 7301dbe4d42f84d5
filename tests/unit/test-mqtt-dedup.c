/* SPDX-License-Identifier: MIT */
/* test-mqtt-dedup.c: the bounded memory of requests already taken. */
#include <stdio.h>
#include <string.h>

#include "dedup.h"
#include "lscd-check.h"
#include "mem.h"

START_TEST(test_pending_then_answered)
{
        struct dedup *d = dedup_new();
        uint64_t s = dedup_take(d, "t\0k1", 4, 1000);
        const struct dedup_entry *e;

        ck_assert_uint_ne(s, 0);
        e = dedup_find(d, "t\0k1", 4, 2000);
        ck_assert_ptr_nonnull(e);
        ck_assert_ptr_null(e->answer);
        ck_assert_ptr_null(dedup_find(d, "t\0k2", 4, 2000));
        dedup_answer(d, s, "{\"ok\":true}");
        e = dedup_find(d, "t\0k1", 4, 3000);
        ck_assert_str_eq(e->answer, "{\"ok\":true}");
        /* Past the window, an answered key is forgotten. */
        ck_assert_ptr_null(dedup_find(d, "t\0k1", 4, 1000 + DEDUP_WINDOW_USEC + 1));
        /* A request that did not run is forgotten at once. */
        s = dedup_take(d, "t\0k3", 4, 5000);
        dedup_forget(d, s);
        ck_assert_ptr_null(dedup_find(d, "t\0k3", 4, 5000));
        dedup_free(d);
}
END_TEST

START_TEST(test_bounded)
{
        struct dedup *d = dedup_new();
        char key[16];
        uint64_t first = 0;

        for (int i = 0; i < DEDUP_ENTRIES + 10; i++) {
                int n = snprintf(key, sizeof(key), "k%d", i);
                uint64_t s = dedup_take(d, key, (size_t) n, 10);

                if (i == 0)
                        first = s;
                else if (i > 0 && i < 5)
                        dedup_answer(d, s, "a");
        }
        ck_assert_uint_eq(d->n, DEDUP_ENTRIES);
        /* The answered ones went first; the oldest pending one, k0, stayed
         * until they were gone, then went too. */
        ck_assert_ptr_null(dedup_find(d, "k1", 2, 10));
        ck_assert_ptr_null(dedup_find(d, "k0", 2, 10));
        ck_assert_ptr_null(dedup_find(d, "k9", 2, 10));
        ck_assert_ptr_nonnull(dedup_find(d, "k10", 3, 10));
        ck_assert_uint_ne(first, 0);
        ck_assert_uint_eq(dedup_take(d, key, DEDUP_KEY_MAX + 1, 10), 0);
        dedup_free(d);
}
END_TEST

/* Bounded in bytes too: big answers push the oldest answered ones out,
 * and an answer bigger than the bound is not kept at all. */
START_TEST(test_bounded_in_bytes)
{
        struct dedup *d = dedup_new();
        size_t size = DEDUP_BYTES_MAX / 4;
        char *big = mem_alloc(DEDUP_BYTES_MAX + 2);
        char key[16];
        uint64_t s;

        memset(big, 'a', DEDUP_BYTES_MAX + 1);
        big[size] = '\0';
        for (int i = 0; i < 10; i++) {
                int n = snprintf(key, sizeof(key), "k%d", i);

                s = dedup_take(d, key, (size_t) n, 10);
                dedup_answer(d, s, big);
                ck_assert_uint_le(d->bytes, DEDUP_BYTES_MAX);
                ck_assert_ptr_nonnull(dedup_find(d, key, (size_t) n, 10));
        }
        ck_assert_ptr_null(dedup_find(d, "k0", 2, 10));
        ck_assert_ptr_nonnull(dedup_find(d, "k9", 2, 10));
        big[size] = 'a';
        big[DEDUP_BYTES_MAX + 1] = '\0';
        s = dedup_take(d, "huge", 4, 10);
        dedup_answer(d, s, big);
        ck_assert_uint_le(d->bytes, DEDUP_BYTES_MAX);
        ck_assert_ptr_null(dedup_find(d, "huge", 4, 10));
        free(big);
        dedup_free(d);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("mqtt-dedup");
        TCase *tc = tcase_create("dedup");

        tcase_add_test(tc, test_pending_then_answered);
        tcase_add_test(tc, test_bounded);
        tcase_add_test(tc, test_bounded_in_bytes);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

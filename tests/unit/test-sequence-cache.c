/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of sequence.list's cache (daemon/robot/sequence-cache.c): a
 * file's summary is found while its identity (dev, ino, size, mtime and
 * ctime in ns) is the one it was put with, and not once any of them
 * changed; a put replaces the path's summary; an error keeps its first
 * line; a sweep forgets the files not listed since the one before. Pure:
 * identities and sequences are built here, no file.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sequence-cache.h"
#include "lscd-check.h"

static const struct sequence_file_id id_a = {
        .dev = 8, .ino = 1234, .size = 100, .mtime_ns = 1700000000123456789,
        .ctime_ns = 1700000000123456789,
};

/* A sequence of N steps, step i lasting i ms and held 10 ms. */
static struct sequence *test_sequence(size_t n)
{
        struct sequence *seq = calloc(1, sizeof(*seq));

        ck_assert_ptr_nonnull(seq);
        seq->steps = calloc(n, sizeof(*seq->steps));
        ck_assert_ptr_nonnull(seq->steps);
        seq->n_steps = n;
        for (size_t i = 0; i < n; i++)
                seq->steps[i] = (struct sequence_step) { .n = 1, .time_ms = (unsigned) i,
                                                         .hold_ms = 10 };
        return seq;
}

START_TEST(test_put_then_find)
{
        struct sequence_cache *c = sequence_cache_new();
        struct sequence *seq = test_sequence(4);
        const struct sequence_summary *s = sequence_cache_put(c, "/d/a.yaml", &id_a, seq, NULL);

        ck_assert_ptr_null(s->error);
        ck_assert_uint_eq(s->steps, 4);
        ck_assert_uint_eq(s->duration_ms, 0 + 1 + 2 + 3 + 4 * 10);
        ck_assert_ptr_eq(sequence_cache_find(c, "/d/a.yaml", &id_a), s);
        ck_assert_ptr_null(sequence_cache_find(c, "/d/b.yaml", &id_a));
        ck_assert_ptr_null(sequence_cache_find(c, "/e/a.yaml", &id_a));
        sequence_free(seq);
        sequence_cache_free(c);
}
END_TEST

/* Each change of identity a write, a rename over or a touch makes. */
static const struct {
        const char *what;
        struct sequence_file_id id;
} changed_cases[] = {
        { "another device", { 9, 1234, 100, 1700000000123456789, 1700000000123456789 } },
        { "another inode (renamed over)", { 8, 1235, 100, 1700000000123456789, 1700000000123456789 } },
        { "another size", { 8, 1234, 101, 1700000000123456789, 1700000000123456789 } },
        { "mtime 1 ns later", { 8, 1234, 100, 1700000000123456790, 1700000000123456789 } },
        { "ctime 1 ns later (touch -d back)", { 8, 1234, 100, 1700000000123456789,
                                                1700000000123456790 } },
};

START_TEST(test_changed_is_read_again)
{
        struct sequence_cache *c = sequence_cache_new();
        struct sequence *one = test_sequence(1), *two = test_sequence(2);
        const struct sequence_summary *s;

        sequence_cache_put(c, "/d/a.yaml", &id_a, one, NULL);
        ck_assert_msg(!sequence_cache_find(c, "/d/a.yaml", &changed_cases[_i].id), "%s",
                      changed_cases[_i].what);
        s = sequence_cache_put(c, "/d/a.yaml", &changed_cases[_i].id, two, NULL);
        ck_assert_uint_eq(s->steps, 2);
        ck_assert_uint_eq(c->n, 1);
        ck_assert_ptr_eq(sequence_cache_find(c, "/d/a.yaml", &changed_cases[_i].id), s);
        ck_assert_ptr_null(sequence_cache_find(c, "/d/a.yaml", &id_a));
        sequence_free(one);
        sequence_free(two);
        sequence_cache_free(c);
}
END_TEST

START_TEST(test_error_first_line)
{
        struct sequence_cache *c = sequence_cache_new();
        struct sequence *seq = test_sequence(3);
        const struct sequence_summary *s;

        s = sequence_cache_put(c, "/d/a.yaml", &id_a, NULL, "/d/a.yaml:2: step 0: bad\n"
                               "/d/a.yaml:3: step 1: worse\n");
        ck_assert_str_eq(s->error, "/d/a.yaml:2: step 0: bad");
        ck_assert_ptr_eq(sequence_cache_find(c, "/d/a.yaml", &id_a), s);
        /* Fixed: the error goes. */
        s = sequence_cache_put(c, "/d/a.yaml", &id_a, seq, NULL);
        ck_assert_ptr_null(s->error);
        ck_assert_uint_eq(s->steps, 3);
        sequence_free(seq);
        sequence_cache_free(c);
}
END_TEST

/* Files listed in any order are found; a sweep forgets only those that
 * were neither found nor put since the sweep before. */
START_TEST(test_sweep_forgets_gone_files)
{
        static const char *const paths[] = { "/d/a.yaml", "/d/b.yaml", "/d/c.yaml", "/r/a.yaml" };
        static const size_t order[] = { 3, 0, 2, 1 };
        struct sequence_cache *c = sequence_cache_new();
        struct sequence *seq = test_sequence(1);

        for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
                sequence_cache_put(c, paths[i], &id_a, seq, NULL);
        sequence_cache_sweep(c);
        ck_assert_uint_eq(c->n, 4);
        for (size_t i = 0; i < ARRAY_SIZE(order); i++)
                ck_assert_ptr_nonnull(sequence_cache_find(c, paths[order[i]], &id_a));
        sequence_cache_sweep(c);
        /* b and c are gone: not listed before this sweep. */
        ck_assert_ptr_nonnull(sequence_cache_find(c, "/r/a.yaml", &id_a));
        ck_assert_ptr_nonnull(sequence_cache_find(c, "/d/a.yaml", &id_a));
        sequence_cache_sweep(c);
        ck_assert_uint_eq(c->n, 2);
        ck_assert_ptr_null(sequence_cache_find(c, "/d/b.yaml", &id_a));
        ck_assert_ptr_null(sequence_cache_find(c, "/d/c.yaml", &id_a));
        ck_assert_ptr_nonnull(sequence_cache_find(c, "/d/a.yaml", &id_a));
        ck_assert_ptr_nonnull(sequence_cache_find(c, "/r/a.yaml", &id_a));
        sequence_free(seq);
        sequence_cache_free(c);
}
END_TEST

START_TEST(test_file_id_of_stat)
{
        struct stat st = { .st_dev = 8, .st_ino = 1234, .st_size = 100 };
        struct sequence_file_id id;

        st.st_mtim = (struct timespec) { 1700000000, 123456789 };
        st.st_ctim = (struct timespec) { 1700000000, 123456789 };
        sequence_file_id_of(&st, &id);
        ck_assert(memcmp(&id, &id_a, sizeof(id)) == 0);
}
END_TEST

START_TEST(test_free_null)
{
        ck_assert_ptr_null(sequence_cache_free(NULL));
}
END_TEST

int main(void)
{
        Suite *s = suite_create("sequence-cache");
        TCase *tc = tcase_create("sequence-cache");

        tcase_add_test(tc, test_put_then_find);
        tcase_add_loop_test(tc, test_changed_is_read_again, 0, (int) ARRAY_SIZE(changed_cases));
        tcase_add_test(tc, test_error_first_line);
        tcase_add_test(tc, test_sweep_forgets_gone_files);
        tcase_add_test(tc, test_file_id_of_stat);
        tcase_add_test(tc, test_free_null);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

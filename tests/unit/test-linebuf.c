/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of common/linebuf.c: lines split anywhere, the exact limit
 * (newline included), too-long lines, pending bytes, the buffer growing to
 * the limit and being released once drained, lines taken as strings, and a
 * last line ended at end of input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"
#include "lscd-check.h"

/* Feed TEXT in chunks of CHUNK bytes, collecting the lines into OUT
 * separated by '|'. Returns the last linebuf_next() result. */
static int feed(struct linebuf *b, const char *text, size_t chunk, char *out, size_t size)
{
        size_t len = strlen(text);
        int r = 0;

        out[0] = '\0';
        for (size_t i = 0; i < len;) {
                char *space;
                size_t room = linebuf_space(b, &space);
                size_t n = len - i < chunk ? len - i : chunk;
                const char *line;
                size_t line_len;

                if (n > room)
                        n = room;
                ck_assert_uint_gt(n, 0);
                memcpy(space, text + i, n);
                linebuf_commit(b, n);
                i += n;
                while ((r = linebuf_next(b, &line, &line_len)) > 0) {
                        strncat(out, line, line_len < size - strlen(out) - 2 ? line_len : 0);
                        strcat(out, "|");
                }
                if (r < 0)
                        return r;
        }
        return r;
}

START_TEST(test_split_anywhere)
{
        const char *text = "{\"cmd\":\"ping\"}\n\n{\"cmd\":\"status\"}\npartial";
        struct linebuf b;
        char out[256];

        for (size_t chunk = 1; chunk <= strlen(text); chunk++) {
                ck_assert_int_eq(linebuf_init(&b, 64), 0);
                ck_assert_int_eq(feed(&b, text, chunk, out, sizeof(out)), 0);
                ck_assert_str_eq(out, "{\"cmd\":\"ping\"}||{\"cmd\":\"status\"}|");
                ck_assert_uint_eq(linebuf_pending(&b), strlen("partial"));
                linebuf_done(&b);
        }
}
END_TEST

/* A line of exactly LIMIT bytes with its newline fits; one more does not. */
START_TEST(test_limit)
{
        enum { LIMIT = 16 };
        struct linebuf b;
        char text[64], out[256];

        ck_assert_int_eq(linebuf_init(&b, LIMIT), 0);
        memset(text, 'x', LIMIT - 1);
        strcpy(text + LIMIT - 1, "\nab\n");
        ck_assert_int_eq(feed(&b, text, 5, out, sizeof(out)), 0);
        ck_assert_str_eq(out, "xxxxxxxxxxxxxxx|ab|");
        linebuf_done(&b);

        ck_assert_int_eq(linebuf_init(&b, LIMIT), 0);
        memset(text, 'x', LIMIT);
        strcpy(text + LIMIT, "\n");
        ck_assert_int_eq(feed(&b, text, 3, out, sizeof(out)), -EMSGSIZE);
        ck_assert_str_eq(out, "");
        linebuf_done(&b);
}
END_TEST

/* Lines that came before a too-long one are still returned. */
START_TEST(test_too_long_after_lines)
{
        struct linebuf b;
        char out[256];

        ck_assert_int_eq(linebuf_init(&b, 8), 0);
        ck_assert_int_eq(feed(&b, "ab\ncd\nefghijklmnop", 4, out, sizeof(out)), -EMSGSIZE);
        ck_assert_str_eq(out, "ab|cd|");
        linebuf_done(&b);
}
END_TEST

/* Commit LEN bytes of TEXT, as much as linebuf_space() offers each time. */
static void fill(struct linebuf *b, const char *text, size_t len)
{
        for (size_t i = 0; i < len;) {
                char *space;
                size_t n = linebuf_space(b, &space);

                ck_assert_uint_gt(n, 0);
                n = n > len - i ? len - i : n;
                memcpy(space, text + i, n);
                linebuf_commit(b, n);
                i += n;
        }
}

/* The full-size limit of lscd (64 KiB): a 60 KiB line makes the buffer grow
 * past its first allocation and comes out whole; once drained the large
 * buffer is released; a line of exactly the limit still fits. */
START_TEST(test_grow_and_release)
{
        enum { LIMIT = 65536, LONG = 60000 };
        struct linebuf b;
        char *text = malloc(LIMIT), *space;
        const char *line;
        size_t len;

        ck_assert_ptr_nonnull(text);
        ck_assert_int_eq(linebuf_init(&b, LIMIT), 0);
        ck_assert_uint_eq(b.size, 0);
        memset(text, 'y', LONG);
        text[LONG] = '\n';
        fill(&b, text, LONG + 1);
        ck_assert_uint_gt(b.size, LONG);
        ck_assert_uint_le(b.size, LIMIT);
        ck_assert_int_eq(linebuf_next(&b, &line, &len), 1);
        ck_assert_uint_eq(len, LONG);
        ck_assert_int_eq(linebuf_next(&b, &line, &len), 0);
        ck_assert_uint_gt(linebuf_space(&b, &space), 0);
        ck_assert_uint_le(b.size, LINEBUF_FIRST);

        memset(text, 'z', LIMIT - 1);
        text[LIMIT - 1] = '\n';
        fill(&b, text, LIMIT);
        ck_assert_uint_eq(b.size, LIMIT);
        ck_assert_int_eq(linebuf_next(&b, &line, &len), 1);
        ck_assert_uint_eq(len, LIMIT - 1);
        ck_assert_uint_eq(linebuf_pending(&b), 0);
        linebuf_done(&b);
        free(text);
}
END_TEST

/* A line comes out as a string (its newline overwritten), which the caller
 * may change without touching the next line. */
START_TEST(test_take_string)
{
        struct linebuf b;
        const char *next;
        char *line, *space;
        size_t len;

        ck_assert_int_eq(linebuf_init(&b, 16), 0);
        fill(&b, "ab\r\ncd\n", 7);
        ck_assert_int_eq(linebuf_take(&b, &line, &len), 1);
        ck_assert_uint_eq(len, 3);
        ck_assert_str_eq(line, "ab\r");
        line[0] = 'X';
        ck_assert_int_eq(linebuf_next(&b, &next, &len), 1);
        ck_assert_str_eq(next, "cd");
        ck_assert_int_eq(linebuf_take(&b, &line, &len), 0);
        ck_assert_uint_gt(linebuf_space(&b, &space), 0);
        linebuf_done(&b);
}
END_TEST

/* At end of input a last line without its newline is ended; nothing is
 * added to an empty buffer or to one full at its limit. */
START_TEST(test_end)
{
        struct linebuf b;
        const char *line;
        size_t len;

        ck_assert_int_eq(linebuf_init(&b, 8), 0);
        linebuf_end(&b);
        ck_assert_uint_eq(linebuf_pending(&b), 0);
        fill(&b, "ab\ncd", 6);
        linebuf_end(&b);
        ck_assert_int_eq(linebuf_next(&b, &line, &len), 1);
        ck_assert_str_eq(line, "ab");
        ck_assert_int_eq(linebuf_next(&b, &line, &len), 1);
        ck_assert_str_eq(line, "cd");
        linebuf_end(&b);
        ck_assert_int_eq(linebuf_next(&b, &line, &len), 0);
        ck_assert_uint_eq(linebuf_pending(&b), 0);

        fill(&b, "efghijkl", 8);
        linebuf_end(&b);
        ck_assert_int_eq(linebuf_next(&b, &line, &len), -EMSGSIZE);
        linebuf_done(&b);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("linebuf");
        TCase *tc = tcase_create("linebuf");

        tcase_add_test(tc, test_split_anywhere);
        tcase_add_test(tc, test_limit);
        tcase_add_test(tc, test_too_long_after_lines);
        tcase_add_test(tc, test_grow_and_release);
        tcase_add_test(tc, test_take_string);
        tcase_add_test(tc, test_end);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

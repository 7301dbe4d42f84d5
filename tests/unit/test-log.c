/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of daemon/log.c: log_escape() on every class of byte, and a
 * message holding a client's string, with a newline, a priority prefix and
 * a terminal escape sequence, written as one line that starts with lscd's
 * own priority only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "lscd-check.h"

/* What a client may put in "cmd": a forged emergency line and a sequence
 * that clears the screen of whoever reads the log on a terminal. */
#define HOSTILE "x\n<0>FAKE EMERGENCY\x1b[2J\r"

struct escape_case {
        const char *in;
        const char *want;
};

static const struct escape_case escape_cases[] = {
        { "", "" },
        { "plain text, \"quoted\" [ok] 100%", "plain text, \"quoted\" [ok] 100%" },
        { HOSTILE, "x\\n<0>FAKE EMERGENCY\\x1b[2J\\r" },
        { "a\r\nb\tc", "a\\r\\nb\\tc" },
        { "\\n is not a newline", "\\\\n is not a newline" },
        { "\x01\x1f\x7f", "\\x01\\x1f\\x7f" },
        { "<0>at the start", "\\x3c0>at the start" },
        { "<", "\\x3c" },
        { "a <b> inside", "a <b> inside" },
        /* valid UTF-8 stays, from 2 to 4 bytes, the largest code point too */
        { "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf",
          "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf" },
        { "\xc2\xa0no-break space", "\xc2\xa0no-break space" },
        /* C1 controls: U+009B is CSI to some terminals, U+0085 a newline */
        { "\xc2\x9b" "2J \xc2\x85", "\\xc2\\x9b" "2J \\xc2\\x85" },
        /* not UTF-8: stray continuation, overlong, surrogate, too large,
         * cut short, and bytes that never occur */
        { "\x80", "\\x80" },
        { "\xc0\xaf \xe0\x9f\xbf \xf0\x8f\xbf\xbf",
          "\\xc0\\xaf \\xe0\\x9f\\xbf \\xf0\\x8f\\xbf\\xbf" },
        { "\xed\xa0\x80", "\\xed\\xa0\\x80" },
        { "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
        { "\xe2\x82", "\\xe2\\x82" },
        { "\xe2\x82x", "\\xe2\\x82x" },
        { "\xf8\x88\x80\x80\x80 \xfc\x80\x80\x80 \xff",
          "\\xf8\\x88\\x80\\x80\\x80 \\xfc\\x80\\x80\\x80 \\xff" },
};

START_TEST(test_escape)
{
        const struct escape_case *c = &escape_cases[_i];
        char out[256];
        size_t n = log_escape(out, sizeof(out), c->in);

        ck_assert_str_eq(out, c->want);
        ck_assert_uint_eq(n, strlen(c->want));
}
END_TEST

/* A short buffer holds only whole escapes and whole characters. */
START_TEST(test_escape_truncated)
{
        char out[8];

        ck_assert_uint_eq(log_escape(out, 1, "abc"), 0);
        ck_assert_str_eq(out, "");
        ck_assert_uint_eq(log_escape(out, 4, "ab\ncd"), 2);
        ck_assert_str_eq(out, "ab");
        ck_assert_uint_eq(log_escape(out, 5, "ab\ncd"), 4);
        ck_assert_str_eq(out, "ab\\n");
        ck_assert_uint_eq(log_escape(out, 4, "<abc"), 0);
        ck_assert_str_eq(out, "");
        ck_assert_uint_eq(log_escape(out, 5, "a\xe2\x82\xac"), 4);
        ck_assert_str_eq(out, "a\xe2\x82\xac");
        ck_assert_uint_eq(log_escape(out, 4, "a\xe2\x82\xac"), 1);
        ck_assert_str_eq(out, "a");
}
END_TEST

/* Run log_calls() with stderr sent to a file; return everything written,
 * NUL-terminated, in out. */
static size_t capture(void (*log_calls)(void), char *out, size_t size)
{
        FILE *f = tmpfile();
        int saved = dup(STDERR_FILENO);
        size_t n;

        ck_assert_ptr_nonnull(f);
        ck_assert_int_ge(saved, 0);
        fflush(stderr);
        ck_assert_int_eq(dup2(fileno(f), STDERR_FILENO), STDERR_FILENO);
        log_calls();
        fflush(stderr);
        ck_assert_int_eq(dup2(saved, STDERR_FILENO), STDERR_FILENO);
        close(saved);
        rewind(f);
        n = fread(out, 1, size - 1, f);
        out[n] = '\0';
        fclose(f);
        return n;
}

static void log_hostile(void)
{
        log_set_max_level(LOG_DEBUG);
        log_debug("Client 7: unknown_command: unknown command \"%s\"", HOSTILE);
        log_info("%s", "<1>a message that starts like a prefix");
        ck_assert_int_eq(log_error_errno(EIO, "Cannot write %s", "a\nb"), -EIO);
        log_set_max_level(LOG_INFO);
        log_debug("%s", "dropped");
}

START_TEST(test_log_lines)
{
        static const char want[] =
                "<7>Client 7: unknown_command: unknown command "
                "\"x\\n<0>FAKE EMERGENCY\\x1b[2J\\r\"\n"
                "<6>\\x3c1>a message that starts like a prefix\n"
                "<3>Cannot write a\\nb: Input/output error\n";
        char got[1024];
        size_t n = capture(log_hostile, got, sizeof(got));

        ck_assert_str_eq(got, want);
        for (size_t i = 0; i < n; i++)
                ck_assert_msg(got[i] == '\n' || (got[i] >= 0x20 && got[i] < 0x7F),
                              "byte 0x%02x at %zu", (unsigned char)got[i], i);
}
END_TEST

static void log_longest(void)
{
        static char text[2000];

        memset(text, 0x1b, sizeof(text) - 1);
        log_info("%s", text);
}

/* A message cut to the longest one lscd formats (1023 bytes), of bytes
 * that all need \xNN, is still escaped whole on one line. */
START_TEST(test_log_longest)
{
        static char got[8192];
        size_t n = capture(log_longest, got, sizeof(got));

        ck_assert_uint_eq(n, 3 + 4 * 1023 + 1);
        ck_assert_int_eq(strncmp(got, "<6>\\x1b", 7), 0);
        ck_assert_str_eq(got + n - 5, "\\x1b\n");
        ck_assert_ptr_eq(strchr(got, '\n'), got + n - 1);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("log");
        TCase *tc = tcase_create("log");

        tcase_add_loop_test(tc, test_escape, 0, ARRAY_SIZE(escape_cases));
        tcase_add_test(tc, test_escape_truncated);
        tcase_add_test(tc, test_log_lines);
        tcase_add_test(tc, test_log_longest);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of daemon/robot/saver.c, on a real event loop, thread and
 * files: what is put is written whole, the newest text wins, the loop hears
 * each result, a failed write is reported, saver_free() writes what is left,
 * and the loop runs on while the thread is stuck in the file system (a FIFO
 * in place of the temporary file holds its open() until the test reads).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "saver.h"
#include "lscd-check.h"

#define SEC 1000000ull

static char dir[] = "/tmp/test-saver-XXXXXX";
static char path[64], tmp[80];
static sd_event *event;
static int results, last;

/* The data put are strings: the file's text is a copy. */
static char *format(const void *data)
{
        return mem_strdup(data);
}

static void on_done(void *userdata, int result)
{
        results++;
        last = result;
}

static void setup(void)
{
        strcpy(dir, "/tmp/test-saver-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/state.json", dir);
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        ck_assert_int_ge(sd_event_new(&event), 0);
        results = 0;
        last = 1;
}

static void teardown(void)
{
        unlink(path);
        unlink(tmp);
        rmdir(dir);
        event = sd_event_unref(event);
}

static char *slurp(const char *file)
{
        static char buf[256];
        int fd = open(file, O_RDONLY);
        ssize_t n;

        ck_assert_int_ge(fd, 0);
        n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        ck_assert_int_ge(n, 0);
        buf[n] = '\0';
        return buf;
}

/* Run the loop until done() was called N times (or 5 s passed). */
static void run_until(int n)
{
        for (int i = 0; i < 50 && results < n; i++)
                ck_assert_int_ge(sd_event_run(event, SEC / 10), 0);
        ck_assert_int_eq(results, n);
}

START_TEST(test_put_is_written)
{
        struct saver *s;

        ck_assert_int_eq(saver_new(&s, event, path, format, on_done, NULL), 0);
        saver_put(s, mem_strdup("{\"a\":1}"));
        run_until(1);
        ck_assert_int_eq(last, 0);
        ck_assert_str_eq(slurp(path), "{\"a\":1}");
        ck_assert_int_eq(access(tmp, F_OK), -1);
        ck_assert_int_eq(saver_flush(s), 0);
        ck_assert_ptr_null(saver_free(s));
}
END_TEST

START_TEST(test_newest_wins)
{
        struct saver *s;
        char text[32];

        ck_assert_int_eq(saver_new(&s, event, path, format, on_done, NULL), 0);
        for (int i = 0; i < 1000; i++) {
                snprintf(text, sizeof(text), "%d", i);
                saver_put(s, mem_strdup(text));
        }
        ck_assert_int_eq(saver_flush(s), 0);
        ck_assert_str_eq(slurp(path), "999");
        saver_free(s);
}
END_TEST

START_TEST(test_failure_is_reported)
{
        struct saver *s;
        char missing[96];

        snprintf(missing, sizeof(missing), "%s/no/such/dir/state.json", dir);
        ck_assert_int_eq(saver_new(&s, event, missing, format, on_done, NULL), 0);
        saver_put(s, mem_strdup("x"));
        run_until(1);
        ck_assert_int_eq(last, -ENOENT);
        ck_assert_int_eq(saver_flush(s), -ENOENT);
        /* A later write that works clears it. */
        saver_free(s);
        ck_assert_int_eq(saver_new(&s, event, path, format, on_done, NULL), 0);
        saver_put(s, mem_strdup("y"));
        ck_assert_int_eq(saver_flush(s), 0);
        saver_free(s);
}
END_TEST

START_TEST(test_free_writes_what_is_left)
{
        struct saver *s;

        ck_assert_int_eq(saver_new(&s, event, path, format, on_done, NULL), 0);
        saver_put(s, mem_strdup("last words"));
        saver_free(s);
        ck_assert_str_eq(slurp(path), "last words");
}
END_TEST

static int on_tick(sd_event_source *source, uint64_t usec, void *userdata)
{
        (*(int *) userdata)++;
        return 0;
}

START_TEST(test_loop_runs_while_the_disk_waits)
{
        struct saver *s;
        sd_event_source *tick;
        char buf[32];
        int ticks = 0, fd;
        ssize_t n;

        ck_assert_int_eq(mkfifo(tmp, 0600), 0);
        ck_assert_int_eq(saver_new(&s, event, path, format, on_done, NULL), 0);
        saver_put(s, mem_strdup("through the fifo"));
        /* The thread now waits in open() for a reader; the loop does not. */
        ck_assert_int_ge(sd_event_add_time_relative(event, &tick, CLOCK_MONOTONIC, SEC / 20, 1,
                                                    on_tick, &ticks), 0);
        ck_assert_int_ge(sd_event_run(event, SEC), 0);
        ck_assert_int_eq(ticks, 1);
        ck_assert_int_eq(results, 0);
        fd = open(tmp, O_RDONLY);
        ck_assert_int_ge(fd, 0);
        n = read(fd, buf, sizeof(buf) - 1);
        ck_assert_int_eq(n, (ssize_t) strlen("through the fifo"));
        buf[n] = '\0';
        ck_assert_str_eq(buf, "through the fifo");
        close(fd);
        run_until(1);
        ck_assert_int_eq(last, 0);
        sd_event_source_unref(tick);
        saver_free(s);
}
END_TEST

static Suite *saver_suite(void)
{
        Suite *s = suite_create("saver");
        TCase *tc = tcase_create("saver");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_set_timeout(tc, 20);
        tcase_add_test(tc, test_put_is_written);
        tcase_add_test(tc, test_newest_wins);
        tcase_add_test(tc, test_failure_is_reported);
        tcase_add_test(tc, test_free_writes_what_is_left);
        tcase_add_test(tc, test_loop_runs_while_the_disk_waits);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        return lscd_check_run(saver_suite());
}

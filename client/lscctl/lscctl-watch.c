/* SPDX-License-Identifier: MIT */
/*
 * lscctl-watch.c: the subcommands that follow events: watch, wait.
 */
#include <errno.h>
#include <string.h>

#include "lscctl.h"
#include "lsc/protocol.h"

/* Check an event argument as lscd does (<lsc/protocol.h>): a name, or a
 * prefix ending in "." that starts at least one name. Returns 0 or an exit
 * status. */
static int watch_check_event(struct lscctl *ctl, const char *arg)
{
        size_t len = strlen(arg);

        if (lsc_event_mask_from_pattern(arg) != 0)
                return 0;
        if (len > 0 && arg[len - 1] == '.')
                return lscctl_usage_error(ctl, "no event starts with '%s'", arg);
        return lscctl_usage_error(ctl, "unknown event '%s'", arg);
}

/* Each event name, and the part of it up to its first "." once. */
void lscctl_watch_words(struct lscctl *ctl)
{
        for (int e = 0; e < _LSC_EVENT_MAX; e++) {
                const char *name = lsc_event_name(e), *dot = strchr(name, '.');
                size_t len = dot ? (size_t)(dot - name) + 1 : 0;
                bool first = true;

                for (int f = 0; dot && f < e; f++)
                        first = first && strncmp(lsc_event_name(f), name, len) != 0;
                if (dot && first)
                        printf("%.*s\n", (int)len, name);
                printf("%s\n", name);
        }
}

/* Wait for the next event until deadline (-1: none). Returns 1 with *ret,
 * or a negative errno (-ETIMEDOUT once the deadline has passed). */
static int watch_next(struct lscctl *ctl, int64_t deadline, cJSON **ret)
{
        return lsc_client_wait_event(ctl->client, lscctl_left_ms(deadline), ret);
}

/* Print an event; a failed write (the reader is gone and SIGPIPE is
 * ignored, as systemd does) ends the run. Returns 0 or an exit status. */
static int watch_print(struct lscctl *ctl, const cJSON *event)
{
        lscctl_print_event(ctl, event);
        if (!ferror(stdout))
                return 0;
        fprintf(stderr, "lscctl %s: write error: %s\n", ctl->command, strerror(errno));
        return LSCCTL_EXIT_SOFTWARE;
}

/* Subscribe to events (NULL: all). Returns 0 or an exit status. */
static int watch_subscribe(struct lscctl *ctl, const char *const *events, size_t n)
{
        cJSON *response;
        int r = lscctl_call(ctl, lsc_client_request_subscribe(events, n), &response);

        cJSON_Delete(response);
        return r;
}

int lscctl_watch_events(struct lscctl *ctl, int argc, char **argv)
{
        int64_t deadline;
        long count = 0;
        int r;

        for (int i = 0; i < argc; i++) {
                r = watch_check_event(ctl, argv[i]);
                if (r)
                        return r;
        }
        r = watch_subscribe(ctl, argc ? (const char *const *)argv : NULL, (size_t)argc);
        if (r)
                return r;
        deadline = lscctl_deadline(ctl);
        for (;;) {
                cJSON *event;

                r = watch_next(ctl, deadline, &event);
                if (r < 0)
                        break;
                r = watch_print(ctl, event);
                cJSON_Delete(event);
                if (r)
                        return r;
                if (ctl->opt.count && ++count >= ctl->opt.count)
                        return LSCCTL_EXIT_OK;
        }
        if (r == -ETIMEDOUT)
                fprintf(stderr, "lscctl watch: timed out after %ld event%s\n", count, count == 1 ? "" : "s");
        return r == -ETIMEDOUT ? LSCCTL_EXIT_TIMEOUT : lscctl_fail(ctl, r);
}

static long watch_member(const cJSON *object, const char *name)
{
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);

        return cJSON_IsNumber(item) ? (long)item->valuedouble : -1;
}

/* The group running according to a status response, or -1 for none. */
static long watch_running_group(const cJSON *status)
{
        return watch_member(cJSON_GetObjectItemCaseSensitive(status, "group"), "group");
}

static bool watch_is_end(const cJSON *event)
{
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(event, "event");

        return cJSON_IsString(name) && (strcmp(name->valuestring, "group.completed") == 0 ||
                                        strcmp(name->valuestring, "group.stopped") == 0);
}

/* Take the events queued before the status response; print the last end of
 * a group among them when print is set (it ended after wait began). */
static void watch_drop_events(struct lscctl *ctl, bool print)
{
        cJSON *event, *end = NULL;

        while (lsc_client_next_event(ctl->client, &event) > 0) {
                if (watch_is_end(event)) {
                        cJSON_Delete(end);
                        end = event;
                } else
                        cJSON_Delete(event);
        }
        if (print && end)
                lscctl_print_event(ctl, end);
        cJSON_Delete(end);
}

/* Handle one event while waiting; returns -1 to go on, else an exit status. */
static int watch_wait_event(struct lscctl *ctl, const cJSON *event, long *running)
{
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(event, "event");
        const char *n = cJSON_IsString(name) ? name->valuestring : "";
        long group = watch_member(event, "group");

        if (strcmp(n, "group.started") == 0) {
                *running = group;
                return -1;
        }
        if (strcmp(n, "device.disconnected") == 0) {
                lscctl_print_event(ctl, event);
                fprintf(stderr, "lscctl wait: the device was disconnected\n");
                return LSCCTL_EXIT_DAEMON;
        }
        if (strcmp(n, "group.stopped") == 0 ||
            (strcmp(n, "group.completed") == 0 && (group == *running || *running < 0))) {
                lscctl_print_event(ctl, event);
                return LSCCTL_EXIT_OK;
        }
        return -1;
}

int lscctl_watch_wait(struct lscctl *ctl, int argc, char **argv)
{
        static const char *const events[] = { "group.", "device.disconnected" };
        cJSON *status;
        int64_t deadline = lscctl_deadline(ctl);
        long running;
        int r = watch_subscribe(ctl, events, 2);

        if (r)
                return r;
        r = lscctl_call(ctl, lsc_client_request_new("status"), &status);
        if (r)
                return r;
        running = watch_running_group(status);
        cJSON_Delete(status);
        watch_drop_events(ctl, running < 0);
        if (running < 0)
                return LSCCTL_EXIT_OK;
        for (r = -1; r < 0; ) {
                cJSON *event;
                int e = watch_next(ctl, deadline, &event);

                if (e == -ETIMEDOUT) {
                        fprintf(stderr, "lscctl wait: timed out, group %ld still running\n", running);
                        return LSCCTL_EXIT_TIMEOUT;
                }
                if (e < 0)
                        return lscctl_fail(ctl, e);
                r = watch_wait_event(ctl, event, &running);
                cJSON_Delete(event);
        }
        return r;
}

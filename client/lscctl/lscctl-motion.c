/* SPDX-License-Identifier: MIT */
/*
 * lscctl-motion.c: the subcommands that make the robot move or stop:
 * move, run, stop, halt, speed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lscctl.h"

/* Parse "ID:POS" into servo; returns 0 or an exit status. */
static int motion_parse_servo(struct lscctl *ctl, const char *arg, struct lsc_servo *servo)
{
        const char *colon = strchr(arg, ':');
        char id[16];
        int len;
        long v;

        if (!colon)
                return lscctl_usage_error(ctl, "invalid servo target '%s': expected ID:POS, e.g. 1:1500", arg);
        len = (int)(colon - arg);
        snprintf(id, sizeof(id), "%.*s", len, arg);
        /* An id too long for id[] is out of range too. */
        if ((size_t)len >= sizeof(id) || !lscctl_parse_long(id, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX, &v))
                return lscctl_usage_error(ctl, "invalid servo id '%.*s' in '%s': expected %d..%d",
                                          len, arg, arg, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX);
        servo->id = (int)v;
        if (!lscctl_parse_long(colon + 1, LSC_POSITION_MIN, LSC_POSITION_MAX, &v))
                return lscctl_usage_error(ctl, "invalid position '%s' in '%s': expected %d..%d",
                                          colon + 1, arg, LSC_POSITION_MIN, LSC_POSITION_MAX);
        servo->position = (int)v;
        return 0;
}

/* Print the response with --json; nothing otherwise. Consumes it. */
static int motion_done(struct lscctl *ctl, cJSON *response)
{
        if (ctl->json)
                lscctl_print_json(response);
        cJSON_Delete(response);
        return LSCCTL_EXIT_OK;
}

int lscctl_motion_move(struct lscctl *ctl, int argc, char **argv)
{
        struct lsc_servo servos[LSC_MOVE_MAX_SERVOS];
        bool seen[LSC_SERVO_ID_MAX + 1] = { false };
        cJSON *response;
        int r;

        if (argc > LSC_MOVE_MAX_SERVOS)
                return lscctl_usage_error(ctl, "too many servos: at most %d", LSC_MOVE_MAX_SERVOS);
        for (int i = 0; i < argc; i++) {
                r = motion_parse_servo(ctl, argv[i], &servos[i]);
                if (r)
                        return r;
                if (seen[servos[i].id])
                        return lscctl_usage_error(ctl, "servo %d given twice", servos[i].id);
                seen[servos[i].id] = true;
        }
        r = lscctl_call(ctl, lsc_client_request_move(servos, (size_t)argc, ctl->opt.time_ms, false),
                        &response);
        return r ? r : motion_done(ctl, response);
}

static bool motion_parse_group(const char *arg, long *ret)
{
        return lscctl_parse_long(arg, 0, LSC_GROUP_MAX, ret);
}

/* The answer to run --wait, filled in by motion_wait_reply(). */
struct motion_wait {
        bool done;
        int error;
        cJSON *response;
};

static void motion_wait_reply(void *userdata, struct lsc_client *c, const cJSON *response, int error)
{
        struct motion_wait *w = userdata;

        w->done = true;
        w->response = response ? cJSON_Duplicate(response, true) : NULL;
        w->error = response && !w->response ? -ENOMEM : error;
}

/* Block SIGINT and SIGTERM and return a signalfd that reads them, or a
 * negative errno. */
static int motion_signalfd(void)
{
        sigset_t set;
        int fd;

        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
                return -errno;
        fd = signalfd(-1, &set, SFD_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

/* Wait until w is answered or the deadline (-1: none) passes, reading
 * signals from sfd (-1: none). Returns 0 once answered, the number of a
 * signal that came first, or a negative errno (-ETIMEDOUT). */
static int motion_wait_answer(struct lscctl *ctl, const struct motion_wait *w, int sfd, int64_t deadline)
{
        for (;;) {
                struct pollfd pfd[2] = { { .fd = lsc_client_fd(ctl->client) }, { .fd = sfd, .events = POLLIN } };
                struct signalfd_siginfo si;
                int left;

                /* A broken connection answers w with its error. */
                (void)lsc_client_process(ctl->client);
                if (w->done)
                        return 0;
                pfd[0].events = lsc_client_events(ctl->client);
                left = lscctl_left_ms(deadline);
                if (left == 0)
                        return -ETIMEDOUT;
                if (poll(pfd, 2, left) < 0 && errno != EINTR)
                        return -errno;
                if (pfd[1].revents & POLLIN)
                        return read(sfd, &si, sizeof(si)) == sizeof(si) ? (int)si.ssi_signo : -EIO;
        }
}

/* After signal signo: stop the group. Returns 128 + signo once lscd
 * answered, else the exit status of the failure. */
static int motion_interrupted(struct lscctl *ctl, int signo)
{
        cJSON *response;
        int r = lscctl_call(ctl, lsc_client_request_new("group.stop"), &response);

        cJSON_Delete(response);
        if (r)
                return r;
        fprintf(stderr, "lscctl run: interrupted, group stopped\n");
        return 128 + signo;
}

/* Send request (consumed) and wait for its answer in w, watching sfd for
 * signals: as motion_wait_answer(). */
static int motion_send_wait(struct lscctl *ctl, cJSON *request, struct motion_wait *w, int sfd)
{
        int64_t deadline = lscctl_deadline(ctl);
        int r = request ? lsc_client_send(ctl->client, request, motion_wait_reply, w) : -ENOMEM;

        cJSON_Delete(request);
        return r < 0 ? r : motion_wait_answer(ctl, w, sfd, deadline);
}

/* The exit status of run --wait once r came from motion_send_wait(). */
static int motion_run_outcome(struct lscctl *ctl, long group, int r, struct motion_wait *w)
{
        cJSON *response;

        if (r > 0)
                return motion_interrupted(ctl, r);
        if (r < 0)
                return lscctl_fail(ctl, r);
        r = lscctl_answer(ctl, w->error, w->response, &response);
        w->response = NULL;
        if (r)
                return r;
        if (!ctl->json)
                printf("group %ld completed\n", group);
        return motion_done(ctl, response);
}

/* run --wait: unless --detach, SIGINT or SIGTERM meanwhile stops the group
 * and exits 128 + its number. Signals are blocked before the request is
 * sent, so that none is missed. */
static int motion_run_wait(struct lscctl *ctl, long group, cJSON *request)
{
        struct motion_wait w = { 0 };
        int sfd = -1, r = lscctl_connect(ctl);

        if (r == 0 && !ctl->opt.detach) {
                sfd = motion_signalfd();
                if (sfd < 0) {
                        fprintf(stderr, "lscctl run: cannot watch for signals: %s\n", strerror(-sfd));
                        r = LSCCTL_EXIT_SOFTWARE;
                }
        }
        if (r) {
                cJSON_Delete(request);
                return r;
        }
        r = motion_run_outcome(ctl, group, motion_send_wait(ctl, request, &w, sfd), &w);
        /* w's callback must not outlive w. */
        ctl->client = lsc_client_free(ctl->client);
        cJSON_Delete(w.response);
        if (sfd >= 0)
                close(sfd);
        return r;
}

int lscctl_motion_run(struct lscctl *ctl, int argc, char **argv)
{
        cJSON *request, *response;
        long group;
        int r;

        if (!motion_parse_group(argv[0], &group))
                return lscctl_usage_error(ctl, "invalid group '%s': expected 0..%d", argv[0], LSC_GROUP_MAX);
        request = lsc_client_request_group_run(group, ctl->opt.runs, ctl->opt.wait);
        if (ctl->opt.wait)
                return motion_run_wait(ctl, group, request);
        r = lscctl_call(ctl, request, &response);
        return r ? r : motion_done(ctl, response);
}

int lscctl_motion_stop(struct lscctl *ctl, int argc, char **argv)
{
        cJSON *response;
        int r = lscctl_call(ctl, lsc_client_request_new("group.stop"), &response);

        return r ? r : motion_done(ctl, response);
}

int lscctl_motion_halt(struct lscctl *ctl, int argc, char **argv)
{
        const cJSON *dropped;
        cJSON *response;
        int r = lscctl_call(ctl, lsc_client_request_new("halt"), &response);

        if (r)
                return r;
        dropped = cJSON_GetObjectItemCaseSensitive(response, "dropped");
        if (!ctl->json && cJSON_IsNumber(dropped))
                printf("halted: %.0f queued request%s dropped\n", dropped->valuedouble,
                       dropped->valuedouble == 1 ? "" : "s");
        return motion_done(ctl, response);
}

void lscctl_motion_speed_words(void)
{
        printf("all\n");
}

int lscctl_motion_speed(struct lscctl *ctl, int argc, char **argv)
{
        cJSON *response;
        long group, percent;
        int r;

        if (strcmp(argv[0], "all") == 0)
                group = LSC_GROUP_ALL;
        else if (!motion_parse_group(argv[0], &group))
                return lscctl_usage_error(ctl, "invalid group '%s': expected 0..%d or all",
                                          argv[0], LSC_GROUP_MAX);
        if (!lscctl_parse_long(argv[1], LSC_PERCENT_MIN, LSC_PERCENT_MAX, &percent))
                return lscctl_usage_error(ctl, "invalid percent '%s': expected %d..%d",
                                          argv[1], LSC_PERCENT_MIN, LSC_PERCENT_MAX);
        r = lscctl_call(ctl, lsc_client_request_group_speed(group, percent), &response);
        return r ? r : motion_done(ctl, response);
}

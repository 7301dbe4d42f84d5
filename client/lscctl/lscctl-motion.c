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

/* One argument of move, "SERVO:POS". Invariant: exactly one of id (1..32)
 * and name (an identifier) is set; value is a position (0..LSCCTL_POSITION_MAX:
 * lscd checks it against its board's units and the servo's limits) or,
 * with delta, a change of -LSCCTL_DELTA_MAX..LSCCTL_DELTA_MAX. */
struct motion_target {
        int id;
        char name[LSCCTL_NAME_MAX + 1];
        bool delta;
        long value;
};

/* The len bytes of arg before its colon: an id, or a name (a number, or
 * what looks like one, is an id). Returns 0 or an exit status. */
static int motion_parse_servo(struct lscctl *ctl, const char *arg, int len, struct motion_target *t)
{
        char id[16];
        long v;

        if (lscctl_is_name(arg, (size_t)len)) {
                snprintf(t->name, sizeof(t->name), "%.*s", len, arg);
                return 0;
        }
        if (len == 0 || !strchr("+-0123456789", arg[0]))
                return lscctl_usage_error(ctl, "invalid servo '%.*s' in '%s': expected an id %d..%d "
                                          "or a name ([A-Za-z_][A-Za-z0-9_]*, at most %d bytes)",
                                          len, arg, arg, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX,
                                          LSCCTL_NAME_MAX);
        snprintf(id, sizeof(id), "%.*s", len, arg);
        /* An id too long for id[] is out of range too. */
        if ((size_t)len >= sizeof(id) || !lscctl_parse_long(id, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX, &v))
                return lscctl_usage_error(ctl, "invalid servo id '%.*s' in '%s': expected %d..%d",
                                          len, arg, arg, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX);
        t->id = (int)v;
        return 0;
}

/* The text after the colon: a position, or "+N"/"-N", a delta. */
static int motion_parse_position(struct lscctl *ctl, const char *arg, const char *pos, struct motion_target *t)
{
        t->delta = pos[0] == '+' || pos[0] == '-';
        if (pos[0] == '+' ? lscctl_parse_long(pos + 1, 0, LSCCTL_DELTA_MAX, &t->value) :
            pos[0] == '-' ? lscctl_parse_long(pos, -LSCCTL_DELTA_MAX, 0, &t->value) :
            lscctl_parse_long(pos, 0, LSCCTL_POSITION_MAX, &t->value))
                return 0;
        if (t->delta)
                return lscctl_usage_error(ctl, "invalid change '%s' in '%s': expected -%d..+%d",
                                          pos, arg, LSCCTL_DELTA_MAX, LSCCTL_DELTA_MAX);
        return lscctl_usage_error(ctl, "invalid position '%s' in '%s': expected a number "
                                  "0..%d (lscd knows the board's units)", pos, arg,
                                  LSCCTL_POSITION_MAX);
}

/* Parse "SERVO:POS" into t; returns 0 or an exit status. */
static int motion_parse_target(struct lscctl *ctl, const char *arg, struct motion_target *t)
{
        const char *colon = strchr(arg, ':');
        int r;

        if (!colon)
                return lscctl_usage_error(ctl, "invalid servo target '%s': expected SERVO:POS, "
                                          "e.g. 1:1500, shoulder:1200 or shoulder:+100", arg);
        r = motion_parse_servo(ctl, arg, (int)(colon - arg), t);
        return r ? r : motion_parse_position(ctl, arg, colon + 1, t);
}

/* Whether a and b name the same servo in the same way. */
static bool motion_same_servo(const struct motion_target *a, const struct motion_target *b)
{
        return a->id == b->id && strcmp(a->name, b->name) == 0;
}

static cJSON *motion_target_json(const struct motion_target *t)
{
        cJSON *o = cJSON_CreateObject();

        if ((t->id ? cJSON_AddNumberToObject(o, "id", t->id) : cJSON_AddStringToObject(o, "name", t->name)) &&
            cJSON_AddNumberToObject(o, t->delta ? "delta" : "position", (double)t->value))
                return o;
        cJSON_Delete(o);
        return NULL;
}

/* REQUEST (consumed; may be NULL) with --at's "at" when given. NULL when
 * out of memory. */
static cJSON *motion_request_at(struct lscctl *ctl, cJSON *request)
{
        if (!ctl->opt.at || cJSON_AddNumberToObject(request, "at", ctl->opt.at))
                return request;
        cJSON_Delete(request);
        return NULL;
}

/* The request of move or pose: cmd with its own members, then time_ms,
 * "at" and (only when set, as lscd before protocol 1.1 takes no wait)
 * wait. NULL when out of memory; request (consumed) may be NULL. */
static cJSON *motion_request_timed(struct lscctl *ctl, cJSON *request)
{
        if (cJSON_AddNumberToObject(request, "time_ms", (double)ctl->opt.time_ms) &&
            (!ctl->opt.wait || cJSON_AddTrueToObject(request, "wait")))
                return motion_request_at(ctl, request);
        cJSON_Delete(request);
        return NULL;
}

static cJSON *motion_move_request(struct lscctl *ctl, const struct motion_target *t, int n)
{
        cJSON *request = lsc_client_request_new("move");
        cJSON *servos = cJSON_AddArrayToObject(request, "servos");

        for (int i = 0; i < n; i++) {
                cJSON *item = motion_target_json(&t[i]);

                if (!cJSON_AddItemToArray(servos, item)) {
                        cJSON_Delete(item);
                        cJSON_Delete(request);
                        return NULL;
                }
        }
        return motion_request_timed(ctl, request);
}

/* Print the response with --json; nothing otherwise. Consumes it. */
static int motion_done(struct lscctl *ctl, cJSON *response)
{
        if (ctl->json)
                lscctl_print_json(response);
        cJSON_Delete(response);
        return LSCCTL_EXIT_OK;
}

/* Send the request of move or pose, and print the time lscd used: "time N
 * ms", saying when max_speed raised it, and ", completed" after a wait.
 * lscd before protocol 1.1 answers no time: nothing is printed. */
static int motion_timed(struct lscctl *ctl, cJSON *request)
{
        const cJSON *used, *completed;
        cJSON *response;
        int r;

        /* A wait lasts as long as the move: -T, else no limit; an "at" is
         * answered once its time came and the frame is written. */
        if (ctl->opt.wait)
                ctl->call_timeout_ms = ctl->opt.timeout_ms;
        else if (ctl->opt.at)
                ctl->call_timeout_ms = -1;
        r = lscctl_call(ctl, request, &response);
        if (r)
                return r;
        used = cJSON_GetObjectItemCaseSensitive(response, "time_ms");
        completed = cJSON_GetObjectItemCaseSensitive(response, "completed");
        if (!ctl->json && cJSON_IsNumber(used)) {
                printf("time %.0f ms", used->valuedouble);
                if (used->valuedouble > (double)ctl->opt.time_ms)
                        printf(" (raised from %ld ms by max_speed)", ctl->opt.time_ms);
                printf("%s\n", cJSON_IsTrue(completed) ? ", completed" : "");
        }
        return motion_done(ctl, response);
}

int lscctl_motion_move(struct lscctl *ctl, int argc, char **argv)
{
        struct motion_target targets[LSC_MOVE_MAX_SERVOS];
        int r;

        if (argc > LSC_MOVE_MAX_SERVOS)
                return lscctl_usage_error(ctl, "too many servos: at most %d", LSC_MOVE_MAX_SERVOS);
        for (int i = 0; i < argc; i++) {
                targets[i] = (struct motion_target) { 0 };
                r = motion_parse_target(ctl, argv[i], &targets[i]);
                if (r)
                        return r;
                for (int j = 0; j < i; j++)
                        if (motion_same_servo(&targets[i], &targets[j]))
                                return targets[i].id ?
                                        lscctl_usage_error(ctl, "servo %d given twice", targets[i].id) :
                                        lscctl_usage_error(ctl, "servo %s given twice", targets[i].name);
        }
        return motion_timed(ctl, motion_move_request(ctl, targets, argc));
}

int lscctl_motion_pose(struct lscctl *ctl, int argc, char **argv)
{
        cJSON *request;

        if (!lscctl_is_name(argv[0], strlen(argv[0])))
                return lscctl_usage_error(ctl, "invalid pose '%s': expected a name "
                                          "([A-Za-z_][A-Za-z0-9_]*, at most %d bytes)",
                                          argv[0], LSCCTL_NAME_MAX);
        request = lsc_client_request_new("pose");
        if (!cJSON_AddStringToObject(request, "name", argv[0])) {
                cJSON_Delete(request);
                request = NULL;
        }
        return motion_timed(ctl, motion_request_timed(ctl, request));
}

/* GROUP: a number 0..254, a group's name (*ret = -1), or with all "all"
 * (LSC_GROUP_ALL). Returns 0 or an exit status. */
static int motion_parse_group(struct lscctl *ctl, const char *arg, bool all, long *ret)
{
        *ret = -1;
        if (strcmp(arg, "all") == 0 && !all)
                return lscctl_usage_error(ctl, "invalid group 'all': only speed takes all");
        if (strcmp(arg, "all") == 0)
                *ret = LSC_GROUP_ALL;
        else if (!lscctl_parse_long(arg, 0, LSC_GROUP_MAX, ret) && !lscctl_is_name(arg, strlen(arg)))
                return lscctl_usage_error(ctl, "invalid group '%s': expected 0..%d%s or a group's name",
                                          arg, LSC_GROUP_MAX, all ? ", all" : "");
        return 0;
}

/* request (consumed, may be NULL) with the group named name, when group
 * is -1; NULL when out of memory. */
static cJSON *motion_group_named(cJSON *request, long group, const char *name)
{
        cJSON *item;

        if (group >= 0 || !request)
                return request;
        item = cJSON_CreateString(name);
        if (!cJSON_ReplaceItemInObjectCaseSensitive(request, "group", item)) {
                cJSON_Delete(item);
                cJSON_Delete(request);
                return NULL;
        }
        return request;
}

void lscctl_motion_wait_reply(void *userdata, struct lsc_client *c, const cJSON *response, int error)
{
        struct motion_wait *w = userdata;

        w->done = true;
        w->response = response ? cJSON_Duplicate(response, true) : NULL;
        w->error = response && !w->response ? -ENOMEM : error;
}

int lscctl_motion_signalfd(void)
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

int lscctl_motion_wait_answer(struct lscctl *ctl, const struct motion_wait *w, int sfd, int64_t deadline)
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
 * signals: as lscctl_motion_wait_answer(). */
static int motion_send_wait(struct lscctl *ctl, cJSON *request, struct motion_wait *w, int sfd)
{
        int64_t deadline = lscctl_deadline(ctl);
        int r = request ? lsc_client_send(ctl->client, request, lscctl_motion_wait_reply, w) : -ENOMEM;

        cJSON_Delete(request);
        return r < 0 ? r : lscctl_motion_wait_answer(ctl, w, sfd, deadline);
}

/* The exit status of run --wait once r came from motion_send_wait(). */
static int motion_run_outcome(struct lscctl *ctl, const char *group, int r, struct motion_wait *w)
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
                printf("group %s completed\n", group);
        return motion_done(ctl, response);
}

/* run --wait: unless --detach, SIGINT or SIGTERM meanwhile stops the group
 * and exits 128 + its number. Signals are blocked before the request is
 * sent, so that none is missed. */
static int motion_run_wait(struct lscctl *ctl, const char *group, cJSON *request)
{
        struct motion_wait w = { 0 };
        int sfd = -1, r = lscctl_connect(ctl);

        if (r == 0 && !ctl->opt.detach) {
                sfd = lscctl_motion_signalfd();
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
        char label[LSCCTL_NAME_MAX + 1];
        long group;
        int r = motion_parse_group(ctl, argv[0], false, &group);

        if (r)
                return r;
        request = motion_request_at(ctl, motion_group_named(
                lsc_client_request_group_run(group, ctl->opt.runs, ctl->opt.wait), group, argv[0]));
        if (group < 0)
                snprintf(label, sizeof(label), "%s", argv[0]);
        else
                snprintf(label, sizeof(label), "%ld", group);
        if (ctl->opt.wait)
                return motion_run_wait(ctl, label, request);
        if (ctl->opt.at)
                ctl->call_timeout_ms = -1;
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
        const cJSON *dropped, *cancelled;
        cJSON *response;
        int r = lscctl_call(ctl, lsc_client_request_new("halt"), &response);

        if (r)
                return r;
        dropped = cJSON_GetObjectItemCaseSensitive(response, "dropped");
        cancelled = cJSON_GetObjectItemCaseSensitive(response, "cancelled");
        if (!ctl->json && cJSON_IsNumber(dropped)) {
                printf("halted: %.0f queued request%s dropped", dropped->valuedouble,
                       dropped->valuedouble == 1 ? "" : "s");
                if (cJSON_IsNumber(cancelled))
                        printf(", %.0f scheduled request%s cancelled", cancelled->valuedouble,
                               cancelled->valuedouble == 1 ? "" : "s");
                printf("\n");
        }
        return motion_done(ctl, response);
}

void lscctl_motion_speed_words(struct lscctl *ctl)
{
        printf("all\n");
        lscctl_robot_group_words(ctl);
}

int lscctl_motion_speed(struct lscctl *ctl, int argc, char **argv)
{
        cJSON *response;
        long group, percent;
        int r = motion_parse_group(ctl, argv[0], true, &group);

        if (r)
                return r;
        if (!lscctl_parse_long(argv[1], LSC_PERCENT_MIN, LSC_PERCENT_MAX, &percent))
                return lscctl_usage_error(ctl, "invalid percent '%s': expected %d..%d",
                                          argv[1], LSC_PERCENT_MIN, LSC_PERCENT_MAX);
        r = lscctl_call(ctl, motion_group_named(lsc_client_request_group_speed(group, percent),
                                                group, argv[0]), &response);
        return r ? r : motion_done(ctl, response);
}

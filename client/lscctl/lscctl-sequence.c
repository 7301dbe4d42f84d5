/* SPDX-License-Identifier: MIT */
/*
 * lscctl-sequence.c: motion played by lscd: record, play, sequences.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "lscctl.h"

/* Every sequence name lscd lists. */
void lscctl_sequence_words(struct lscctl *ctl)
{
        const cJSON *list, *s;
        cJSON *response;

        if (lscctl_exchange(ctl, lsc_client_request_new("sequence.list"), &(int){ 0 }, &response))
                return;
        list = cJSON_GetObjectItemCaseSensitive(response, "sequences");
        cJSON_ArrayForEach(s, list) {
                const cJSON *name = cJSON_GetObjectItemCaseSensitive(s, "name");

                if (cJSON_IsString(name) && lscctl_is_name(name->valuestring, strlen(name->valuestring)))
                        printf("%s\n", name->valuestring);
        }
        cJSON_Delete(response);
}

static int sequence_check_name(struct lscctl *ctl, const char *name)
{
        if (lscctl_is_name(name, strlen(name)))
                return 0;
        return lscctl_usage_error(ctl, "invalid sequence name '%s': expected "
                                  "[A-Za-z_][A-Za-z0-9_]*, at most %d bytes", name, LSCCTL_NAME_MAX);
}

/* The words of --servos, split at commas, as lscctl_servos_json() takes
 * them: 0 with *ret, or an exit status. */
static int sequence_servos(struct lscctl *ctl, cJSON **ret)
{
        char buf[512], all[] = "all", *words[LSC_SERVO_ID_MAX + 1], *rest = buf;
        int n = 0;

        if (!ctl->opt.servos)
                ctl->opt.servos = all;
        if (strlen(ctl->opt.servos) >= sizeof(buf))
                return lscctl_usage_error(ctl, "--servos is too long");
        snprintf(buf, sizeof(buf), "%s", ctl->opt.servos);
        /* Every item, empty ones too ("1,,2" is a mistake, not 1,2). */
        while (rest) {
                char *w = strsep(&rest, ",");

                if (w[0] == '\0')
                        return lscctl_usage_error(ctl, "--servos has an empty item: \"%s\"",
                                                  ctl->opt.servos);
                if (n == LSC_SERVO_ID_MAX)
                        return lscctl_usage_error(ctl, "too many servos: at most %d", LSC_SERVO_ID_MAX);
                words[n++] = w;
        }
        return lscctl_servos_json(ctl, words, n, ret);
}

/* Wait for SIGINT or SIGTERM on sfd while lscd stays. Returns 0 once one
 * came, or the exit status when lscd was lost. */
static int sequence_until_signal(struct lscctl *ctl, int sfd)
{
        for (;;) {
                struct pollfd fds[2] = { { .fd = lsc_client_fd(ctl->client), .events = POLLIN },
                                         { .fd = sfd, .events = POLLIN } };
                struct signalfd_siginfo si;
                cJSON *event;
                int r;

                if (poll(fds, 2, -1) < 0 && errno != EINTR)
                        return lscctl_fail(ctl, -errno);
                if (fds[1].revents & POLLIN)
                        return read(sfd, &si, sizeof(si)) == sizeof(si) ? 0 : lscctl_fail(ctl, -EIO);
                r = lsc_client_process(ctl->client);
                if (r < 0)
                        return lscctl_fail(ctl, r);
                while (lsc_client_next_event(ctl->client, &event) > 0)
                        cJSON_Delete(event);
        }
}

static void sequence_print_recorded(const cJSON *response)
{
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(response, "name");
        const cJSON *path = cJSON_GetObjectItemCaseSensitive(response, "path");
        const cJSON *steps = cJSON_GetObjectItemCaseSensitive(response, "steps");
        const cJSON *dropped = cJSON_GetObjectItemCaseSensitive(response, "dropped");

        printf("recorded ");
        lscctl_print_value(name);
        printf(": %.0f step%s in ", cJSON_GetNumberValue(steps),
               cJSON_GetNumberValue(steps) == 1 ? "" : "s");
        lscctl_print_value(path);
        if (cJSON_GetNumberValue(dropped) > 0)
                printf(" (%.0f moves past the limit dropped)", cJSON_GetNumberValue(dropped));
        printf("\n");
}

/* Start recording (in teach mode with TEACH), wait for SIGINT or SIGTERM,
 * stop and print the file. Signals are blocked before the recording
 * starts, so that none is lost. */
static int sequence_record(struct lscctl *ctl, const char *name, bool teach)
{
        const char *verb = teach ? "teach" : "record";
        cJSON *request, *servos, *response;
        int sfd, r = sequence_check_name(ctl, name);

        if (r == 0)
                r = sequence_servos(ctl, &servos);
        if (r)
                return r;
        request = lsc_client_request_new("record.start");
        if (!cJSON_AddStringToObject(request, "name", name) ||
            !cJSON_AddItemToObject(request, "servos", servos) ||
            (ctl->opt.replace && !cJSON_AddTrueToObject(request, "replace")) ||
            (teach && !cJSON_AddTrueToObject(request, "teach"))) {
                cJSON_Delete(request);
                request = NULL;
        }
        sfd = lscctl_motion_signalfd();
        if (sfd < 0) {
                cJSON_Delete(request);
                fprintf(stderr, "lscctl %s: cannot watch for signals: %s\n", verb, strerror(-sfd));
                return LSCCTL_EXIT_SOFTWARE;
        }
        r = lscctl_call(ctl, request, &response);
        if (r == 0 && teach)
                fprintf(stderr, "lscctl teach: the servos are limp, read every %.0f ms: move "
                        "them by hand; Ctrl-C stops\n",
                        cJSON_GetNumberValue(cJSON_GetObjectItem(response, "period_ms")));
        else if (r == 0)
                fprintf(stderr, "lscctl record: recording %s; Ctrl-C stops\n", name);
        cJSON_Delete(response);
        if (r == 0)
                r = sequence_until_signal(ctl, sfd);
        if (r == 0)
                r = lscctl_call(ctl, lsc_client_request_new("record.stop"), &response);
        close(sfd);
        return r ? r : lscctl_show(ctl, response, sequence_print_recorded);
}

int lscctl_sequence_record(struct lscctl *ctl, int argc, char **argv)
{
        return sequence_record(ctl, argv[0], false);
}

int lscctl_sequence_teach(struct lscctl *ctl, int argc, char **argv)
{
        return sequence_record(ctl, argv[0], true);
}

static cJSON *sequence_run_request(struct lscctl *ctl, const char *name)
{
        const struct lscctl_options *o = &ctl->opt;
        cJSON *request = lsc_client_request_new("sequence.run");

        if (cJSON_AddStringToObject(request, "name", name) &&
            (o->loops == 1 || cJSON_AddNumberToObject(request, "loops", (double)o->loops)) &&
            (o->speed == 100 || cJSON_AddNumberToObject(request, "speed", (double)o->speed)) &&
            (!o->at || cJSON_AddNumberToObject(request, "at", o->at)) &&
            (!o->wait || cJSON_AddTrueToObject(request, "wait")))
                return request;
        cJSON_Delete(request);
        return NULL;
}

/* The run this client started, from the sequence.started events queued
 * while waiting: its id, or -1. */
static double sequence_my_run(struct lscctl *ctl)
{
        const cJSON *me = cJSON_GetObjectItemCaseSensitive(lsc_client_hello(ctl->client), "client");
        double run = -1;
        cJSON *event;

        while (lsc_client_next_event(ctl->client, &event) > 0) {
                const cJSON *by = cJSON_GetObjectItemCaseSensitive(event, "by");
                const cJSON *client = cJSON_GetObjectItemCaseSensitive(by, "client");
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(event, "run");

                if (cJSON_IsNumber(me) && cJSON_IsNumber(client) && cJSON_IsNumber(id) &&
                    client->valuedouble == me->valuedouble)
                        run = id->valuedouble;
                cJSON_Delete(event);
        }
        return run;
}

/* After signal signo during play --wait: stop our run. A ping answered
 * first means that lscd's sequence.started, if it sent one, is queued; a
 * run not started yet waits for its "at", and ends with the connection.
 * Returns 128 + signo once done, else the exit status of the failure. */
static int sequence_interrupted(struct lscctl *ctl, int signo)
{
        cJSON *request, *response;
        double run;
        int r = lscctl_call(ctl, lsc_client_request_new("ping"), &response);

        cJSON_Delete(response);
        if (r)
                return r;
        run = sequence_my_run(ctl);
        if (run < 0)
                return 128 + signo;
        request = lsc_client_request_new("sequence.stop");
        if (!cJSON_AddNumberToObject(request, "run", run)) {
                cJSON_Delete(request);
                request = NULL;
        }
        r = lscctl_call(ctl, request, &response);
        cJSON_Delete(response);
        if (r)
                return r;
        fprintf(stderr, "lscctl play: interrupted, sequence stopped\n");
        return 128 + signo;
}

static void sequence_print_played(const cJSON *response)
{
        const cJSON *completed = cJSON_GetObjectItemCaseSensitive(response, "completed");
        const cJSON *run = cJSON_GetObjectItemCaseSensitive(response, "run");
        const cJSON *steps = cJSON_GetObjectItemCaseSensitive(response, "steps");
        const cJSON *ms = cJSON_GetObjectItemCaseSensitive(response, "duration_ms");

        if (cJSON_IsTrue(completed))
                printf("run %.0f completed\n", cJSON_GetNumberValue(run));
        else
                printf("run %.0f: %.0f steps, %.3f s a loop\n", cJSON_GetNumberValue(run),
                       cJSON_GetNumberValue(steps), cJSON_GetNumberValue(ms) / 1000.0);
}

/* play --wait: SIGINT or SIGTERM meanwhile stops the run and exits 128 +
 * its number. */
static int sequence_play_wait(struct lscctl *ctl, cJSON *request)
{
        static const char *const events[] = { "sequence.started" };
        struct motion_wait w = { 0 };
        cJSON *response;
        int sfd = lscctl_motion_signalfd(), r;

        if (sfd < 0) {
                cJSON_Delete(request);
                fprintf(stderr, "lscctl play: cannot watch for signals: %s\n", strerror(-sfd));
                return LSCCTL_EXIT_SOFTWARE;
        }
        r = lscctl_call(ctl, lsc_client_request_subscribe(events, 1), &response);
        cJSON_Delete(response);
        if (r == 0) {
                r = request ? lsc_client_send(ctl->client, request, lscctl_motion_wait_reply, &w) : -ENOMEM;
                r = r < 0 ? r : lscctl_motion_wait_answer(ctl, &w, sfd, lscctl_deadline(ctl));
                if (r > 0) {
                        r = sequence_interrupted(ctl, r);
                } else if (r < 0) {
                        r = lscctl_fail(ctl, r);
                } else {
                        /* lscctl_answer() takes the response over. */
                        r = lscctl_answer(ctl, w.error, w.response, &response);
                        w.response = NULL;
                        if (r == 0)
                                r = lscctl_show(ctl, response, sequence_print_played);
                }
        }
        cJSON_Delete(request);
        /* w's callback must not outlive w. */
        ctl->client = lsc_client_free(ctl->client);
        cJSON_Delete(w.response);
        close(sfd);
        return r;
}

int lscctl_sequence_play(struct lscctl *ctl, int argc, char **argv)
{
        cJSON *response;
        int r = sequence_check_name(ctl, argv[0]);

        if (r)
                return r;
        if (ctl->opt.timeout_ms >= 0 && !ctl->opt.wait)
                return lscctl_usage_error(ctl, "--timeout goes with --wait");
        if (ctl->opt.wait) {
                r = lscctl_connect(ctl);
                return r ? r : sequence_play_wait(ctl, sequence_run_request(ctl, argv[0]));
        }
        /* An "at" answers once the first step is written. */
        if (ctl->opt.at)
                ctl->call_timeout_ms = -1;
        r = lscctl_call(ctl, sequence_run_request(ctl, argv[0]), &response);
        return r ? r : lscctl_show(ctl, response, sequence_print_played);
}

/* A name in a column of width: as is when it is a name of lscd's,
 * else as lscctl_print_value() prints it. */
static void sequence_print_name(const cJSON *name, int width)
{
        if (cJSON_IsString(name) && lscctl_is_name(name->valuestring, strlen(name->valuestring)))
                printf("%-*s", width, name->valuestring);
        else
                lscctl_print_value(name);
}

static void sequence_print_playing(const cJSON *response)
{
        const cJSON *r;

        cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(response, "playing")) {
                printf("playing: run %.0f ", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(r, "run")));
                lscctl_print_value(cJSON_GetObjectItemCaseSensitive(r, "name"));
                printf(" servos ");
                lscctl_print_value(cJSON_GetObjectItemCaseSensitive(r, "servos"));
                printf("\n");
        }
}
static void sequence_print_list(const cJSON *response)
{
        const cJSON *s;

        printf("%-20s %6s %10s  %s\n", "NAME", "STEPS", "DURATION", "PATH");
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(response, "sequences")) {
                const cJSON *error = cJSON_GetObjectItemCaseSensitive(s, "error");

                sequence_print_name(cJSON_GetObjectItemCaseSensitive(s, "name"), 20);
                if (cJSON_IsString(error)) {
                        printf(" %6s %10s  error: ", "-", "-");
                        lscctl_print_value(error);
                } else {
                        printf(" %6.0f %9.3fs  ",
                               cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "steps")),
                               cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(s, "duration_ms")) / 1000.0);
                        lscctl_print_value(cJSON_GetObjectItemCaseSensitive(s, "path"));
                }
                printf("\n");
        }
        sequence_print_playing(response);
}


int lscctl_sequence_list(struct lscctl *ctl, int argc, char **argv)
{
        return lscctl_query(ctl, "sequence.list", sequence_print_list);
}

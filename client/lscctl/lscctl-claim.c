/* SPDX-License-Identifier: MIT */
/*
 * lscctl-claim.c: "lscctl claim SERVO... -- COMMAND": claim the servos,
 * run COMMAND with $LSCD_SOCKET set to a private socket whose requests go
 * over the claiming connection (lscctl-proxy.c), ping to renew the lease,
 * and release once COMMAND has ended. A claim belongs to a connection;
 * this is how a whole shell script, and every lscctl command in it, acts
 * as its holder.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "lscctl.h"
#include "lscctl-proxy.h"

/* The longest name hello takes (lscd-protocol(7)). */
#define CLAIM_NAME_MAX 64

/* One claim held while COMMAND runs. Invariant: child > 0 until it has
 * been reaped, then status is its exit status as a shell reports it. */
struct claim_run {
        struct lscctl *ctl;
        double id;              /* the claim's */
        pid_t child;
        int status;
        const char *lost;       /* why the claim ended early, or NULL */
        int64_t next_ping;      /* CLOCK_MONOTONIC ms, -1 without a lease */
};

/* The length of the valid UTF-8 character at s, or 0. */
static size_t claim_utf8_len(const unsigned char *s)
{
        size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2 ? 2 :
                   (s[0] & 0xf0) == 0xe0 ? 3 : (s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4 ? 4 : 0;

        for (size_t i = 1; i < n; i++)
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
        return n;
}

/* "lscctl claim: COMMAND ARG..." as hello takes it: control characters
 * and bytes that are not UTF-8 become "?", and it is cut to
 * CLAIM_NAME_MAX bytes between characters. */
static void claim_name(char **argv, char *buf, size_t size)
{
        char all[1024];
        size_t n = 0, in = (size_t)snprintf(all, sizeof(all), "lscctl claim:");

        for (; *argv && in < sizeof(all) - 1; argv++)
                in += (size_t)snprintf(all + in, sizeof(all) - in, " %s", *argv);
        for (const unsigned char *s = (const unsigned char *)all; *s; ) {
                size_t len = claim_utf8_len(s);

                if (len == 0 || (len == 1 && (*s < ' ' || *s == 0x7f))) {
                        len = 1;
                        if (n + 1 > CLAIM_NAME_MAX || n + 1 >= size)
                                break;
                        buf[n++] = '?';
                } else {
                        if (n + len > CLAIM_NAME_MAX || n + len >= size)
                                break;
                        memcpy(buf + n, s, len);
                        n += len;
                }
                s += len;
        }
        buf[n] = '\0';
}

/* Say who we are, unless we run under another lscctl claim: its
 * connection is ours, and keeps its name. Returns 0 or an exit status. */
static int claim_hello(struct lscctl *ctl)
{
        char name[256];
        cJSON *request, *response;
        int r;

        if (getenv("LSCD_CLAIM"))
                return 0;
        claim_name(ctl->run_argv, name, sizeof(name));
        request = lsc_client_request_new("hello");
        if (!cJSON_AddStringToObject(request, "name", name)) {
                cJSON_Delete(request);
                request = NULL;
        }
        r = lscctl_call(ctl, request, &response);
        cJSON_Delete(response);
        return r;
}

static cJSON *claim_request(struct lscctl *ctl, cJSON *servos)
{
        const struct lscctl_options *o = &ctl->opt;
        cJSON *request = lsc_client_request_new("claim");

        if (!cJSON_AddItemToObject(request, "servos", servos)) {
                cJSON_Delete(servos);
                cJSON_Delete(request);
                return NULL;
        }
        if ((o->groups && !cJSON_AddTrueToObject(request, "groups")) ||
            (o->lease_ms && !cJSON_AddNumberToObject(request, "lease_ms", (double)o->lease_ms)) ||
            (o->safe && !cJSON_AddStringToObject(request, "safe", o->safe)) ||
            (o->wait && !cJSON_AddTrueToObject(request, "wait")) ||
            (o->wait && o->timeout_ms >= 0 &&
             !cJSON_AddNumberToObject(request, "timeout_ms", (double)o->timeout_ms))) {
                cJSON_Delete(request);
                return NULL;
        }
        return request;
}

/* Claim, and subscribe to its expiry. Returns 0 with run->id, or an exit
 * status. */
static int claim_take(struct lscctl *ctl, cJSON *servos, struct claim_run *run)
{
        static const char *const events[] = { "claim.expired" };
        const cJSON *id;
        cJSON *response;
        int r;

        /* A wait lasts as long as lscd lets it: --timeout, else no limit. */
        if (ctl->opt.wait)
                ctl->call_timeout_ms = -1;
        r = lscctl_call(ctl, claim_request(ctl, servos), &response);
        ctl->call_timeout_ms = LSC_CLIENT_DEFAULT_TIMEOUT_MS;
        lsc_client_set_timeout(ctl->client, ctl->call_timeout_ms);
        if (r)
                return r;
        id = cJSON_GetObjectItemCaseSensitive(response, "claim");
        if (!cJSON_IsNumber(id)) {
                cJSON_Delete(response);
                return lscctl_fail(ctl, -EPROTO);
        }
        run->id = id->valuedouble;
        cJSON_Delete(response);
        r = lscctl_call(ctl, lsc_client_request_subscribe(events, 1), &response);
        cJSON_Delete(response);
        return r;
}

/* Our claim's claim.expired ends the run: COMMAND no longer holds what it
 * thinks it holds, so it is stopped. */
static void claim_watch(void *userdata, const cJSON *event)
{
        struct claim_run *run = userdata;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(event, "event");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(event, "claim");
        const cJSON *reason = cJSON_GetObjectItemCaseSensitive(event, "reason");

        if (!cJSON_IsString(name) || strcmp(name->valuestring, "claim.expired") != 0 ||
            !cJSON_IsNumber(id) || id->valuedouble != run->id || run->lost)
                return;
        run->lost = cJSON_IsString(reason) && strcmp(reason->valuestring, "lease") == 0 ?
                    "its lease ran out" : "lscd ended it";
}

/* Block the signals the run handles, and return a signalfd reading them,
 * or a negative errno; *old gets the mask COMMAND starts with. */
static int claim_signalfd(sigset_t *old)
{
        sigset_t set;
        int fd;

        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &set, old) < 0)
                return -errno;
        fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        return fd < 0 ? -errno : fd;
}

/* Start COMMAND with the proxy's socket as $LSCD_SOCKET and the claim's
 * id as $LSCD_CLAIM. Returns 0 or a negative errno. */
static int claim_spawn(struct claim_run *run, const char *socket, const sigset_t *mask)
{
        char id[32];
        pid_t pid;

        snprintf(id, sizeof(id), "%.0f", run->id);
        fflush(NULL);
        pid = fork();
        if (pid < 0)
                return -errno;
        if (pid > 0) {
                run->child = pid;
                return 0;
        }
        sigprocmask(SIG_SETMASK, mask, NULL);
        if (setenv("LSCD_SOCKET", socket, 1) == 0 && setenv("LSCD_CLAIM", id, 1) == 0)
                execvp(run->ctl->run_argv[0], run->ctl->run_argv);
        fprintf(stderr, "lscctl claim: cannot run %s: %s\n", run->ctl->run_argv[0], strerror(errno));
        _exit(errno == ENOENT ? 127 : 126);
}

/* Reap COMMAND if it has ended. */
static void claim_reap(struct claim_run *run)
{
        int status;

        if (run->child <= 0 || waitpid(run->child, &status, WNOHANG) != run->child)
                return;
        run->child = 0;
        run->status = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* Read the signals that came: SIGCHLD reaps, the others are passed on to
 * COMMAND when a process sent them (a terminal's Ctrl-C or hangup reached
 * COMMAND's process group already). */
static void claim_signals(struct claim_run *run, int sfd)
{
        struct signalfd_siginfo si;

        while (read(sfd, &si, sizeof(si)) == sizeof(si))
                if (si.ssi_signo != SIGCHLD && si.ssi_code <= 0 && run->child > 0)
                        kill(run->child, (int)si.ssi_signo);
        claim_reap(run);
}

/* Renew the lease at a third of it, so that two pings may be late. */
static int claim_ping(struct claim_run *run)
{
        int64_t now = clock_msec();
        cJSON *ping;
        int r;

        if (run->next_ping < 0 || now < run->next_ping)
                return 0;
        run->next_ping = now + (run->ctl->opt.lease_ms / 3 > 0 ? run->ctl->opt.lease_ms / 3 : 1);
        ping = lsc_client_request_new("ping");
        r = ping ? lsc_client_send(run->ctl->client, ping, NULL, NULL) : -ENOMEM;
        cJSON_Delete(ping);
        return r;
}

/* COMMAND must stop: the claim or lscd is lost. Keeps the first error. */
static void claim_stop(struct claim_run *run, int *error, int r)
{
        if (*error)
                return;
        *error = r;
        kill(run->child, SIGTERM);
}

/* Serve COMMAND until it ends; stop it (SIGTERM) when the claim or lscd is
 * lost. Returns 0, or the negative errno that lost lscd. */
static int claim_serve(struct claim_run *run, struct proxy *proxy, int sfd)
{
        struct lsc_client *client = run->ctl->client;
        int error = 0;

        while (run->child > 0) {
                struct pollfd fds[2 + PROXY_POLLFDS_MAX];
                int n = proxy_pollfds(proxy, fds + 2, PROXY_POLLFDS_MAX), r;

                /* Once lscd is lost only COMMAND's end is awaited. */
                fds[0] = (struct pollfd) { .fd = error && !run->lost ? -1 : lsc_client_fd(client),
                                           .events = lsc_client_events(client) };
                fds[1] = (struct pollfd) { .fd = sfd, .events = POLLIN };
                r = poll(fds, (nfds_t)n + 2, run->next_ping < 0 || error ? -1 : lscctl_left_ms(run->next_ping));
                if (r < 0 && errno != EINTR)
                        claim_stop(run, &error, -errno);
                r = error ? 0 : lsc_client_process(client);
                if (r >= 0 && !error)
                        r = claim_ping(run);
                if (r < 0)
                        claim_stop(run, &error, r);
                (void)proxy_process(proxy, fds + 2, n);
                if (run->lost)
                        claim_stop(run, &error, -ECANCELED);
                claim_signals(run, sfd);
        }
        return error == -ECANCELED ? 0 : error;
}

/* Release the claim, unless COMMAND did (unknown_claim). Another failure
 * is said; the claim ends with the connection anyway. */
static void claim_release(struct claim_run *run)
{
        cJSON *request = lsc_client_request_new("release"), *response;
        int error, r;

        if (!cJSON_AddNumberToObject(request, "claim", run->id)) {
                cJSON_Delete(request);
                request = NULL;
        }
        r = lscctl_exchange(run->ctl, request, &error, &response);
        if (r == 0 && error == -EREMOTEIO &&
            strcmp(lsc_client_error_code(run->ctl->client), "unknown_claim") == 0)
                error = 0;
        if (r == 0)
                (void)lscctl_answer(run->ctl, error, response, &response);
        cJSON_Delete(response);
}

/* Run COMMAND under the claim. Returns the exit status. */
static int claim_run_command(struct claim_run *run)
{
        struct lscctl *ctl = run->ctl;
        struct proxy *proxy = NULL;
        sigset_t old;
        int sfd = claim_signalfd(&old), r;

        r = sfd < 0 ? sfd : proxy_new(ctl->client, claim_watch, run, &proxy);
        if (r == 0)
                r = claim_spawn(run, proxy_path(proxy), &old);
        if (r < 0) {
                fprintf(stderr, "lscctl claim: cannot run %s: %s\n", ctl->run_argv[0], strerror(-r));
                r = LSCCTL_EXIT_SOFTWARE;
        } else if ((r = claim_serve(run, proxy, sfd)) < 0)
                r = lscctl_fail(ctl, r);
        else if (run->lost) {
                fprintf(stderr, "lscctl claim: the claim ended (%s); %s was stopped\n",
                        run->lost, ctl->run_argv[0]);
                r = LSCCTL_EXIT_DAEMON;
        } else {
                claim_release(run);
                r = run->status;
        }
        /* The proxy's callbacks are the client's: free it first. */
        ctl->client = lsc_client_free(ctl->client);
        proxy_free(proxy);
        if (sfd >= 0)
                close(sfd);
        return r;
}

int lscctl_claim_run(struct lscctl *ctl, int argc, char **argv)
{
        struct claim_run run = { .ctl = ctl, .next_ping = -1 };
        cJSON *servos;
        int r = lscctl_servos_json(ctl, argv, argc, &servos);

        if (r)
                return r;
        if (ctl->opt.timeout_ms >= 0 && !ctl->opt.wait) {
                cJSON_Delete(servos);
                return lscctl_usage_error(ctl, "--timeout goes with --wait");
        }
        r = lscctl_connect(ctl);
        if (r == 0)
                r = claim_hello(ctl);
        if (r) {
                cJSON_Delete(servos);
                return r;
        }
        r = claim_take(ctl, servos, &run);
        if (r)
                return r;
        if (ctl->opt.lease_ms)
                run.next_ping = clock_msec();
        return claim_run_command(&run);
}

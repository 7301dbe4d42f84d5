/* SPDX-License-Identifier: MIT */
/*
 * loadgen.c: many lscd clients from one process, for bench/ (not installed).
 * A python client spends more time in its own loop than lscd takes to answer,
 * so request rates with 64 clients and fan-out to 1,000 subscribers are
 * measured from here; the python scripts in bench/ drive it and do the
 * arithmetic.
 *
 *   loadgen rate SOCKET CLIENTS SECONDS DEPTH REQUEST
 *       Each client keeps DEPTH copies of REQUEST (a JSON line without
 *       newline) in flight, sending another as soon as one is answered.
 *       Prints "answered N errors E seconds S": responses within the window.
 *   loadgen hold SOCKET CLIENTS [EVENT]
 *       Connect CLIENTS (subscribed to EVENT if given), print "ready", then
 *       follow commands on stdin: "arm" -> "armed"; once every client has
 *       received an event after the arm, print "times T1 T2 ..." (each
 *       client's CLOCK_MONOTONIC receive time, s). Exit at end of input.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define LOADGEN_BUF 8192
#define LOADGEN_EVENTS 256
#define LOADGEN_DRAIN_SEC 60.0

/* One connection. Invariant: buf[0..len) is the start of a line not yet
 * complete; got_event is meaningful only while the loadgen is armed. */
struct loadgen_client {
        int fd;
        size_t len;
        bool got_event;
        double event_time;
        char buf[LOADGEN_BUF];
};

/* Counts of lines by kind, as they complete. */
struct loadgen_counts {
        uint64_t ok, errors, events;
};

static double loadgen_now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int loadgen_send(int fd, const char *line)
{
        size_t len = strlen(line), off = 0;

        while (off < len) {
                ssize_t n = send(fd, line + off, len - off, MSG_NOSIGNAL);

                if (n < 0)
                        return -errno;
                off += (size_t)n;
        }
        return 0;
}

/* Read what is there and count the lines it completes; 0 at end of file. */
static ssize_t loadgen_read(struct loadgen_client *c, struct loadgen_counts *counts)
{
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
        char *line = c->buf, *nl;

        if (n <= 0)
                return n < 0 ? -errno : 0;
        c->len += (size_t)n;
        while ((nl = memchr(line, '\n', c->len - (size_t)(line - c->buf)))) {
                *nl = '\0';
                if (strstr(line, "\"event\":"))
                        counts->events++;
                else if (strstr(line, "\"ok\":true"))
                        counts->ok++;
                else
                        counts->errors++;
                line = nl + 1;
        }
        c->len -= (size_t)(line - c->buf);
        memmove(c->buf, line, c->len);
        if (c->len == sizeof(c->buf))
                return -EMSGSIZE;
        return n;
}

/* Whether a connection still works after a read that returned N; if not,
 * say why. */
static bool loadgen_alive(ssize_t n)
{
        if (n > 0)
                return true;
        fprintf(stderr, "loadgen: %s\n", n == 0 ? "lscd closed a connection"
                                                : strerror((int)-n));
        return false;
}

/* Read until COUNTS has one more line of any kind than now. */
static int loadgen_wait_line(struct loadgen_client *c, struct loadgen_counts *counts)
{
        uint64_t before = counts->ok + counts->errors + counts->events;

        while (counts->ok + counts->errors + counts->events == before) {
                ssize_t n = loadgen_read(c, counts);

                if (n <= 0)
                        return n < 0 ? (int)n : -ECONNRESET;
        }
        return 0;
}

/* Connect, read the hello, subscribe to EVENT when given. */
static int loadgen_connect(struct loadgen_client *c, const char *path, const char *event)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        struct loadgen_counts counts = { 0 };
        char subscribe[256];
        int r;

        if (strlen(path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, path);
        c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->fd < 0)
                return -errno;
        if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return -errno;
        r = loadgen_wait_line(c, &counts);
        if (r < 0 || !event)
                return r;
        snprintf(subscribe, sizeof(subscribe), "{\"cmd\":\"subscribe\",\"events\":[\"%s\"]}\n", event);
        r = loadgen_send(c->fd, subscribe);
        if (r == 0)
                r = loadgen_wait_line(c, &counts);
        return r < 0 ? r : counts.ok == 1 ? 0 : -EPROTO;
}

static struct loadgen_client *loadgen_clients(const char *path, size_t n, const char *event, int ep)
{
        struct loadgen_client *clients = calloc(n, sizeof(*clients));

        for (size_t i = 0; clients && i < n; i++) {
                struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &clients[i] };
                int r = loadgen_connect(&clients[i], path, event);

                if (r == 0 && epoll_ctl(ep, EPOLL_CTL_ADD, clients[i].fd, &ev) < 0)
                        r = -errno;
                if (r < 0) {
                        fprintf(stderr, "loadgen: client %zu of %zu: %s\n", i + 1, n, strerror(-r));
                        exit(EXIT_FAILURE);
                }
        }
        if (!clients) {
                fprintf(stderr, "loadgen: out of memory\n");
                exit(EXIT_FAILURE);
        }
        return clients;
}

/* Closed loop: every answer sends the next request until the window ends;
 * then wait for the answers still due (not counted). */
static int loadgen_rate(const char *path, size_t n, double seconds, long depth,
                        const char *request)
{
        int ep = epoll_create1(EPOLL_CLOEXEC);
        struct loadgen_client *clients = loadgen_clients(path, n, NULL, ep);
        struct epoll_event events[LOADGEN_EVENTS];
        struct loadgen_counts counts = { 0 }, in_window = { 0 };
        char line[4096];
        double start, end;
        uint64_t sent = 0;

        snprintf(line, sizeof(line), "%s\n", request);
        start = loadgen_now();
        end = start + seconds;
        for (size_t i = 0; i < n; i++)
                for (long d = 0; d < depth; d++, sent++)
                        if (loadgen_send(clients[i].fd, line) < 0)
                                return EXIT_FAILURE;
        while (counts.ok + counts.errors < sent) {
                int k = epoll_wait(ep, events, LOADGEN_EVENTS, (int)(LOADGEN_DRAIN_SEC * 1000));
                double now = loadgen_now();

                if (k <= 0) {
                        fprintf(stderr, "loadgen: %s\n", k < 0 ? strerror(errno) : "no answer");
                        return EXIT_FAILURE;
                }
                for (int e = 0; e < k; e++) {
                        struct loadgen_client *c = events[e].data.ptr;
                        uint64_t before = counts.ok + counts.errors;

                        if (!loadgen_alive(loadgen_read(c, &counts)))
                                return EXIT_FAILURE;
                        if (now >= end)
                                continue;
                        in_window = counts;
                        for (; before < counts.ok + counts.errors; before++, sent++)
                                if (loadgen_send(c->fd, line) < 0)
                                        return EXIT_FAILURE;
                }
        }
        printf("answered %llu errors %llu seconds %.6f\n", (unsigned long long)in_window.ok,
               (unsigned long long)in_window.errors, seconds);
        return EXIT_SUCCESS;
}

/* After "arm": note each client's first event; print them once all came. */
static void loadgen_hold_read(struct loadgen_client *clients, size_t n, struct loadgen_client *c,
                              bool *armed, size_t *waiting)
{
        struct loadgen_counts counts = { 0 };
        double now = loadgen_now();

        if (!loadgen_alive(loadgen_read(c, &counts)))
                exit(EXIT_FAILURE);
        if (!*armed || !counts.events || c->got_event)
                return;
        c->got_event = true;
        c->event_time = now;
        if (--*waiting > 0)
                return;
        *armed = false;
        printf("times");
        for (size_t i = 0; i < n; i++)
                printf(" %.6f", clients[i].event_time);
        printf("\n");
        fflush(stdout);
}

static int loadgen_hold(const char *path, size_t n, const char *event)
{
        int ep = epoll_create1(EPOLL_CLOEXEC);
        struct loadgen_client *clients = loadgen_clients(path, n, event, ep);
        struct epoll_event in = { .events = EPOLLIN, .data.ptr = NULL }, events[LOADGEN_EVENTS];
        bool armed = false;
        size_t waiting = 0;
        char command[64];

        if (epoll_ctl(ep, EPOLL_CTL_ADD, STDIN_FILENO, &in) < 0)
                return EXIT_FAILURE;
        printf("ready\n");
        fflush(stdout);
        for (;;) {
                int k = epoll_wait(ep, events, LOADGEN_EVENTS, -1);

                for (int e = 0; e < k; e++) {
                        if (events[e].data.ptr) {
                                loadgen_hold_read(clients, n, events[e].data.ptr, &armed, &waiting);
                                continue;
                        }
                        if (!fgets(command, sizeof(command), stdin))
                                return EXIT_SUCCESS;
                        for (size_t i = 0; i < n; i++)
                                clients[i].got_event = false;
                        armed = true;
                        waiting = n;
                        printf("armed\n");
                        fflush(stdout);
                }
        }
}

int main(int argc, char **argv)
{
        long clients = argc > 3 ? strtol(argv[3], NULL, 10) : 0;
        long depth = argc > 5 ? strtol(argv[5], NULL, 10) : 0;

        /* stdin is line-driven in hold mode: no stdio read-ahead across lines. */
        setvbuf(stdin, NULL, _IONBF, 0);
        if (clients > 0 && depth > 0 && argc == 7 && strcmp(argv[1], "rate") == 0)
                return loadgen_rate(argv[2], (size_t)clients, strtod(argv[4], NULL), depth,
                                    argv[6]);
        if (clients > 0 && (argc == 4 || argc == 5) && strcmp(argv[1], "hold") == 0)
                return loadgen_hold(argv[2], (size_t)clients, argc == 5 ? argv[4] : NULL);
        fprintf(stderr, "usage: loadgen rate SOCKET CLIENTS SECONDS DEPTH REQUEST\n"
                        "       loadgen hold SOCKET CLIENTS [EVENT]\n");
        return 2;
}

/* SPDX-License-Identifier: MIT */
/* sim-control.c: the control socket: listening, clients, lines, replies. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "linebuf.h"
#include "list.h"
#include "mem.h"
#include "sim-control.h"

#define CONTROL_OUT_MAX (16 * (SIM_CONTROL_REPLY_MAX + 1))

/* What a connection still does. */
enum client_state {
        CLIENT_OPEN,            /* its lines are read and executed */
        CLIENT_REFUSED,         /* a line was too long: input is dropped; once
                                 * out is sent our side is shut down, and the
                                 * client closed at the peer's end of file */
        CLIENT_DONE,            /* the peer has finished: closed once out is sent */
};

/*
 * One connection. Invariants: in holds no complete line; out[0..out_len)
 * is what the peer has not taken yet and EPOLLOUT is watched only while it is
 * non-empty; EPOLLIN is watched unless the state is CLIENT_DONE. dead: the
 * client must go (write error, or it let CONTROL_OUT_MAX pile up without
 * reading). A client is freed only by client_flush(), the last step of its
 * callback, never while its lines are being run.
 */
struct control_client {
        struct sim_control *control;
        struct control_client *prev, *next;
        int fd;
        sd_event_source *io;
        enum client_state state;
        bool dead;
        struct linebuf in;
        size_t out_len;
        char out[CONTROL_OUT_MAX];
};

/* The listening socket and its clients (a doubly linked list). */
struct sim_control {
        sd_event *event;
        char *path;
        int fd;
        sd_event_source *listen;
        sim_control_line_fn fn;
        void *userdata;
        struct control_client *clients;
};

static void client_free(struct control_client *cl)
{
        struct sim_control *c = cl->control;

        LIST_REMOVE(c->clients, cl, prev, next);
        sd_event_source_disable_unref(cl->io);
        close(cl->fd);
        linebuf_done(&cl->in);
        free(cl);
}

/* Send what we can, then free the client if it is finished. */
static void client_flush(struct control_client *cl)
{
        ssize_t n = 0;

        if (!cl->dead && cl->out_len) {
                n = send(cl->fd, cl->out, cl->out_len, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0 && errno != EAGAIN && errno != EINTR)
                        cl->dead = true;
        }
        if (n > 0) {
                cl->out_len -= (size_t)n;
                memmove(cl->out, cl->out + n, cl->out_len);
        }
        if (cl->dead || (cl->state == CLIENT_DONE && cl->out_len == 0)) {
                client_free(cl);
                return;
        }
        if (cl->state == CLIENT_REFUSED && cl->out_len == 0)
                (void)shutdown(cl->fd, SHUT_WR);
        sd_event_source_set_io_events(cl->io, (cl->state != CLIENT_DONE ? EPOLLIN : 0) |
                                              (cl->out_len ? EPOLLOUT : 0));
}

/* Queue one reply line. */
static void client_reply(struct control_client *cl, const char *reply)
{
        size_t n = strlen(reply);

        if (n + 1 > sizeof(cl->out) - cl->out_len) {
                cl->dead = true;
                return;
        }
        memcpy(cl->out + cl->out_len, reply, n);
        cl->out[cl->out_len + n] = '\n';
        cl->out_len += n + 1;
}

/* Run LINE, N bytes and a terminating NUL. A NUL inside would silently
 * cut the command short ("raw 55 55\0 02 07" sending two bytes): refused. */
static void client_execute(struct control_client *cl, char *line, size_t n)
{
        char reply[SIM_CONTROL_REPLY_MAX + 1];

        if (memchr(line, '\0', n)) {
                client_reply(cl, "error NUL byte in the command");
                return;
        }
        if (n > 0 && line[n - 1] == '\r')
                line[n - 1] = '\0';
        cl->control->fn(cl->control->userdata, line, reply, sizeof(reply));
        client_reply(cl, reply);
}

/* Run every complete line in the input buffer; refuse a line too long. */
static void client_lines(struct control_client *cl)
{
        char *line;
        size_t n;
        int r;

        while ((r = linebuf_take(&cl->in, &line, &n)) > 0)
                client_execute(cl, line, n);
        if (r < 0) {
                client_reply(cl, "error line too long");
                cl->state = CLIENT_REFUSED;
        }
}

/* After a refusal: read and drop until the peer's end of file. */
static void client_drop_input(struct control_client *cl)
{
        char sink[SIM_CONTROL_LINE_MAX];
        ssize_t n = recv(cl->fd, sink, sizeof(sink), 0);

        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
                cl->state = CLIENT_DONE;
}

static void client_read(struct control_client *cl)
{
        char *space;
        size_t room = linebuf_space(&cl->in, &space);
        ssize_t n;

        if (room == 0)          /* the buffer could not grow */
                mem_oom();
        n = recv(cl->fd, space, room, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n <= 0) {
                /* End of file: a last line without its newline still counts. */
                linebuf_end(&cl->in);
                cl->state = CLIENT_DONE;
        } else
                linebuf_commit(&cl->in, (size_t)n);
        client_lines(cl);
}

static int client_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct control_client *cl = userdata;

        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                if (cl->state == CLIENT_OPEN)
                        client_read(cl);
                else if (cl->state == CLIENT_REFUSED)
                        client_drop_input(cl);
        }
        client_flush(cl);
        return 0;
}

static int control_on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct sim_control *c = userdata;
        struct control_client *cl;
        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (cfd < 0)
                return 0;
        cl = mem_new0(struct control_client);
        if (sd_event_add_io(c->event, &cl->io, cfd, EPOLLIN, client_on_io, cl) < 0) {
                free(cl);
                close(cfd);
                return 0;
        }
        (void)linebuf_init(&cl->in, SIM_CONTROL_LINE_MAX - 1);
        cl->control = c;
        cl->fd = cfd;
        LIST_PREPEND(c->clients, cl, prev, next);
        return 0;
}

/* Remove a stale socket left at path; refuse to replace anything else. */
static int control_clear(const char *path)
{
        struct stat st;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISSOCK(st.st_mode))
                return -EEXIST;
        return unlink(path) < 0 ? -errno : 0;
}

static int control_listen(struct sim_control *c)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int fd, r;

        if (strlen(c->path) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, c->path);
        r = control_clear(c->path);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                r = -errno;
                close(fd);
                return r;
        }
        c->fd = fd;     /* bound: sim_control_free() removes the path */
        if (listen(fd, 16) < 0)
                return -errno;
        return sd_event_add_io(c->event, &c->listen, c->fd, EPOLLIN, control_on_accept, c);
}

int sim_control_new(struct sim_control **ret, sd_event *event, const char *path,
                    sim_control_line_fn fn, void *userdata)
{
        struct sim_control *c = mem_new0(struct sim_control);
        int r;

        c->event = sd_event_ref(event);
        c->fn = fn;
        c->userdata = userdata;
        c->fd = -1;
        c->path = mem_strdup(path);
        r = control_listen(c);
        if (r < 0) {
                sim_control_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

struct sim_control *sim_control_free(struct sim_control *c)
{
        if (!c)
                return NULL;
        while (c->clients)
                client_free(c->clients);
        sd_event_source_disable_unref(c->listen);
        if (c->fd >= 0) {
                close(c->fd);
                (void)unlink(c->path);
        }
        sd_event_unref(c->event);
        free(c->path);
        free(c);
        return NULL;
}

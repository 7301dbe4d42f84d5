/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "mem.h"
#include "server.h"

#define SERVER_RETRY_USEC 1000000 /* accept again this soon while out of fds */

/* Invariants: path is set iff lscd created the socket file (and removes
 * it); exhausted is true from a failed accept for lack of file descriptors
 * until one finds the backlog empty (io is disabled meanwhile, resumed each
 * time a client is freed, and by the retry timer, which runs only then:
 * the shortage may be the system's, with no client of ours to leave). */
struct server {
        server_accept_fn on_accept;
        void *userdata;
        int fd;
        sd_event_source *io;
        sd_event_source *retry;
        char *path;
        bool exhausted;
};

/* Out of file descriptors: the connection stays in the backlog, and
 * retrying now would spin, so accepting waits until a client leaves or a
 * second has passed. The warning is given once per shortage, not at every
 * pause in it. */
static void server_pause(struct server *server, int error)
{
        if (!server->exhausted)
                log_warning_errno(error, "Cannot accept a client; pausing until one disconnects");
        else
                log_debug("Still out of file descriptors; accepting paused again");
        server->exhausted = true;
        sd_event_source_set_enabled(server->io, SD_EVENT_OFF);
        sd_event_source_set_time_relative(server->retry, SERVER_RETRY_USEC);
        sd_event_source_set_enabled(server->retry, SD_EVENT_ONESHOT);
}

static int server_on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
        server_resume(userdata);
        return 0;
}

static int server_on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct server *server = userdata;

        for (;;) {
                int client = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

                if (client < 0) {
                        if (errno == EMFILE || errno == ENFILE)
                                server_pause(server, errno);
                        else if (errno == EAGAIN)
                                server->exhausted = false;
                        else if (errno != EINTR && errno != ECONNABORTED)
                                log_error_errno(errno, "accept() failed");
                        return 0;
                }
                server->on_accept(server->userdata, client);
        }
}

/* The descriptor systemd passed for this server: the one named
 * SERVER_OBSERVE_NAME (FileDescriptorName=) for the observe socket, the
 * only other one for the main socket. 0 when none, <0 on error. */
static int server_passed(bool observe)
{
        char **names = NULL;
        int n = sd_listen_fds_with_names(false, &names), fd = 0;

        for (int i = 0; i < n; i++) {
                if ((strcmp(names[i], SERVER_OBSERVE_NAME) == 0) != observe)
                        continue;
                if (fd > 0)
                        fd = log_error_errno(EINVAL, "systemd passed more than one %s socket",
                                             observe ? "observe" : "main");
                else if (fd == 0)
                        fd = SD_LISTEN_FDS_START + i;
        }
        for (int i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return fd;
}

bool server_observe_passed(void)
{
        return server_passed(true) > 0;
}

/* The socket passed by systemd: 1 when there is one, 0 when none, <0. */
static int server_from_systemd(struct server *s, bool observe)
{
        int fd = server_passed(observe), r;

        if (fd <= 0)
                return fd;
        r = sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0);
        if (r < 0)
                return log_error_errno(r, "Cannot check the socket passed by systemd");
        if (r == 0)
                return log_error_errno(EINVAL, "The socket passed by systemd is not a listening "
                                       "Unix stream socket");
        s->fd = fd;
        /* systemd-socket-activate passes a blocking socket: the accept loop
         * must not block. */
        if (fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK) < 0)
                return log_error_errno(errno, "Cannot make the passed socket non-blocking");
        return 1;
}

static int server_make_parent(const char *path)
{
        char *copy = mem_strdup(path);
        int r = 0;

        if (mkdir(dirname(copy), 0755) < 0 && errno != EEXIST)
                r = log_error_errno(errno, "Cannot create the directory of %s", path);
        free(copy);
        return r;
}

/* Remove a socket file nobody listens on any more (connecting is refused);
 * refuse a live one, even with a full backlog (the connection would block),
 * and any other socket, such as another program's datagram socket. */
static int server_remove_stale(const struct sockaddr_un *addr)
{
        struct stat st;
        int fd, r;

        if (lstat(addr->sun_path, &st) < 0)
                return errno == ENOENT ? 0 : log_error_errno(errno, "Cannot stat %s", addr->sun_path);
        if (!S_ISSOCK(st.st_mode))
                return log_error_errno(EEXIST, "%s exists and is not a socket", addr->sun_path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_error_errno(errno, "socket() failed");
        r = connect(fd, (const struct sockaddr *) addr, sizeof(*addr)) < 0 ? -errno : 0;
        close(fd);
        if (r == 0 || r == -EAGAIN)
                return log_error_errno(EADDRINUSE, "Another lscd is listening on %s", addr->sun_path);
        if (r != -ECONNREFUSED && r != -ENOENT)
                return log_error_errno(r, "Cannot tell whether %s is in use; not removing it",
                                       addr->sun_path);
        log_info("Removing the stale socket %s", addr->sun_path);
        if (unlink(addr->sun_path) < 0 && errno != ENOENT)
                return log_error_errno(errno, "Cannot remove %s", addr->sun_path);
        return 0;
}

/* The gid of NAME, a group name or a number. */
static int server_group(const char *name, gid_t *ret)
{
        struct group *g;
        char *end;
        unsigned long gid;

        errno = 0;
        gid = strtoul(name, &end, 10);
        if (!errno && end != name && *end == '\0' && gid < (gid_t) -1) {
                *ret = (gid_t) gid;
                return 0;
        }
        g = getgrnam(name);
        if (!g)
                return log_error_errno(ENOENT, "Unknown group %s (--socket-group)", name);
        *ret = g->gr_gid;
        return 0;
}

static int server_set_access(const char *path, const struct server_config *o)
{
        gid_t gid = (gid_t) -1;
        int r;

        if (o->group) {
                r = server_group(o->group, &gid);
                if (r < 0)
                        return r;
                if (chown(path, (uid_t) -1, gid) < 0)
                        return log_error_errno(errno, "Cannot give %s to group %s", path,
                                               o->group);
        }
        if (chmod(path, o->mode) < 0)
                return log_error_errno(errno, "Cannot set the mode of %s", path);
        return 0;
}

static int server_bind(struct server *s, const struct server_config *o)
{
        struct sockaddr_un addr = { .sun_family = AF_UNIX };
        int r;

        if (strlen(o->path) >= sizeof(addr.sun_path))
                return log_error_errno(ENAMETOOLONG, "Socket path %s is too long", o->path);
        strcpy(addr.sun_path, o->path);
        r = server_make_parent(o->path);
        if (r >= 0)
                r = server_remove_stale(&addr);
        if (r < 0)
                return r;
        s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s->fd < 0)
                return log_error_errno(errno, "socket() failed");
        if (bind(s->fd, (const struct sockaddr *) &addr, sizeof(addr)) < 0)
                return log_error_errno(errno, "Cannot bind %s", o->path);
        s->path = mem_strdup(o->path);
        r = server_set_access(s->path, o);
        if (r < 0)
                return r;
        if (listen(s->fd, SOMAXCONN) < 0)
                return log_error_errno(errno, "Cannot listen on %s", o->path);
        return 0;
}

int server_new(struct server **ret, sd_event *event, const struct server_config *config,
               server_accept_fn on_accept, void *userdata)
{
        struct server *s = mem_new0(struct server);
        int r;

        s->on_accept = on_accept;
        s->userdata = userdata;
        s->fd = -1;
        r = server_from_systemd(s, config->observe);
        if (r == 0 && config->path)
                r = server_bind(s, config);
        else if (r == 0)
                r = log_error_errno(ENOENT, "No observe socket was passed by systemd");
        else if (r > 0)
                log_info("Using the %s socket passed by systemd", config->observe ? "observe" : "main");
        if (r >= 0)
                r = sd_event_add_io(event, &s->io, s->fd, EPOLLIN, server_on_accept, s);
        if (r >= 0)
                r = sd_event_add_time_relative(event, &s->retry, CLOCK_MONOTONIC,
                                               SERVER_RETRY_USEC, 0, server_on_retry, s);
        if (r >= 0)
                r = sd_event_source_set_enabled(s->retry, SD_EVENT_OFF);
        if (r < 0) {
                server_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

struct server *server_free(struct server *s)
{
        if (!s)
                return NULL;
        sd_event_source_disable_unref(s->io);
        sd_event_source_disable_unref(s->retry);
        if (s->fd >= 0)
                close(s->fd);
        if (s->path)
                unlink(s->path);
        free(s->path);
        free(s);
        return NULL;
}

void server_resume(struct server *s)
{
        sd_event_source_set_enabled(s->io, SD_EVENT_ON);
}

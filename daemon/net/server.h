/* SPDX-License-Identifier: MIT */
/*
 * server.h: the listening Unix socket. Taken from systemd when socket
 * activated (sd_listen_fds, checked with sd_is_socket_unix), else created:
 * the parent directory is made (0755) when missing, a stale socket left by
 * a dead lscd is removed (a live one is refused), and --socket-mode and
 * --socket-group are applied. New connections go to the accept callback.
 */
#ifndef LSCD_SERVER_H
#define LSCD_SERVER_H

#include <stdbool.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

struct server;

/* FileDescriptorName= of the observe socket's unit. */
#define SERVER_OBSERVE_NAME "observe"

struct server_config {
        const char *path;       /* NULL: only a socket systemd passes */
        mode_t mode;
        const char *group;      /* NULL: the process's group */
        bool observe;           /* the observe socket (reading only) */
};

/* Called with each accepted connection's descriptor, which it takes. */
typedef void (*server_accept_fn)(void *userdata, int fd);

int server_new(struct server **ret, sd_event *event, const struct server_config *config,
               server_accept_fn on_accept, void *userdata);
/* Stops listening; removes the socket file when lscd created it. */
struct server *server_free(struct server *s);

/* Whether systemd passed an observe socket. */
bool server_observe_passed(void);

/* Accept again after running out of file descriptors paused it. */
void server_resume(struct server *s);

#endif

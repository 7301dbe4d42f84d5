/* SPDX-License-Identifier: MIT */
/*
 * server.h: the listening Unix socket. Taken from systemd when socket
 * activated (sd_listen_fds, checked with sd_is_socket_unix), else created:
 * the parent directory is made (0755) when missing, a stale socket left by
 * a dead lscd is removed (a live one is refused), and --socket-mode and
 * --socket-group are applied. New connections go to manager_add_client().
 */
#ifndef LSCD_SERVER_H
#define LSCD_SERVER_H

struct manager;
struct server;

int server_new(struct server **ret, struct manager *m);
/* Stops listening; removes the socket file when lscd created it. */
struct server *server_free(struct server *s);

/* Accept again after running out of file descriptors paused it. */
void server_resume(struct server *s);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * lscctl-proxy.h: the private socket of "lscctl claim". A claim belongs to
 * a connection, so the command that claim runs reaches lscd through claim's
 * own connection: its programs connect to this socket ($LSCD_SOCKET in
 * their environment), which speaks lscd's protocol and forwards each
 * request over the claiming connection, answers go back to the program that
 * asked, events to those that subscribed.
 */
#ifndef LSCCTL_PROXY_H
#define LSCCTL_PROXY_H

#include <poll.h>

#include "lsc/client.h"

struct proxy;

/* Listen on a new socket in a directory only this user may enter, and
 * forward to upstream (not owned). Its events are the proxy's to take:
 * each is shown to watch (may be NULL) before it goes to the programs.
 * Returns 0 with *ret, or a negative errno. */
int proxy_new(struct lsc_client *upstream, void (*watch)(void *userdata, const cJSON *event),
              void *userdata, struct proxy **ret);
/* Close every connection and remove the socket and its directory.
 * Accepts NULL; returns NULL. Free upstream first: its callbacks must not
 * outlive the proxy. */
struct proxy *proxy_free(struct proxy *p);
const char *proxy_path(const struct proxy *p);
/* Fill at most max pollfds (the listening socket, then each connection);
 * returns how many. */
int proxy_pollfds(const struct proxy *p, struct pollfd *fds, int max);
/* Handle what poll() reported in fds (as proxy_pollfds() filled them) and
 * pass upstream's queued events on. Returns 0 or a negative errno of the
 * listening socket. */
int proxy_process(struct proxy *p, const struct pollfd *fds, int n);
/* The most pollfds proxy_pollfds() fills. */
#define PROXY_POLLFDS_MAX 65

#endif

/* SPDX-License-Identifier: MIT */
/*
 * sim-control.h: the control socket. A Unix stream socket; each client sends
 * one text command per line and gets one reply line per command. What the
 * commands mean is up to the line callback (sim-cmd.c).
 */
#ifndef LSC_SIM_CONTROL_H
#define LSC_SIM_CONTROL_H

#include <stddef.h>
#include <systemd/sd-event.h>

#define SIM_CONTROL_LINE_MAX  1024      /* a command line, newline included, is shorter */
#define SIM_CONTROL_REPLY_MAX 8192      /* a reply line, newline excluded */

struct sim_control;

/* Handle LINE (no newline); write a NUL-terminated reply of at most SIZE
 * bytes, "ok ..." or "error <message>". */
typedef void (*sim_control_line_fn)(void *userdata, char *line, char *reply, size_t size);

/* Listen on PATH (a stale socket there is replaced; anything else is an
 * error: -EEXIST). */
int sim_control_new(struct sim_control **ret, sd_event *event, const char *path,
                    sim_control_line_fn fn, void *userdata);
/* Closes every client, removes the socket; accepts NULL, returns NULL. */
struct sim_control *sim_control_free(struct sim_control *c);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * sim-pty.h: the simulated serial line. A pseudo-terminal in raw 8N1 at the
 * configured baud, published through a symlink, read at the pace of the wire
 * (10 bit times per byte), written through a bounded output queue. It can be
 * unplugged (master closed, link removed) and plugged in again (a new pty
 * behind the same link).
 */
#ifndef LSC_SIM_PTY_H
#define LSC_SIM_PTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#define SIM_PTY_OUT_MAX 65536   /* bytes queued for the host at most */

struct sim_pty;

/* Bytes that arrived from the host (n may be 0); byte i's last bit arrived
 * at arrival_us[i] (CLOCK_MONOTONIC). idle: the host has sent nothing more,
 * the line is quiet after these bytes. */
typedef void (*sim_pty_input_fn)(void *userdata, const uint8_t *buf, size_t n,
                                 const uint64_t *arrival_us, bool idle);

/* Whether BAUD is a rate the tty layer can be set to. */

/* A line for LINK at BAUD, unplugged until sim_pty_plug(). */
int sim_pty_new(struct sim_pty **ret, sd_event *event, const char *link, unsigned baud,
                sim_pty_input_fn input, void *userdata);
/* Unplugs (removing the link) and frees; accepts NULL, returns NULL. */
struct sim_pty *sim_pty_free(struct sim_pty *p);

/* Open a new pty and point the link at it. -EALREADY when plugged. */
int sim_pty_plug(struct sim_pty *p);
/* Close the pty and remove the link; queued output is lost. -ENOTCONN when
 * not plugged. */
int sim_pty_unplug(struct sim_pty *p);
bool sim_pty_plugged(const struct sim_pty *p);
const char *sim_pty_link(const struct sim_pty *p);
/* "/dev/pts/N" of the current pty, or "" when unplugged. */
const char *sim_pty_name(const struct sim_pty *p);

/* Queue bytes for the host. 0, -ENOTCONN (unplugged) or -ENOBUFS (the
 * queue would exceed SIM_PTY_OUT_MAX: nothing is queued). */
int sim_pty_write(struct sim_pty *p, const uint8_t *buf, size_t n);

#endif

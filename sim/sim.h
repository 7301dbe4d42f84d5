/* SPDX-License-Identifier: MIT */
/*
 * sim.h: the simulator's manager. It owns the sd-event loop and every
 * source, and ties the line (sim-pty), the board (sim-board), the control
 * socket (sim-control, sim-cmd) and the log (sim-log) together.
 */
#ifndef LSC_SIM_H
#define LSC_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include <lsc/frame.h>

#include "sim-board.h"
#include "sim-log.h"

#define SIM_GARBAGE_MAX 4096    /* bytes per garbage burst at most */

struct sim_control;
struct sim_pty;

/* Everything the command line decides. board is the board at power-on:
 * its downloaded groups and battery settings. */
struct sim_config {
        const char *link;
        const char *log_path;
        const char *control_path;
        unsigned baud;
        unsigned garbage_ms;            /* 0: no periodic garbage */
        unsigned garbage_bytes;
        bool verbose;
        struct sim_board board;
};

/*
 * Invariants:
 *  - complete is armed exactly when board.deadline_us != SIM_NEVER, for that
 *    time (sim_sync_deadline() after every board change);
 *  - decoder holds only bytes from the current pty: it is reset at unplug;
 *  - discarded mirrors decoder.discarded up to the last "discard" log line;
 *    last_arrival is when the last byte from the host arrived;
 *  - garbage is NULL unless garbage_us > 0; it writes garbage_bytes every
 *    garbage_us while plugged.
 */
struct sim {
        sd_event *event;
        struct sim_log log;
        struct sim_board board;
        struct lsc_decoder decoder;
        uint64_t discarded;
        uint64_t last_arrival;
        struct sim_pty *pty;
        struct sim_control *control;
        sd_event_source *complete;
        sd_event_source *garbage;
        uint64_t garbage_us;
        unsigned garbage_bytes;
        uint64_t rng;
};

int sim_new(struct sim **ret, const struct sim_config *config);
struct sim *sim_free(struct sim *sim);
/* Print the readiness line and run until quit or SIGTERM/SIGINT. */
int sim_run(struct sim *sim);

uint64_t sim_now(struct sim *sim);
/* A CLOCK_MONOTONIC time on the wall clock (CLOCK_REALTIME, the clock of
 * lscd's event timestamps), through this loop iteration's readings of both. */
uint64_t sim_realtime(struct sim *sim, uint64_t mono_us);
/* Carry out what the board decided; t_us is when its input arrived.
 * Returns 0 or the negative errno of writing to the line. */
int sim_act(struct sim *sim, const struct sim_reply *r, uint64_t t_us);
/* Write bytes to the line and log them as KIND ("tx-raw", ...). */
int sim_send(struct sim *sim, const char *kind, const uint8_t *bytes, size_t n);
/* Write n random bytes, none of them 0x55, logged as "tx-garbage". */
int sim_garbage(struct sim *sim, size_t n);
int sim_unplug(struct sim *sim);
int sim_replug(struct sim *sim);
/* Re-arm the completion timer after the board changed. */
void sim_sync_deadline(struct sim *sim);
void sim_quit(struct sim *sim);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * sim-log.h: the simulator's event log, read by tests. One line per event,
 * "<seconds.micro> <kind> [<details>]", CLOCK_MONOTONIC time, appended and
 * flushed line by line; a copy goes to stderr with --verbose.
 */
#ifndef LSC_SIM_LOG_H
#define LSC_SIM_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Invariant: file is NULL (no --log) or an open, line-buffered stream. */
struct sim_log {
        FILE *file;
        bool verbose;
};

/* Open PATH for appending (NULL: no log file). Returns 0 or -errno. */
int sim_log_open(struct sim_log *log, const char *path, bool verbose);
void sim_log_close(struct sim_log *log);

void sim_log_line(struct sim_log *log, uint64_t t_us, const char *kind,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* "<t> <kind> 55 55 02 07": bytes as uppercase hex, space separated. */
void sim_log_bytes(struct sim_log *log, uint64_t t_us, const char *kind,
                   const uint8_t *bytes, size_t n);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * options.h: lscd's configuration, from its command line (main.c).
 */
#ifndef LSCD_OPTIONS_H
#define LSCD_OPTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ports.h"

#define OPTIONS_MAX_USB_IDS 16

/* Invariant: every field holds a valid value once main.c has parsed the
 * command line; usb_ids holds n_usb_ids >= 1 entries. */
struct options {
        const char *device;             /* a path, or "auto" */
        unsigned baud;
        const char *socket_path;
        mode_t socket_mode;
        const char *socket_group;       /* NULL: the process's group */
        const char *observe_path;       /* --observe-socket, NULL: none */
        const char *lock_dir;           /* where the device's lock file is (lock.c) */
        const char *robot_path;         /* the robot file (may not exist) */
        const char *state_path;         /* state kept across restarts */
        const char *sequence_dir;       /* sequence files, read only */
        const char *record_dir;         /* recorded sequences */
        const char *check_config;       /* --check-config: check this file and exit */
        uint64_t battery_timeout_usec;
        int realtime_priority;          /* --realtime, 0: not asked for */
        unsigned max_clients;
        size_t max_client_output;       /* bytes queued per client */
        size_t n_usb_ids;
        struct ports_id usb_ids[OPTIONS_MAX_USB_IDS];
};

#endif

/* SPDX-License-Identifier: MIT */
/*
 * device.h: the port behind lscd's --device. A path is opened as it is.
 * "auto" lists the serial ports in ports_list()'s order (USB ports by bus
 * and port path: where they are plugged in), keeps the candidates, those
 * whose USB id is in the --usb-id list, and opens the first candidate that
 * opens. What was found stays in a struct device_choice, for the messages
 * that say what was chosen and why, or why nothing was; device.c formats
 * them, the manager decides when to log them.
 */
#ifndef LSCD_DEVICE_H
#define LSCD_DEVICE_H

#include <stddef.h>

#include "ports.h"

struct serial;

enum device_reason {
        DEVICE_NONE,            /* auto: none opened */
        DEVICE_GIVEN,           /* --device named a path */
        DEVICE_ONLY,            /* auto: the only candidate */
        DEVICE_FIRST,           /* auto: the first of several that opened */
};

/* Invariants: requested is --device and outlives the choice; ports holds
 * the n_ports ports listed (auto only) in ports_list() order and errors[i]
 * what opening ports[i] returned (0: not tried, or opened); path is the
 * port opened, or the one whose error device_open() returned, or NULL
 * when auto found no candidate; chosen indexes path's entry in ports
 * (auto, opened). */
struct device_choice {
        const char *requested;
        const struct ports_id *ids;
        size_t n_ids;
        enum device_reason reason;
        const char *path;
        struct ports_entry *ports;
        size_t n_ports;
        int *errors;
        size_t chosen;
        size_t n_candidates;
};

/* Open the port REQUESTED names at BAUD into *port, filling *c (to be
 * cleared with device_choice_clear() whatever the result). Returns 0, or a
 * negative errno: -ENODEV when auto found no candidate, else the error of
 * the first candidate (auto) or of the path, as serial_open() gives it. */
int device_open(struct device_choice *c, struct serial **port, const char *requested,
                unsigned baud, const struct ports_id *ids, size_t n_ids);
void device_choice_clear(struct device_choice *c);

/* Log what was opened: its USB identity, and for auto why this port. With
 * several candidates that is a warning naming the others and how to pin
 * the board's port (a /dev/serial/by-id or by-path link to it). */
void device_log_chosen(const struct device_choice *c, const struct serial *port);

/* Why device_open() failed with ERROR, as one line ending in "; waiting"
 * (allocated). The same state gives the same text. */
char *device_failure(const struct device_choice *c, int error);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * device.h: the port behind lscd's --device. A path is opened as it is.
 * "auto" lists the serial ports in ports_list()'s order (USB ports by bus
 * and port path: where they are plugged in), keeps the candidates, those
 * whose USB id is in the --usb-id list, and opens the first candidate that
 * opens. The candidates it passed over are remembered: they are not the
 * board, so after the board is lost auto waits for it rather than take
 * one of them, until device_forget() (SIGUSR1). What one attempt found
 * stays in a struct device_choice, for the messages that say what was
 * chosen and why, or why nothing was; device.c formats them, the manager
 * decides when to log them.
 */
#ifndef LSCD_DEVICE_H
#define LSCD_DEVICE_H

#include <stdbool.h>
#include <stddef.h>

#include "ports.h"

struct serial;

/* What --device asks for, and what auto keeps between its choices.
 * Invariant: passed holds n_passed distinct identities (ports_usb_equal),
 * each of a candidate passed over by a choice since the last
 * device_forget(). requested and ids outlive the struct. */
struct device {
        const char *requested;          /* a path, or "auto" */
        unsigned baud;
        const struct ports_id *ids;
        size_t n_ids;
        struct ports_usb **passed;
        size_t n_passed;
};

/* Forget the candidates passed over: the next choice is made afresh. */
void device_forget(struct device *d);

enum device_reason {
        DEVICE_NONE,            /* auto: none opened */
        DEVICE_GIVEN,           /* --device named a path */
        DEVICE_ONLY,            /* auto: the only candidate */
        DEVICE_FIRST,           /* auto: the first of several that opened */
};

/* One port listed by auto: what opening it returned (0: not tried, or
 * opened), or set aside without trying, passed over before. */
struct device_try {
        int error;
        bool set_aside;
};

/* What one device_open() found. Invariants: ports holds the n_ports ports
 * listed (auto only) in ports_list() order, tries[i] is about ports[i];
 * n_candidates counts the ports with a known id not set aside; path is the
 * port opened, or the one whose error device_open() returned, or NULL when
 * auto found no candidate; chosen indexes path's entry in ports (auto,
 * opened). */
struct device_choice {
        const struct device *device;
        enum device_reason reason;
        const char *path;
        struct ports_entry *ports;
        size_t n_ports;
        struct device_try *tries;
        size_t chosen;
        size_t n_candidates;
};

/* Open the port D names into *port, filling *c (to be cleared with
 * device_choice_clear() whatever the result); a choice among several adds
 * the others to D's passed. Returns 0, or a negative errno: -ENODEV when
 * auto found no candidate, else the error of the first candidate (auto)
 * or of the path, as serial_open() gives it. */
int device_open(struct device *d, struct device_choice *c, struct serial **port);
void device_choice_clear(struct device_choice *c);

/* Log what was opened: its USB identity, and for auto why this port. With
 * several candidates that is a warning naming the others and how to name
 * the board's port instead (a /dev/serial/by-id or by-path link to it). */
void device_log_chosen(const struct device_choice *c, const struct serial *port);

/* Why device_open() failed with ERROR, as one line ending in "; waiting"
 * (allocated). The same state gives the same text. */
char *device_failure(const struct device_choice *c, int error);

#endif

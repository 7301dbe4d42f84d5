/* SPDX-License-Identifier: MIT */
/*
 * serial.h: the board's serial port. Opening (libserialport for real ports,
 * plain termios for pseudo-terminals, which libserialport 0.1.1 refuses),
 * the exclusive lock (flock + TIOCEXCL), raw 8N1 line settings without flow
 * control, and non-blocking reads and writes. It knows nothing of frames,
 * JSON or the event loop: the manager watches serial_fd().
 */
#ifndef LSCD_SERIAL_H
#define LSCD_SERIAL_H

#include <stddef.h>
#include <sys/types.h>

#include "ports.h"

struct serial;

/* Open DEVICE (a path, or "auto": the first port whose USB VID:PID is in
 * IDS) at BAUD. Returns 0, or a negative errno:
 *   -ENOENT   the path does not exist
 *   -ENODEV   "auto" found no port with a known id
 *   -EBUSY    another program holds the port (flock or TIOCEXCL)
 *   -EINVAL   BAUD is not supported
 *   other     from open(2), libserialport or termios.
 * serial_error() on *ret is not available on failure, so callers log with
 * DEVICE; serial_open() itself never logs. */
int serial_open(struct serial **ret, const char *device, unsigned baud,
                const struct ports_id *ids, size_t n_ids);
struct serial *serial_free(struct serial *s);

int serial_fd(const struct serial *s);
/* The path that was opened (resolved from "auto"; symlinks kept as given). */
const char *serial_path(const struct serial *s);
unsigned serial_baud(const struct serial *s);
/* USB identity when libserialport knows it, else NULL (ptys, native UARTs). */
const struct ports_usb *serial_usb(const struct serial *s);

/* Non-blocking I/O: bytes moved, -EAGAIN, or another negative errno.
 * serial_read() returns -EPIPE on end of file (the device went away). */
ssize_t serial_read(struct serial *s, void *buf, size_t size);
ssize_t serial_write(struct serial *s, const void *buf, size_t size);

/* Bytes still in the kernel's transmit buffer (TIOCOUTQ), or -ENOTSUP
 * when the driver does not report it (pseudo-terminals report 0 always,
 * so for them it returns -ENOTSUP too). */
int serial_outq(struct serial *s);

#endif

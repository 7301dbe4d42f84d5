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

/* Open the port at PATH at BAUD. What the node is decides how: a
 * pseudo-terminal (its major number) by open(2) and termios, any other
 * character device through libserialport. Its USB identity is looked up
 * by the name the kernel gives the node (PATH with symbolic links
 * resolved, such as /dev/ttyUSB0) whichever way it is opened, so that a
 * pty behind a USB port's name in /dev has that port's identity. Returns 0,
 * or a negative errno:
 *   -ENOENT   the path does not exist
 *   -ENOTTY   it is not a serial port
 *   -EBUSY    another program holds the port (flock or TIOCEXCL)
 *   -EINVAL   BAUD is not supported
 *   -EAGAIN   the node changed between its check and its opening
 *   other     from open(2), libserialport or termios.
 * serial_open() never logs: callers log with PATH. */
int serial_open(struct serial **ret, const char *path, unsigned baud);
struct serial *serial_free(struct serial *s);

int serial_fd(const struct serial *s);
/* The path that was opened, as given (symbolic links kept). */
const char *serial_path(const struct serial *s);
unsigned serial_baud(const struct serial *s);
/* USB identity when /sys has one for the port's name, else NULL (native
 * UARTs, ptys under their own name). */
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

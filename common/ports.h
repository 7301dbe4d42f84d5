/* SPDX-License-Identifier: MIT */
/*
 * ports.h: serial port enumeration through libserialport, USB identity, and
 * the list of USB-serial bridges that LSC boards carry. Used by lscd for
 * --device auto and by "lscctl ports", which list the ports in one order:
 * ports_compare().
 */
#ifndef LSCD_PORTS_H
#define LSCD_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

/* A USB vendor:product pair. */
struct ports_id {
        uint16_t vid;
        uint16_t pid;
};

/* The bridges LSC boards are known to use: CH340 1a86:7523,
 * CH9102 1a86:55d4, CP210x 10c4:ea60. */
extern const struct ports_id ports_known_ids[];
extern const size_t ports_n_known_ids;

/* Parse "1a86:7523" (hex, case-insensitive). 0 or -EINVAL. */
int ports_parse_id(const char *text, struct ports_id *ret);

/* USB identity of a port; strings may be NULL when the device has none.
 * bus is the USB bus number (0: unknown), location the device's port path on it, as
 * the kernel names its directory in /sys/bus/usb/devices ("1-1.3": bus 1,
 * root port 1, hub port 3), NULL when not found. */
struct ports_usb {
        uint16_t vid;
        uint16_t pid;
        char *manufacturer;
        char *product;
        char *serial;
        unsigned bus;
        char *location;
};

/* One enumerated port. Invariant: usb is NULL unless the port is on USB. */
struct ports_entry {
        char *path;            /* /dev/ttyUSB0 */
        char *description;     /* libserialport's description, may be NULL */
        struct ports_usb *usb; /* NULL when not a USB port */
        bool known;            /* usb id is in the list given to ports_list() */
};

/* Every serial port libserialport sees, sorted with ports_compare().
 * Returns the count (possibly 0) with *ret allocated, or a negative errno. */
int ports_list(struct ports_entry **ret, const struct ports_id *ids, size_t n_ids);
struct ports_entry *ports_list_free(struct ports_entry *list, size_t n);
/* The order of ports_list(), where the ports are plugged in rather than the
 * order the kernel numbered them: USB ports first, by bus number, then by
 * location (numbers compared as numbers: 1-1.2 before 1-1.10 before 1-2),
 * then by path; the other ports by path (ttyS2 before ttyS10). */
int ports_compare(const struct ports_entry *a, const struct ports_entry *b);
/* strcmp() with each run of digits compared as a number ("ttyUSB2" before
 * "ttyUSB10"); a run with leading zeros after the same number without. */
int ports_natural_compare(const char *a, const char *b);
/* The USB identity of the port at PATH, a device node such as
 * /dev/ttyUSB0 as the kernel names it (symbolic links resolved): 0 with
 * *ret NULL when it has none (not USB, not in /sys/class/tty, a pty), 0
 * with *ret allocated, or -ENOMEM. */
int ports_usb_find(const char *path, struct ports_usb **ret);

bool ports_id_match(uint16_t vid, uint16_t pid, const struct ports_id *ids, size_t n_ids);
/* {"vid":"1a86","pid":"7523","manufacturer":..,"product":..,"serial":..,
 * "bus":1,"port":"1-1.3"} (absent values are null), or a JSON null when
 * USB is NULL; NULL when out of memory. The one form lscd's status and
 * "lscctl ports" both print. */
cJSON *ports_usb_json(const struct ports_usb *usb);
struct ports_usb *ports_usb_dup(const struct ports_usb *usb);
/* Whether A and B are the same adapter in the same USB port: ids, bus,
 * port path and serial number (strings NULL only when both are). */
bool ports_usb_equal(const struct ports_usb *a, const struct ports_usb *b);
struct ports_usb *ports_usb_free(struct ports_usb *usb);

struct sp_port;
/* The USB identity libserialport reports for PORT: 0 with *ret NULL when
 * PORT is not on USB, 0 with *ret allocated, or -ENOMEM. */
int ports_usb_get(struct sp_port *port, struct ports_usb **ret);
/* A libserialport result (enum sp_return) as 0 or a negative errno; for
 * SP_ERR_FAIL the OS error libserialport saw. */
int ports_sp_errno(int sp_result);

#endif

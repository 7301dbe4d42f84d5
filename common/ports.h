/* SPDX-License-Identifier: MIT */
/*
 * ports.h: serial port enumeration through libserialport, USB identity, and
 * the list of USB-serial bridges that LSC boards carry. Used by lscd for
 * --device auto and by "lscctl ports".
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

/* USB identity of a port; strings may be NULL when the device has none. */
struct ports_usb {
        uint16_t vid;
        uint16_t pid;
        char *manufacturer;
        char *product;
        char *serial;
};

/* One enumerated port. Invariant: usb is NULL unless the port is on USB. */
struct ports_entry {
        char *path;            /* /dev/ttyUSB0 */
        char *description;     /* libserialport's description, may be NULL */
        struct ports_usb *usb; /* NULL when not a USB port */
        bool known;            /* usb id is in the list given to ports_list() */
};

/* Every serial port libserialport sees, in its order. Returns the count
 * (possibly 0) with *ret allocated, or a negative errno. */
int ports_list(struct ports_entry **ret, const struct ports_id *ids, size_t n_ids);
struct ports_entry *ports_list_free(struct ports_entry *list, size_t n);

bool ports_id_match(uint16_t vid, uint16_t pid, const struct ports_id *ids, size_t n_ids);
/* {"vid":"1a86","pid":"7523","manufacturer":..,"product":..,"serial":..}
 * (absent strings are null), or a JSON null when USB is NULL; NULL when out
 * of memory. The one form lscd's status and "lscctl ports" both print. */
cJSON *ports_usb_json(const struct ports_usb *usb);
struct ports_usb *ports_usb_dup(const struct ports_usb *usb);
struct ports_usb *ports_usb_free(struct ports_usb *usb);

struct sp_port;
/* The USB identity libserialport reports for PORT: 0 with *ret NULL when
 * PORT is not on USB, 0 with *ret allocated, or -ENOMEM. */
int ports_usb_get(struct sp_port *port, struct ports_usb **ret);
/* A libserialport result (enum sp_return) as 0 or a negative errno; for
 * SP_ERR_FAIL the OS error libserialport saw. */
int ports_sp_errno(int sp_result);

#endif

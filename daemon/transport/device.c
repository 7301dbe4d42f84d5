/* SPDX-License-Identifier: MIT */
/*
 * device.c: --device, a path or auto, to an open port (device.h), and the
 * messages about the choice. Ports in messages are named with what tells
 * them apart on a host: "/dev/ttyUSB1 (1a86:7523, bus 1 port 1-1.2)".
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device.h"
#include "log.h"
#include "mem.h"
#include "serial.h"

/* Where udev keeps the stable names of serial ports: by-id names the
 * adapter (unique only when it has a serial number), by-path the USB port
 * it is plugged into. */
#define DEVICE_BY_ID "/dev/serial/by-id"
#define DEVICE_BY_PATH "/dev/serial/by-path"

void device_choice_clear(struct device_choice *c)
{
        ports_list_free(c->ports, c->n_ports);
        free(c->errors);
        *c = (struct device_choice) { 0 };
}

/* Try the candidates in order; the first that opens is the choice. */
static int device_open_auto(struct device_choice *c, struct serial **port, unsigned baud)
{
        int r = -ENODEV;

        for (size_t i = 0; i < c->n_ports; i++) {
                if (!c->ports[i].known)
                        continue;
                c->n_candidates++;
                if (c->chosen != SIZE_MAX)
                        continue;
                c->errors[i] = serial_open(port, c->ports[i].path, baud);
                if (c->errors[i] == 0) {
                        c->chosen = i;
                        c->path = c->ports[i].path;
                } else if (r == -ENODEV) {
                        r = c->errors[i];
                        c->path = c->ports[i].path;
                }
        }
        if (c->chosen == SIZE_MAX)
                return r;
        c->reason = c->n_candidates == 1 ? DEVICE_ONLY : DEVICE_FIRST;
        return 0;
}

int device_open(struct device_choice *c, struct serial **port, const char *requested,
                unsigned baud, const struct ports_id *ids, size_t n_ids)
{
        int n;

        *c = (struct device_choice) {
                .requested = requested, .ids = ids, .n_ids = n_ids, .chosen = SIZE_MAX,
        };
        if (strcmp(requested, "auto") != 0) {
                c->reason = DEVICE_GIVEN;
                c->path = requested;
                return serial_open(port, requested, baud);
        }
        n = ports_list(&c->ports, ids, n_ids);
        if (n < 0)
                return n;
        c->n_ports = (size_t)n;
        c->errors = mem_check(calloc(c->n_ports ? c->n_ports : 1, sizeof(*c->errors)));
        return device_open_auto(c, port, baud);
}

static const char *device_strerror(int error)
{
        return error == -EBUSY ? "in use by another program" : strerror(-error);
}

/* "/dev/ttyUSB1 (1a86:7523, bus 1 port 1-1.2)", or the path alone. */
static void device_print_port(FILE *f, const struct ports_entry *e)
{
        fputs(e->path, f);
        if (e->usb)
                fprintf(f, " (%04x:%04x, bus %u port %s)", e->usb->vid, e->usb->pid, e->usb->bus,
                        e->usb->location ? e->usb->location : "?");
}

/* `, NAME "text"`, or `, no NAME` for a string the device does not report. */
static void device_print_string(FILE *f, const char *name, const char *text)
{
        if (text)
                fprintf(f, ", %s \"%s\"", name, text);
        else
                fprintf(f, ", no %s", name);
}

/* The whole identity: USB 1a86:7523, manufacturer "...", product "...",
 * serial "..." (or "no serial"), bus 1 port 1-1.2. */
static void device_print_usb(FILE *f, const struct ports_usb *usb)
{
        fprintf(f, "USB %04x:%04x", usb->vid, usb->pid);
        device_print_string(f, "manufacturer", usb->manufacturer);
        device_print_string(f, "product", usb->product);
        device_print_string(f, "serial", usb->serial);
        fprintf(f, ", bus %u port %s", usb->bus, usb->location ? usb->location : "?");
}

static FILE *device_text_open(char **buf, size_t *len)
{
        return mem_check(open_memstream(buf, len));
}

static char *device_text_close(FILE *f, char **buf)
{
        if (fclose(f) != 0)
                mem_oom();
        return *buf;
}

/* A link in DIR whose target is the node PATH resolves to, allocated, or
 * NULL. */
static char *device_link_in(const char *dir, const char *path)
{
        char *want = realpath(path, NULL), *found = NULL;
        struct dirent *de;
        DIR *d = want ? opendir(dir) : NULL;

        while (d && !found && (de = readdir(d))) {
                char *link, *target;

                if (de->d_name[0] == '.')
                        continue;
                link = mem_printf("%s/%s", dir, de->d_name);
                target = realpath(link, NULL);
                if (target && strcmp(target, want) == 0)
                        found = link;
                else
                        free(link);
                free(target);
        }
        if (d)
                closedir(d);
        free(want);
        return found;
}

/* The stable name of PATH: its by-id link when the adapter has a serial
 * number (two adapters without one share a by-id name), else its by-path
 * link; NULL when udev made neither. */
static char *device_stable_name(const char *path, const struct ports_usb *usb)
{
        char *name = NULL;

        if (usb && usb->serial && *usb->serial)
                name = device_link_in(DEVICE_BY_ID, path);
        return name ? name : device_link_in(DEVICE_BY_PATH, path);
}

/* The warning for several candidates: which was taken, the others (and
 * why one before it was passed over), and how to name the board's port. */
static void device_print_several(FILE *f, const struct device_choice *c)
{
        const struct ports_entry *chosen = &c->ports[c->chosen];
        char *stable = device_stable_name(chosen->path, chosen->usb);
        bool first = true;

        fprintf(f, "--device auto: %zu ports have a known USB id; it took ", c->n_candidates);
        device_print_port(f, chosen);
        fprintf(f, ", the first by USB bus and port");
        for (size_t i = 0; i < c->n_ports; i++) {
                if (!c->ports[i].known || i == c->chosen)
                        continue;
                fprintf(f, first ? ", not " : ", ");
                device_print_port(f, &c->ports[i]);
                if (c->errors[i])
                        fprintf(f, " [%s]", device_strerror(c->errors[i]));
                first = false;
        }
        fprintf(f, ". If that is not the board, name the board's port in LSCD_DEVICE "
                "(see lscd(8)); this one is LSCD_DEVICE=%s",
                stable ? stable : chosen->path);
        free(stable);
}

void device_log_chosen(const struct device_choice *c, const struct serial *port)
{
        const struct ports_usb *usb = serial_usb(port);
        size_t len;
        char *buf = NULL;
        FILE *f = device_text_open(&buf, &len);

        if (c->reason == DEVICE_GIVEN)
                fprintf(f, "%s is ", serial_path(port));
        else if (c->reason == DEVICE_ONLY)
                fprintf(f, "--device auto chose %s, the only port with a known USB id "
                        "(--usb-id): ", serial_path(port));
        else
                fprintf(f, "--device auto chose %s, the first by USB bus and port of %zu "
                        "with a known USB id (--usb-id): ", serial_path(port), c->n_candidates);
        if (usb)
                device_print_usb(f, usb);
        else
                fprintf(f, "not a USB port");
        device_text_close(f, &buf);
        if (c->reason != DEVICE_GIVEN || usb)
                log_info("%s", buf);
        free(buf);
        if (c->reason != DEVICE_FIRST)
                return;
        f = device_text_open(&buf, &len);
        device_print_several(f, c);
        log_warning("%s", device_text_close(f, &buf));
        free(buf);
}

/* Auto found no candidate: say which ids it looks for, and which USB
 * serial ports are there with other ids. */
static void device_print_none(FILE *f, const struct device_choice *c)
{
        bool other = false;

        fprintf(f, "--device auto: no serial port with a known USB id (--usb-id");
        for (size_t i = 0; i < c->n_ids; i++)
                fprintf(f, "%s%04x:%04x", i ? ", " : " ", c->ids[i].vid, c->ids[i].pid);
        fprintf(f, ")");
        for (size_t i = 0; i < c->n_ports; i++) {
                if (!c->ports[i].usb)
                        continue;
                fprintf(f, other ? ", " : "; other USB serial ports: ");
                device_print_port(f, &c->ports[i]);
                other = true;
        }
        fprintf(f, "; waiting for one");
}

/* Auto had candidates and none opened. */
static void device_print_unopened(FILE *f, const struct device_choice *c)
{
        bool first = true;

        fprintf(f, "--device auto: cannot open %s:", c->n_candidates == 1 ? "the only candidate"
                                                                          : "any candidate");
        for (size_t i = 0; i < c->n_ports; i++) {
                if (!c->errors[i])
                        continue;
                fprintf(f, "%s", first ? " " : ", ");
                device_print_port(f, &c->ports[i]);
                fprintf(f, ": %s", device_strerror(c->errors[i]));
                first = false;
        }
        fprintf(f, "; waiting");
}

char *device_failure(const struct device_choice *c, int error)
{
        size_t len;
        char *buf = NULL;
        FILE *f = device_text_open(&buf, &len);

        if (c->reason == DEVICE_GIVEN && error == -EBUSY)
                fprintf(f, "%s is in use by another program; waiting", c->requested);
        else if (c->reason == DEVICE_GIVEN)
                fprintf(f, "Cannot open %s: %s; waiting for it", c->requested,
                        device_strerror(error));
        else if (c->path)
                device_print_unopened(f, c);
        else if (error == -ENODEV)
                device_print_none(f, c);
        else
                fprintf(f, "--device auto: cannot list the serial ports: %s; waiting",
                        device_strerror(error));
        return device_text_close(f, &buf);
}

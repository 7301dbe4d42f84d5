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

void device_forget(struct device *d)
{
        for (size_t i = 0; i < d->n_passed; i++)
                ports_usb_free(d->passed[i]);
        free(d->passed);
        d->passed = NULL;
        d->n_passed = 0;
}

void device_choice_clear(struct device_choice *c)
{
        ports_list_free(c->ports, c->n_ports);
        free(c->tries);
        *c = (struct device_choice) { 0 };
}

static bool device_was_passed(const struct device *d, const struct ports_usb *usb)
{
        for (size_t i = 0; i < d->n_passed; i++)
                if (ports_usb_equal(d->passed[i], usb))
                        return true;
        return false;
}

/* Remember the candidates a choice among several did not take. */
static void device_remember_passed(struct device *d, const struct device_choice *c)
{
        for (size_t i = 0; i < c->n_ports; i++) {
                const struct ports_usb *usb = c->ports[i].usb;

                if (!c->ports[i].known || i == c->chosen || c->tries[i].set_aside ||
                    device_was_passed(d, usb))
                        continue;
                d->passed = mem_check(reallocarray(d->passed, d->n_passed + 1,
                                                   sizeof(*d->passed)));
                d->passed[d->n_passed++] = mem_check(ports_usb_dup(usb));
        }
}

/* Try the candidates in order; the first that opens is the choice. */
static int device_open_auto(struct device *d, struct device_choice *c, struct serial **port)
{
        int r = -ENODEV;

        for (size_t i = 0; i < c->n_ports; i++) {
                struct device_try *t = &c->tries[i];

                if (!c->ports[i].known)
                        continue;
                t->set_aside = device_was_passed(d, c->ports[i].usb);
                if (t->set_aside)
                        continue;
                c->n_candidates++;
                if (c->chosen != SIZE_MAX)
                        continue;
                t->error = serial_open(port, c->ports[i].path, d->baud);
                if (t->error == 0) {
                        c->chosen = i;
                        c->path = c->ports[i].path;
                } else if (r == -ENODEV) {
                        r = t->error;
                        c->path = c->ports[i].path;
                }
        }
        if (c->chosen == SIZE_MAX)
                return r;
        c->reason = c->n_candidates == 1 ? DEVICE_ONLY : DEVICE_FIRST;
        if (c->reason == DEVICE_FIRST)
                device_remember_passed(d, c);
        return 0;
}

int device_open(struct device *d, struct device_choice *c, struct serial **port)
{
        int n;

        *c = (struct device_choice) { .device = d, .chosen = SIZE_MAX };
        if (strcmp(d->requested, "auto") != 0) {
                c->reason = DEVICE_GIVEN;
                c->path = d->requested;
                return serial_open(port, d->requested, d->baud);
        }
        n = ports_list(&c->ports, d->ids, d->n_ids);
        if (n < 0)
                return n;
        c->n_ports = (size_t)n;
        c->tries = mem_check(calloc(c->n_ports ? c->n_ports : 1, sizeof(*c->tries)));
        return device_open_auto(d, c, port);
}

/* Whether PATH is a name the kernel numbers in the order adapters come:
 * /dev/ttyUSBN, /dev/ttyACMN. */
static bool device_numbered_usb(const char *path)
{
        return strncmp(path, "/dev/ttyUSB", 11) == 0 || strncmp(path, "/dev/ttyACM", 11) == 0;
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
                if (!c->ports[i].known || i == c->chosen || c->tries[i].set_aside)
                        continue;
                fprintf(f, first ? ", not " : ", ");
                device_print_port(f, &c->ports[i]);
                if (c->tries[i].error)
                        fprintf(f, " [%s]", device_strerror(c->tries[i].error));
                first = false;
        }
        fprintf(f, ", which it will not take if it loses this one (until SIGUSR1). If that "
                "is not the board, name the board's port in LSCD_DEVICE (see lscd(8)); this "
                "one is LSCD_DEVICE=%s", stable ? stable : chosen->path);
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

/* The ports set aside (passed over before), if any: "; not taking ...". */
static void device_print_set_aside(FILE *f, const struct device_choice *c)
{
        bool first = true;

        for (size_t i = 0; i < c->n_ports; i++) {
                if (!c->tries[i].set_aside)
                        continue;
                fprintf(f, first ? "; not taking those it passed over before (SIGUSR1 lscd to "
                        "choose afresh): " : ", ");
                device_print_port(f, &c->ports[i]);
                first = false;
        }
}

/* Auto found no candidate: say which ids it looks for, which USB serial
 * ports are there with other ids, and which it set aside. */
static void device_print_none(FILE *f, const struct device_choice *c)
{
        const struct device *d = c->device;
        bool first = true;

        fprintf(f, "--device auto: no serial port with a known USB id (--usb-id");
        for (size_t i = 0; i < d->n_ids; i++)
                fprintf(f, "%s%04x:%04x", i ? ", " : " ", d->ids[i].vid, d->ids[i].pid);
        fprintf(f, ")");
        for (size_t i = 0; i < c->n_ports; i++) {
                if (!c->ports[i].usb || c->ports[i].known)
                        continue;
                fprintf(f, first ? "; other USB serial ports: " : ", ");
                device_print_port(f, &c->ports[i]);
                first = false;
        }
        device_print_set_aside(f, c);
        fprintf(f, "; waiting for one");
}

/* Auto had candidates and none opened. */
static void device_print_unopened(FILE *f, const struct device_choice *c)
{
        bool first = true;

        fprintf(f, "--device auto: cannot open %s:", c->n_candidates == 1 ? "the only candidate"
                                                                          : "any candidate");
        for (size_t i = 0; i < c->n_ports; i++) {
                if (!c->tries[i].error)
                        continue;
                fprintf(f, "%s", first ? " " : ", ");
                device_print_port(f, &c->ports[i]);
                fprintf(f, ": %s", device_strerror(c->tries[i].error));
                first = false;
        }
        device_print_set_aside(f, c);
        fprintf(f, "; waiting");
}

char *device_failure(const struct device_choice *c, int error)
{
        size_t len;
        char *buf = NULL;
        FILE *f = device_text_open(&buf, &len);

        if (c->reason == DEVICE_GIVEN && error == -EBUSY)
                fprintf(f, "%s is in use by another program; waiting", c->path);
        else if (c->reason == DEVICE_GIVEN)
                fprintf(f, "Cannot open %s: %s%s; waiting for it", c->path, device_strerror(error),
                        error == -ENOENT && device_numbered_usb(c->path) ?
                        " (a USB adapter plugged in again may get another number: name it by "
                        DEVICE_BY_ID " or " DEVICE_BY_PATH ", see lscd(8))" : "");
        else if (c->path)
                device_print_unopened(f, c);
        else if (error == -ENODEV)
                device_print_none(f, c);
        else
                fprintf(f, "--device auto: cannot list the serial ports: %s; waiting",
                        device_strerror(error));
        return device_text_close(f, &buf);
}

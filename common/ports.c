/* SPDX-License-Identifier: MIT */
/*
 * ports.c: serial port enumeration and USB identity, through libserialport,
 * which reads both from /sys: /sys/class/tty/NAME, and the USB device's
 * attributes (busnum, idVendor, ...) a few directories above
 * /sys/class/tty/NAME/device/.
 */
#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <libserialport.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ports.h"

const struct ports_id ports_known_ids[] = {
        { 0x1a86, 0x7523 }, /* WCH CH340 */
        { 0x1a86, 0x55d4 }, /* WCH CH9102 */
        { 0x10c4, 0xea60 }, /* Silicon Labs CP210x */
};
const size_t ports_n_known_ids = sizeof(ports_known_ids) / sizeof(ports_known_ids[0]);

int ports_sp_errno(int sp_result)
{
        int code;

        switch (sp_result) {
        case SP_OK:
                return 0;
        case SP_ERR_ARG:
                return -EINVAL;
        case SP_ERR_MEM:
                return -ENOMEM;
        case SP_ERR_SUPP:
                return -ENOTSUP;
        default:
                code = sp_last_error_code();
                return code > 0 ? -code : -EIO;
        }
}

/* One to four hex digits, up to END or the end of TEXT; 0 or -EINVAL. */
static int ports_parse_hex16(const char *text, const char *end, uint16_t *ret)
{
        unsigned value = 0;
        size_t n = (size_t)(end - text);

        if (n == 0 || n > 4)
                return -EINVAL;
        for (; text < end; text++) {
                const char *digits = "0123456789abcdef";
                const char *d = *text ? strchr(digits, tolower((unsigned char)*text)) : NULL;

                if (!d)
                        return -EINVAL;
                value = value << 4 | (unsigned)(d - digits);
        }
        *ret = (uint16_t)value;
        return 0;
}

int ports_parse_id(const char *text, struct ports_id *ret)
{
        const char *colon = text ? strchr(text, ':') : NULL;
        struct ports_id id;

        if (!colon)
                return -EINVAL;
        if (ports_parse_hex16(text, colon, &id.vid) < 0 ||
            ports_parse_hex16(colon + 1, colon + 1 + strlen(colon + 1), &id.pid) < 0)
                return -EINVAL;
        *ret = id;
        return 0;
}

bool ports_id_match(uint16_t vid, uint16_t pid, const struct ports_id *ids, size_t n_ids)
{
        for (size_t i = 0; i < n_ids; i++)
                if (ids[i].vid == vid && ids[i].pid == pid)
                        return true;
        return false;
}

struct ports_usb *ports_usb_free(struct ports_usb *usb)
{
        if (!usb)
                return NULL;
        free(usb->manufacturer);
        free(usb->product);
        free(usb->serial);
        free(usb->location);
        free(usb);
        return NULL;
}

/* strdup() that keeps NULL; false when out of memory. */
static bool ports_strdup(char **dst, const char *src)
{
        *dst = src ? strdup(src) : NULL;
        return !src || *dst;
}

/* A copy of TEMPLATE's numbers and strings; NULL when out of memory. */
static struct ports_usb *ports_usb_make(const struct ports_usb *template)
{
        struct ports_usb *usb = calloc(1, sizeof(*usb));

        if (!usb)
                return NULL;
        usb->vid = template->vid;
        usb->pid = template->pid;
        usb->bus = template->bus;
        if (!ports_strdup(&usb->manufacturer, template->manufacturer) ||
            !ports_strdup(&usb->product, template->product) ||
            !ports_strdup(&usb->serial, template->serial) ||
            !ports_strdup(&usb->location, template->location))
                return ports_usb_free(usb);
        return usb;
}

struct ports_usb *ports_usb_dup(const struct ports_usb *usb)
{
        return usb ? ports_usb_make(usb) : NULL;
}

static bool ports_string_equal(const char *a, const char *b)
{
        return a && b ? strcmp(a, b) == 0 : a == b;
}

bool ports_usb_equal(const struct ports_usb *a, const struct ports_usb *b)
{
        return a->vid == b->vid && a->pid == b->pid && a->bus == b->bus &&
               ports_string_equal(a->location, b->location) &&
               ports_string_equal(a->serial, b->serial);
}

/* The name of the USB device's directory above the tty NAME, found as
 * libserialport finds its busnum: in /sys/class/tty/NAME/device/../, then
 * ../../, up to five levels. NULL when not found or out of memory. */
static char *ports_usb_location(const char *name)
{
        char path[PATH_MAX], busnum[PATH_MAX + 8], *real, *location = NULL;
        int n = snprintf(path, sizeof(path), "/sys/class/tty/%s/device/", name);

        for (int i = 0; i < 5 && n > 0 && (size_t)n + 3 < sizeof(path); i++) {
                n += snprintf(path + n, sizeof(path) - (size_t)n, "../");
                snprintf(busnum, sizeof(busnum), "%sbusnum", path);
                if (access(busnum, R_OK) < 0)
                        continue;
                real = realpath(path, NULL);
                if (real && strcmp(real, "/") != 0)
                        location = strdup(basename(real));
                free(real);
                break;
        }
        return location;
}

int ports_usb_get(struct sp_port *port, struct ports_usb **ret)
{
        struct ports_usb usb = { 0 };
        const char *name = sp_get_port_name(port);
        int vid, pid, bus, address;

        *ret = NULL;
        if (sp_get_port_transport(port) != SP_TRANSPORT_USB ||
            sp_get_port_usb_vid_pid(port, &vid, &pid) != SP_OK)
                return 0;
        usb.vid = (uint16_t)vid;
        usb.pid = (uint16_t)pid;
        if (sp_get_port_usb_bus_address(port, &bus, &address) == SP_OK && bus > 0)
                usb.bus = (unsigned)bus;
        usb.manufacturer = sp_get_port_usb_manufacturer(port);
        usb.product = sp_get_port_usb_product(port);
        usb.serial = sp_get_port_usb_serial(port);
        if (name && strncmp(name, "/dev/", 5) == 0)
                usb.location = ports_usb_location(name + 5);
        *ret = ports_usb_make(&usb);
        free(usb.location);
        return *ret ? 0 : -ENOMEM;
}

int ports_usb_find(const char *path, struct ports_usb **ret)
{
        struct sp_port *port;
        int r;

        *ret = NULL;
        /* libserialport knows a port only by its /sys/class/tty name. */
        if (strncmp(path, "/dev/", 5) != 0 || strchr(path + 5, '/'))
                return 0;
        r = ports_sp_errno(sp_get_port_by_name(path, &port));
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0;
        r = ports_usb_get(port, ret);
        sp_free_port(port);
        return r;
}

struct ports_entry *ports_list_free(struct ports_entry *list, size_t n)
{
        if (!list)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                free(list[i].path);
                free(list[i].description);
                ports_usb_free(list[i].usb);
        }
        free(list);
        return NULL;
}

int ports_natural_compare(const char *a, const char *b)
{
        while (*a && *b) {
                if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
                        const char *da = a, *db = b;
                        size_t la, lb;
                        int r;

                        while (*da == '0' && isdigit((unsigned char)da[1]))
                                da++;
                        while (*db == '0' && isdigit((unsigned char)db[1]))
                                db++;
                        for (la = 0; isdigit((unsigned char)da[la]); la++)
                                ;
                        for (lb = 0; isdigit((unsigned char)db[lb]); lb++)
                                ;
                        if (la != lb)
                                return la < lb ? -1 : 1;
                        r = memcmp(da, db, la);
                        if (r != 0)
                                return r < 0 ? -1 : 1;
                        /* Same number: fewer leading zeros first. */
                        if (da - a != db - b)
                                return da - a < db - b ? -1 : 1;
                        a = da + la;
                        b = db + lb;
                        continue;
                }
                if (*a != *b)
                        return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
                a++;
                b++;
        }
        return *a ? 1 : *b ? -1 : 0;
}

int ports_compare(const struct ports_entry *a, const struct ports_entry *b)
{
        int r;

        if (!a->usb != !b->usb)
                return a->usb ? -1 : 1;
        if (a->usb) {
                if (a->usb->bus != b->usb->bus)
                        return a->usb->bus < b->usb->bus ? -1 : 1;
                r = ports_natural_compare(a->usb->location ? a->usb->location : "",
                                          b->usb->location ? b->usb->location : "");
                if (r != 0)
                        return r;
        }
        return ports_natural_compare(a->path, b->path);
}

static int ports_qsort_compare(const void *a, const void *b)
{
        return ports_compare(a, b);
}

static int ports_entry_fill(struct ports_entry *e, struct sp_port *port,
                            const struct ports_id *ids, size_t n_ids)
{
        int r;

        if (!ports_strdup(&e->path, sp_get_port_name(port)) ||
            !ports_strdup(&e->description, sp_get_port_description(port)))
                return -ENOMEM;
        r = ports_usb_get(port, &e->usb);
        if (r < 0)
                return r;
        e->known = e->usb && ports_id_match(e->usb->vid, e->usb->pid, ids, n_ids);
        return 0;
}

int ports_list(struct ports_entry **ret, const struct ports_id *ids, size_t n_ids)
{
        struct sp_port **ports;
        struct ports_entry *list;
        size_t n = 0;
        int r;

        r = ports_sp_errno(sp_list_ports(&ports));
        if (r < 0)
                return r;
        while (ports[n])
                n++;
        list = calloc(n ? n : 1, sizeof(*list));
        r = list ? 0 : -ENOMEM;
        for (size_t i = 0; i < n && r == 0; i++)
                r = ports_entry_fill(&list[i], ports[i], ids, n_ids);
        sp_free_port_list(ports);
        if (r < 0) {
                ports_list_free(list, n);
                return r;
        }
        qsort(list, n, sizeof(*list), ports_qsort_compare);
        *ret = list;
        return (int)n;
}

static cJSON *ports_string_json(const char *text)
{
        return text ? cJSON_CreateString(text) : cJSON_CreateNull();
}

cJSON *ports_usb_json(const struct ports_usb *usb)
{
        cJSON *o;
        char id[8];

        if (!usb)
                return cJSON_CreateNull();
        o = cJSON_CreateObject();
        if (!o)
                return NULL;
        snprintf(id, sizeof(id), "%04x", usb->vid);
        cJSON_AddStringToObject(o, "vid", id);
        snprintf(id, sizeof(id), "%04x", usb->pid);
        cJSON_AddStringToObject(o, "pid", id);
        cJSON_AddItemToObject(o, "manufacturer", ports_string_json(usb->manufacturer));
        cJSON_AddItemToObject(o, "product", ports_string_json(usb->product));
        cJSON_AddItemToObject(o, "serial", ports_string_json(usb->serial));
        cJSON_AddItemToObject(o, "bus", usb->bus ? cJSON_CreateNumber(usb->bus)
                                                 : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "port", ports_string_json(usb->location));
        return o;
}

/* SPDX-License-Identifier: MIT */
/*
 * ports.c: serial port enumeration and USB identity, through libserialport.
 */
#include <ctype.h>
#include <errno.h>
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        free(usb);
        return NULL;
}

/* strdup() that keeps NULL; false when out of memory. */
static bool ports_strdup(char **dst, const char *src)
{
        *dst = src ? strdup(src) : NULL;
        return !src || *dst;
}

static struct ports_usb *ports_usb_make(uint16_t vid, uint16_t pid, const char *manufacturer,
                                        const char *product, const char *serial)
{
        struct ports_usb *usb = calloc(1, sizeof(*usb));

        if (!usb)
                return NULL;
        usb->vid = vid;
        usb->pid = pid;
        if (!ports_strdup(&usb->manufacturer, manufacturer) ||
            !ports_strdup(&usb->product, product) ||
            !ports_strdup(&usb->serial, serial))
                return ports_usb_free(usb);
        return usb;
}

struct ports_usb *ports_usb_dup(const struct ports_usb *usb)
{
        if (!usb)
                return NULL;
        return ports_usb_make(usb->vid, usb->pid, usb->manufacturer, usb->product, usb->serial);
}

int ports_usb_get(struct sp_port *port, struct ports_usb **ret)
{
        int vid, pid;

        *ret = NULL;
        if (sp_get_port_transport(port) != SP_TRANSPORT_USB ||
            sp_get_port_usb_vid_pid(port, &vid, &pid) != SP_OK)
                return 0;
        *ret = ports_usb_make((uint16_t)vid, (uint16_t)pid,
                              sp_get_port_usb_manufacturer(port),
                              sp_get_port_usb_product(port),
                              sp_get_port_usb_serial(port));
        return *ret ? 0 : -ENOMEM;
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
        return o;
}

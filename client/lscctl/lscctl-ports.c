/* SPDX-License-Identifier: MIT */
/*
 * lscctl-ports.c: "lscctl ports", the serial ports libserialport sees, with
 * their USB identity, in the order lscd --device auto tries them
 * (ports_list()); those with a known LSC bridge id are marked, and the
 * first of them as the one auto takes when it opens. Does not talk to lscd
 * and does not open any port.
 */
#include <string.h>

#include "lscctl.h"
#include "ports.h"

static const char *ports_or_dash(const char *text)
{
        return text && *text ? text : "-";
}

/* {"path":..,"description":..,"usb":{..}|null,"lsc":bool,"auto":bool},
 * or NULL. */
static cJSON *ports_entry_json(const struct ports_entry *e, bool first)
{
        cJSON *o = cJSON_CreateObject();

        if (!o)
                return NULL;
        cJSON_AddStringToObject(o, "path", e->path);
        cJSON_AddItemToObject(o, "description", e->description ? cJSON_CreateString(e->description)
                                                               : cJSON_CreateNull());
        cJSON_AddItemToObject(o, "usb", ports_usb_json(e->usb));
        cJSON_AddBoolToObject(o, "lsc", e->known);
        cJSON_AddBoolToObject(o, "auto", first);
        return o;
}

/* Copy text (NULL or empty: "-") with control characters as '?': the
 * strings come from the USB device and must not drive the terminal. */
static void ports_clean(char *buf, size_t size, const char *text)
{
        size_t i;

        text = ports_or_dash(text);
        for (i = 0; text[i] && i + 1 < size; i++)
                buf[i] = (unsigned char)text[i] < ' ' || text[i] == 0x7f ? '?' : text[i];
        buf[i] = '\0';
}

static void ports_print_text(const struct ports_entry *e, bool first)
{
        char id[16] = "-", path[256], location[64], product[256], serial[256];

        if (e->usb)
                snprintf(id, sizeof(id), "%04x:%04x", e->usb->vid, e->usb->pid);
        ports_clean(path, sizeof(path), e->path);
        ports_clean(location, sizeof(location), e->usb ? e->usb->location : NULL);
        ports_clean(product, sizeof(product), e->usb && e->usb->product ? e->usb->product : e->description);
        ports_clean(serial, sizeof(serial), e->usb ? e->usb->serial : NULL);
        printf("%-16s %-9s %-9s %-24s %s%s\n", path, id, location, product, serial,
               first ? "  (likely LSC board; --device auto's first choice)" :
               e->known ? "  (likely LSC board)" : "");
}

int lscctl_ports_list(struct lscctl *ctl, int argc, char **argv)
{
        struct ports_entry *list;
        int n = ports_list(&list, ports_known_ids, ports_n_known_ids), first = -1;

        if (n < 0) {
                fprintf(stderr, "lscctl ports: cannot list serial ports: %s\n", strerror(-n));
                return LSCCTL_EXIT_SOFTWARE;
        }
        for (int i = 0; i < n && first < 0; i++)
                if (list[i].known)
                        first = i;
        if (!ctl->json && n > 0)
                printf("%-16s %-9s %-9s %-24s %s\n", "DEVICE", "USB ID", "USB PORT", "PRODUCT",
                       "SERIAL");
        for (int i = 0; i < n; i++) {
                if (ctl->json) {
                        cJSON *o = ports_entry_json(&list[i], i == first);

                        if (o)
                                lscctl_print_json(o);
                        cJSON_Delete(o);
                } else
                        ports_print_text(&list[i], i == first);
        }
        if (n == 0 && !ctl->json)
                fprintf(stderr, "lscctl ports: no serial ports found\n");
        ports_list_free(list, (size_t)n);
        return LSCCTL_EXIT_OK;
}

/* SPDX-License-Identifier: MIT */
/*
 * lscctl-info.c: the subcommands that only ask: battery, status, version,
 * clients.
 */
#include <string.h>

#include "lscctl.h"
#include "lsc/protocol.h"

static void info_print_battery(const cJSON *response)
{
        const cJSON *mv = cJSON_GetObjectItemCaseSensitive(response, "millivolts");

        if (cJSON_IsNumber(mv))
                printf("%.0f mV\n", mv->valuedouble);
        else
                lscctl_print_fields(response, " ");
}

/* One "name=value" per line, nested objects as dotted names. */
static void info_print_status(const cJSON *response)
{
        lscctl_print_fields(response, "\n");
}

static void info_print_version(const cJSON *response)
{
        const cJSON *version = cJSON_GetObjectItemCaseSensitive(response, "version");
        const cJSON *protocol = cJSON_GetObjectItemCaseSensitive(response, "protocol");

        printf("lscctl %s\nlscd %s (protocol %.0f)\n", PACKAGE_VERSION,
               cJSON_IsString(version) ? version->valuestring : "?",
               cJSON_IsNumber(protocol) ? protocol->valuedouble : -1.0);
}

int lscctl_info_battery(struct lscctl *ctl, int argc, char **argv)
{
        return lscctl_query(ctl, "battery", info_print_battery);
}

int lscctl_info_status(struct lscctl *ctl, int argc, char **argv)
{
        return lscctl_query(ctl, "status", info_print_status);
}

int lscctl_info_version(struct lscctl *ctl, int argc, char **argv)
{
        return lscctl_query(ctl, "version", info_print_version);
}

/* The members of array, comma-separated ("-" when empty); every event
 * as "all". */
static void info_print_list(const cJSON *array, int all)
{
        const cJSON *item;
        bool first = true;

        if (all && cJSON_GetArraySize(array) == all) {
                printf("all");
                return;
        }
        cJSON_ArrayForEach(item, array) {
                printf("%s", first ? "" : ",");
                lscctl_print_value(item);
                first = false;
        }
        if (first)
                printf("-");
}

static double info_number(const cJSON *object, const char *name)
{
        return cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(object, name));
}

/* One line per connection; the name last, as it may hold blanks. */
static void info_print_clients(const cJSON *response)
{
        const cJSON *c;

        printf("%6s %7s %5s %-19s %6s %8s %-8s %-14s %s\n", "CLIENT", "PID", "UID", "CONNECTED",
               "QUEUED", "INFLIGHT", "CLAIMS", "EVENTS", "NAME");
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(response, "connections")) {
                const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
                char when[64];

                lscctl_format_time(cJSON_GetObjectItemCaseSensitive(c, "connected"), when, sizeof(when));
                when[strcspn(when, ".")] = '\0';
                printf("%6.0f %7.0f %5.0f %-19s %6.0f %8.0f ", info_number(c, "client"), info_number(c, "pid"),
                       info_number(c, "uid"), when, info_number(c, "queued"), info_number(c, "in_flight"));
                info_print_list(cJSON_GetObjectItemCaseSensitive(c, "claims"), 0);
                printf(" ");
                info_print_list(cJSON_GetObjectItemCaseSensitive(c, "events"), _LSC_EVENT_MAX);
                printf(" ");
                if (cJSON_IsString(name))
                        lscctl_print_value(name);
                else
                        printf("-");
                printf("%s\n", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(c, "observer")) ?
                       " (observer)" : "");
        }
}

int lscctl_info_clients(struct lscctl *ctl, int argc, char **argv)
{
        return lscctl_query(ctl, "status", info_print_clients);
}

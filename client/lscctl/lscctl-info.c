/* SPDX-License-Identifier: MIT */
/*
 * lscctl-info.c: the subcommands that only ask: battery, status, version.
 */
#include "lscctl.h"

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

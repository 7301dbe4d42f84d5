/* SPDX-License-Identifier: MIT */
/*
 * lscctl unload, lscctl positions: a bus board's torque off and position
 * reads (lscd-protocol(7), "unload", "positions"). lscd checks the board:
 * on an LSC board both are refused "unsupported", exit 1.
 */
#include <stdio.h>

#include "lscctl.h"

/* Send VERB with "servos" from the N words (NULL, 0: "all"), and print
 * its answer with PRINT. */
static int bus_servos_verb(struct lscctl *ctl, const char *verb, char **words, int n,
                           void (*print)(const cJSON *response))
{
        char all[] = "all", *every[] = { all };
        cJSON *request, *servos, *response;
        int r = n ? lscctl_servos_json(ctl, words, n, &servos)
                  : lscctl_servos_json(ctl, every, 1, &servos);

        if (r)
                return r;
        request = lsc_client_request_new(verb);
        if (request && !cJSON_AddItemToObject(request, "servos", servos)) {
                cJSON_Delete(request);
                request = NULL;
        } else if (!request) {
                cJSON_Delete(servos);
        }
        r = lscctl_call(ctl, request, &response);
        return r ? r : lscctl_show(ctl, response, print);
}

static void bus_print_unloaded(const cJSON *response)
{
        const cJSON *id;

        printf("unloaded:");
        cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(response, "servos"))
                printf(" %.0f", cJSON_GetNumberValue(id));
        printf("\n");
}

/* One line a servo: "ID NAME POSITION", "-" for no name and for a servo
 * the board did not report. */
static void bus_print_positions(const cJSON *response)
{
        const cJSON *p;

        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(response, "positions")) {
                const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "name");
                const cJSON *position = cJSON_GetObjectItemCaseSensitive(p, "position");

                printf("%.0f %s ", cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(p, "id")),
                       cJSON_IsString(name) ? name->valuestring : "-");
                if (cJSON_IsNumber(position))
                        printf("%.0f\n", cJSON_GetNumberValue(position));
                else
                        printf("-\n");
        }
}

int lscctl_bus_unload(struct lscctl *ctl, int argc, char **argv)
{
        return bus_servos_verb(ctl, "unload", argv, argc, bus_print_unloaded);
}

int lscctl_bus_positions(struct lscctl *ctl, int argc, char **argv)
{
        return bus_servos_verb(ctl, "positions", argv, argc, bus_print_positions);
}

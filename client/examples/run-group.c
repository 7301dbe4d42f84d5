/* SPDX-License-Identifier: MIT */
/*
 * run-group.c: run one action group and wait for the board to report it
 * completed, using liblsc's event queue.
 *
 *     cc run-group.c $(pkg-config --cflags --libs liblsc) -o run-group
 *     ./run-group 8            # socket: $LSCD_SOCKET or /run/lscd/lscd.sock
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lsc/client.h>

int main(int argc, char **argv)
{
        const char *events[] = { "group.completed", "group.stopped" };
        struct lsc_client *c;
        long group = argc > 1 ? strtol(argv[1], NULL, 10) : 0;
        int r;

        r = lsc_client_connect(NULL, &c);
        if (r < 0) {
                fprintf(stderr, "connect to %s: %s\n", lsc_client_default_socket(), strerror(-r));
                return 69;
        }
        /* Subscribe first, so that no completion can be missed. */
        r = lsc_client_subscribe(c, events, 2);
        if (r == 0)
                r = lsc_client_group_run(c, group, 1, false);
        while (r == 0) {
                cJSON *event;
                const cJSON *name, *g;

                r = lsc_client_wait_event(c, 60000, &event);
                if (r < 0)
                        break;
                name = cJSON_GetObjectItemCaseSensitive(event, "event");
                g = cJSON_GetObjectItemCaseSensitive(event, "group");
                printf("%s group %d\n", name->valuestring, g ? g->valueint : -1);
                r = cJSON_IsNumber(g) && g->valueint == group ? 1 : 0;
                cJSON_Delete(event);
        }
        if (r < 0)
                fprintf(stderr, "group %ld: %s\n", group, r == -EREMOTEIO ?
                        lsc_client_error_message(c) : strerror(-r));
        lsc_client_free(c);
        return r < 0 ? 1 : 0;
}

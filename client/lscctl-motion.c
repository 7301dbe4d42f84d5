/* SPDX-License-Identifier: MIT */
/*
 * lscctl-motion.c: the subcommands that make the robot move or stop:
 * move, run, stop, halt, speed.
 */
#include <stdlib.h>
#include <string.h>

#include "lscctl.h"

/* Parse "ID:POS" into servo; returns 0 or an exit status. */
static int motion_parse_servo(struct lscctl *ctl, const char *arg, struct lsc_servo *servo)
{
        const char *colon = strchr(arg, ':');
        char id[16];
        int len;
        long v;

        if (!colon)
                return lscctl_usage_error(ctl, "invalid servo target '%s': expected ID:POS, e.g. 1:1500", arg);
        len = (int)(colon - arg);
        snprintf(id, sizeof(id), "%.*s", len, arg);
        /* An id too long for id[] is out of range too. */
        if ((size_t)len >= sizeof(id) || !lscctl_parse_long(id, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX, &v))
                return lscctl_usage_error(ctl, "invalid servo id '%.*s' in '%s': expected %d..%d",
                                          len, arg, arg, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX);
        servo->id = (int)v;
        if (!lscctl_parse_long(colon + 1, LSC_POSITION_MIN, LSC_POSITION_MAX, &v))
                return lscctl_usage_error(ctl, "invalid position '%s' in '%s': expected %d..%d",
                                          colon + 1, arg, LSC_POSITION_MIN, LSC_POSITION_MAX);
        servo->position = (int)v;
        return 0;
}

/* Print the response with --json; nothing otherwise. Consumes it. */
static int motion_done(struct lscctl *ctl, cJSON *response)
{
        if (ctl->json)
                lscctl_print_json(response);
        cJSON_Delete(response);
        return LSCCTL_EXIT_OK;
}

int lscctl_motion_move(struct lscctl *ctl, int argc, char **argv)
{
        struct lsc_servo servos[LSC_MOVE_MAX_SERVOS];
        bool seen[LSC_SERVO_ID_MAX + 1] = { false };
        cJSON *response;
        int r;

        if (argc > LSC_MOVE_MAX_SERVOS)
                return lscctl_usage_error(ctl, "too many servos: at most %d", LSC_MOVE_MAX_SERVOS);
        for (int i = 0; i < argc; i++) {
                r = motion_parse_servo(ctl, argv[i], &servos[i]);
                if (r)
                        return r;
                if (seen[servos[i].id])
                        return lscctl_usage_error(ctl, "servo %d given twice", servos[i].id);
                seen[servos[i].id] = true;
        }
        r = lscctl_call(ctl, lsc_client_request_move(servos, (size_t)argc, ctl->opt.time_ms, false),
                        &response);
        return r ? r : motion_done(ctl, response);
}

static bool motion_parse_group(const char *arg, long *ret)
{
        return lscctl_parse_long(arg, 0, LSC_GROUP_MAX, ret);
}

int lscctl_motion_run(struct lscctl *ctl, int argc, char **argv)
{
        cJSON *response;
        long group;
        int r;

        if (!motion_parse_group(argv[0], &group))
                return lscctl_usage_error(ctl, "invalid group '%s': expected 0..%d", argv[0], LSC_GROUP_MAX);
        if (ctl->opt.wait)
                ctl->call_timeout_ms = ctl->opt.timeout_ms;
        r = lscctl_call(ctl, lsc_client_request_group_run(group, ctl->opt.runs, ctl->opt.wait), &response);
        if (r)
                return r;
        if (ctl->opt.wait && !ctl->json)
                printf("group %ld completed\n", group);
        return motion_done(ctl, response);
}

int lscctl_motion_stop(struct lscctl *ctl, int argc, char **argv)
{
        cJSON *response;
        int r = lscctl_call(ctl, lsc_client_request_new("group.stop"), &response);

        return r ? r : motion_done(ctl, response);
}

int lscctl_motion_halt(struct lscctl *ctl, int argc, char **argv)
{
        const cJSON *dropped;
        cJSON *response;
        int r = lscctl_call(ctl, lsc_client_request_new("halt"), &response);

        if (r)
                return r;
        dropped = cJSON_GetObjectItemCaseSensitive(response, "dropped");
        if (!ctl->json && cJSON_IsNumber(dropped))
                printf("halted: %.0f queued request%s dropped\n", dropped->valuedouble,
                       dropped->valuedouble == 1 ? "" : "s");
        return motion_done(ctl, response);
}

void lscctl_motion_speed_words(void)
{
        printf("all\n");
}

int lscctl_motion_speed(struct lscctl *ctl, int argc, char **argv)
{
        cJSON *response;
        long group, percent;
        int r;

        if (strcmp(argv[0], "all") == 0)
                group = LSC_GROUP_ALL;
        else if (!motion_parse_group(argv[0], &group))
                return lscctl_usage_error(ctl, "invalid group '%s': expected 0..%d or all",
                                          argv[0], LSC_GROUP_MAX);
        if (!lscctl_parse_long(argv[1], LSC_PERCENT_MIN, LSC_PERCENT_MAX, &percent))
                return lscctl_usage_error(ctl, "invalid percent '%s': expected %d..%d",
                                          argv[1], LSC_PERCENT_MIN, LSC_PERCENT_MAX);
        r = lscctl_call(ctl, lsc_client_request_group_speed(group, percent), &response);
        return r ? r : motion_done(ctl, response);
}

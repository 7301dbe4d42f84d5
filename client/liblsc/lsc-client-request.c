/* SPDX-License-Identifier: MIT */
/*
 * lsc-client-request.c: builders of lscd requests and the typed blocking
 * helpers on top of lsc_client_call().
 */
#include <errno.h>
#include <stdlib.h>

#include "lsc/client.h"

cJSON *lsc_client_request_new(const char *cmd)
{
        cJSON *request = cJSON_CreateObject();

        if (request && !cJSON_AddStringToObject(request, "cmd", cmd))
                request = (cJSON_Delete(request), NULL);
        return request;
}

/* Add name: number; returns false when out of memory. */
static bool request_add_number(cJSON *request, const char *name, long value)
{
        return cJSON_AddNumberToObject(request, name, (double)value) != NULL;
}

static cJSON *request_fail(cJSON *request)
{
        cJSON_Delete(request);
        return NULL;
}

cJSON *lsc_client_request_move(const struct lsc_servo *servos, size_t n_servos,
                               long time_ms, bool replace)
{
        cJSON *request = lsc_client_request_new("move");
        cJSON *array = request ? cJSON_AddArrayToObject(request, "servos") : NULL;

        if (!array)
                return request_fail(request);
        for (size_t i = 0; i < n_servos; i++) {
                cJSON *servo = cJSON_CreateObject();

                if (!servo)
                        return request_fail(request);
                cJSON_AddItemToArray(array, servo);
                if (!request_add_number(servo, "id", servos[i].id) ||
                    !request_add_number(servo, "position", servos[i].position))
                        return request_fail(request);
        }
        if (!request_add_number(request, "time_ms", time_ms) ||
            (replace && !cJSON_AddTrueToObject(request, "replace")))
                return request_fail(request);
        return request;
}

cJSON *lsc_client_request_group_run(long group, long runs, bool wait)
{
        cJSON *request = lsc_client_request_new("group.run");

        if (!request || !request_add_number(request, "group", group) ||
            !request_add_number(request, "runs", runs) ||
            !cJSON_AddBoolToObject(request, "wait", wait))
                return request_fail(request);
        return request;
}

cJSON *lsc_client_request_group_speed(long group, long percent)
{
        cJSON *request = lsc_client_request_new("group.speed");
        bool ok;

        if (!request)
                return NULL;
        if (group == LSC_GROUP_ALL)
                ok = cJSON_AddStringToObject(request, "group", "all") != NULL;
        else
                ok = request_add_number(request, "group", group);
        if (!ok || !request_add_number(request, "percent", percent))
                return request_fail(request);
        return request;
}

static cJSON *request_events(const char *cmd, const char *const *events, size_t n_events)
{
        cJSON *request = lsc_client_request_new(cmd);
        cJSON *array;

        if (!request || !events)
                return request;
        array = cJSON_AddArrayToObject(request, "events");
        if (!array)
                return request_fail(request);
        for (size_t i = 0; i < n_events; i++) {
                cJSON *name = cJSON_CreateString(events[i]);

                if (!name)
                        return request_fail(request);
                cJSON_AddItemToArray(array, name);
        }
        return request;
}

cJSON *lsc_client_request_subscribe(const char *const *events, size_t n_events)
{
        return request_events("subscribe", events, n_events);
}

cJSON *lsc_client_request_unsubscribe(const char *const *events, size_t n_events)
{
        return request_events("unsubscribe", events, n_events);
}

/* Call request (consumed) and keep the response only if ret is non-NULL. */
static int request_call(struct lsc_client *c, cJSON *request, cJSON **ret)
{
        int r;

        if (ret)
                *ret = NULL;
        if (!request)
                return -ENOMEM;
        r = lsc_client_call(c, request, ret);
        cJSON_Delete(request);
        return r;
}

/* Read a non-negative integer result named name from a successful call. */
static int request_get_unsigned(struct lsc_client *c, cJSON *request, const char *name,
                                unsigned long *ret)
{
        cJSON *response;
        const cJSON *value;
        int r = request_call(c, request, &response);

        if (r == 0) {
                value = cJSON_GetObjectItemCaseSensitive(response, name);
                if (cJSON_IsNumber(value) && value->valuedouble >= 0 &&
                    value->valuedouble <= 4294967295.0 &&
                    value->valuedouble == (double)(unsigned long)value->valuedouble)
                        *ret = (unsigned long)value->valuedouble;
                else
                        r = -EPROTO;
        }
        cJSON_Delete(response);
        return r;
}

int lsc_client_ping(struct lsc_client *c)
{
        return request_call(c, lsc_client_request_new("ping"), NULL);
}

int lsc_client_move(struct lsc_client *c, const struct lsc_servo *servos,
                    size_t n_servos, long time_ms, bool replace)
{
        return request_call(c, lsc_client_request_move(servos, n_servos, time_ms, replace), NULL);
}

int lsc_client_group_run(struct lsc_client *c, long group, long runs, bool wait)
{
        return request_call(c, lsc_client_request_group_run(group, runs, wait), NULL);
}

int lsc_client_group_stop(struct lsc_client *c)
{
        return request_call(c, lsc_client_request_new("group.stop"), NULL);
}

int lsc_client_halt(struct lsc_client *c, unsigned long *ret_dropped)
{
        unsigned long dropped = 0;
        int r = request_get_unsigned(c, lsc_client_request_new("halt"), "dropped", &dropped);

        if (r == 0 && ret_dropped)
                *ret_dropped = dropped;
        return r;
}

int lsc_client_group_speed(struct lsc_client *c, long group, long percent)
{
        return request_call(c, lsc_client_request_group_speed(group, percent), NULL);
}

int lsc_client_battery(struct lsc_client *c, unsigned *ret_millivolts)
{
        unsigned long mv = 0;
        int r = request_get_unsigned(c, lsc_client_request_new("battery"), "millivolts", &mv);

        if (r == 0 && ret_millivolts)
                *ret_millivolts = (unsigned)mv;
        return r;
}

int lsc_client_status(struct lsc_client *c, cJSON **ret_status)
{
        return request_call(c, lsc_client_request_new("status"), ret_status);
}

int lsc_client_subscribe(struct lsc_client *c, const char *const *events, size_t n_events)
{
        return request_call(c, lsc_client_request_subscribe(events, n_events), NULL);
}

int lsc_client_unsubscribe(struct lsc_client *c, const char *const *events, size_t n_events)
{
        return request_call(c, lsc_client_request_unsubscribe(events, n_events), NULL);
}

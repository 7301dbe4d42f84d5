/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of daemon/events.c: subscription patterns (names, prefixes,
 * typos) and the mask <-> names round trip.
 */
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "json.h"
#include "lscd-check.h"

START_TEST(test_patterns)
{
        ck_assert_uint_eq(lsc_event_mask_from_pattern("group."),
                          LSC_EVENT_MASK(LSC_EVENT_GROUP_STARTED) | LSC_EVENT_MASK(LSC_EVENT_GROUP_STOPPED) |
                          LSC_EVENT_MASK(LSC_EVENT_GROUP_COMPLETED));
        ck_assert_uint_eq(lsc_event_mask_from_pattern("device."),
                          LSC_EVENT_MASK(LSC_EVENT_DEVICE_CONNECTED) | LSC_EVENT_MASK(LSC_EVENT_DEVICE_DISCONNECTED));
        ck_assert_uint_eq(lsc_event_mask_from_pattern("group.completed"),
                          LSC_EVENT_MASK(LSC_EVENT_GROUP_COMPLETED));
        ck_assert_uint_eq(lsc_event_mask_from_pattern("battery"), LSC_EVENT_MASK(LSC_EVENT_BATTERY));
        ck_assert_uint_eq(lsc_event_mask_from_pattern("frame.unknown"), LSC_EVENT_MASK(LSC_EVENT_FRAME_UNKNOWN));
        /* A name is exact: "group" without the dot, or a partial name, is no pattern. */
        ck_assert_uint_eq(lsc_event_mask_from_pattern("group"), 0);
        ck_assert_uint_eq(lsc_event_mask_from_pattern("group.start"), 0);
        ck_assert_uint_eq(lsc_event_mask_from_pattern("gro."), 0);
        ck_assert_uint_eq(lsc_event_mask_from_pattern(""), 0);
        ck_assert_uint_eq(lsc_event_mask_from_pattern("."), 0);
        ck_assert_uint_eq(lsc_event_mask_from_pattern("hello"), 0);
        ck_assert_uint_eq(lsc_event_mask_from_pattern("Group.started"), 0);
}
END_TEST

START_TEST(test_every_name_round_trips)
{
        for (int t = 0; t < _LSC_EVENT_MAX; t++) {
                cJSON *array = event_mask_to_json(LSC_EVENT_MASK(t));

                ck_assert_int_eq(cJSON_GetArraySize(array), 1);
                ck_assert_str_eq(cJSON_GetArrayItem(array, 0)->valuestring, lsc_event_name(t));
                ck_assert_uint_eq(lsc_event_mask_from_pattern(lsc_event_name(t)), LSC_EVENT_MASK(t));
                cJSON_Delete(array);
        }
}
END_TEST

START_TEST(test_mask_to_json_order)
{
        cJSON *array = event_mask_to_json(LSC_EVENT_MASK_ALL & ~LSC_EVENT_MASK(LSC_EVENT_BATTERY));
        char *text = cJSON_PrintUnformatted(array);

        ck_assert_str_eq(text, "[\"group.started\",\"group.stopped\",\"group.completed\","
                               "\"device.connected\",\"device.disconnected\",\"frame.unknown\","
                               "\"move.completed\",\"robot.changed\",\"claim.acquired\","
                               "\"claim.released\",\"claim.expired\",\"sequence.started\","
                               "\"sequence.step\",\"sequence.completed\",\"sequence.stopped\"]");
        free(text);
        cJSON_Delete(array);
        array = event_mask_to_json(0);
        ck_assert_int_eq(cJSON_GetArraySize(array), 0);
        cJSON_Delete(array);
}
END_TEST

START_TEST(test_event_new)
{
        cJSON *e = event_new("group.started");

        ck_assert_str_eq(cJSON_GetObjectItem(e, "event")->valuestring, "group.started");
        ck_assert(cJSON_IsRaw(cJSON_GetObjectItem(e, "time")));
        ck_assert_ptr_eq(e->child->string, cJSON_GetObjectItem(e, "event")->string);
        cJSON_Delete(e);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("events");
        TCase *tc = tcase_create("events");

        tcase_add_test(tc, test_patterns);
        tcase_add_test(tc, test_every_name_round_trips);
        tcase_add_test(tc, test_mask_to_json_order);
        tcase_add_test(tc, test_event_new);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

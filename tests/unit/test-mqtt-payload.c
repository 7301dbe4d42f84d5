/* SPDX-License-Identifier: MIT */
/* test-mqtt-payload.c: what lscd-mqtt makes of a cmd message, and its answers. */
#include <string.h>

#include "mqtt-config.h"
#include "lscd-check.h"
#include "lsc/protocol.h"
#include "mem.h"
#include "payload.h"

/* A payload, and either the request sent to lscd or the answer's text
 * (payload_answer() for robot "r1"). */
static const struct {
        const char *payload;
        const char *request;
        const char *answer;
} cases[] = {
        { "{\"cmd\":\"ping\",\"id\":7}", "{\"cmd\":\"ping\"}", NULL },
        { "{\"cmd\":\"move\",\"reply_to\":\"me/r\",\"servos\":[]}", "{\"cmd\":\"move\",\"servos\":[]}", NULL },
        { "{\"cmd\":\"bogus.verb\"}", "{\"cmd\":\"bogus.verb\"}", NULL },
        { "{\"cmd\":\"ping\",\"id\":1", NULL,
          "{\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"invalid_json\",\"message\":\"not valid JSON\"}}" },
        { "[1]", NULL,
          "{\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"invalid_request\",\"message\":\"a request must be a JSON object\"}}" },
        { "{\"id\":2}", NULL,
          "{\"id\":2,\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"missing_argument\",\"message\":\"a request needs \\\"cmd\\\"\",\"field\":\"cmd\"}}" },
        { "{\"cmd\":3}", NULL,
          "{\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"invalid_argument\",\"message\":\"cmd must be a string\",\"field\":\"cmd\"}}" },
        { "{\"cmd\":\"ping\",\"cmd\":\"halt\"}", NULL,
          "{\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"invalid_request\",\"message\":\"duplicate key \\\"cmd\\\"\"}}" },
        { "{\"cmd\":\"config.reload\"}", NULL,
          "{\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"forbidden\",\"message\":\"\\\"config.reload\\\" is not allowed from the network (lscd-mqtt's verbs)\",\"field\":\"cmd\"}}" },
        { "{\"cmd\":\"subscribe\"}", NULL,
          "{\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"forbidden\",\"message\":\"subscribe acts on a connection to lscd, and is not taken from the network\",\"field\":\"cmd\"}}" },
        { "{\"cmd\":\"ping\",\"reply_to\":\"a/#\"}", NULL,
          "{\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"invalid_argument\",\"message\":\"reply_to must be a topic to publish to: a string without + or #, not starting with $\",\"field\":\"reply_to\"}}" },
        { "{\"cmd\":\"ping\",\"x\":\"\xff\"}", NULL,
          "{\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"invalid_json\",\"message\":\"the line is not valid UTF-8\"}}" },
};

START_TEST(test_parse)
{
        struct mqtt_config c;
        struct payload p;
        char *text;

        mqtt_config_init(&c);
        payload_parse(cases[_i].payload, strlen(cases[_i].payload), &c, &p);
        ck_assert((p.request == NULL) != (p.answer == NULL));
        if (cases[_i].request) {
                text = cJSON_PrintUnformatted(p.request);
                ck_assert_str_eq(text, cases[_i].request);
                free(text);
        } else {
                text = payload_answer(p.answer, p.id, "r1");
                ck_assert_str_eq(text, cases[_i].answer);
                free(text);
        }
        payload_done(&p);
        mqtt_config_free(&c);
}
END_TEST

START_TEST(test_reply_to_and_id)
{
        const char *in = "{\"id\":\"x\",\"cmd\":\"ping\",\"reply_to\":\"app/1\"}";
        cJSON *response = cJSON_Parse("{\"id\":41,\"ok\":true,\"robot\":\"fake\"}");
        struct mqtt_config c;
        struct payload p;
        char *text;

        mqtt_config_init(&c);
        payload_parse(in, strlen(in), &c, &p);
        ck_assert_str_eq(p.reply_to, "app/1");
        ck_assert_str_eq(p.verb, "ping");
        text = payload_answer(response, p.id, "r1");
        ck_assert_str_eq(text, "{\"id\":\"x\",\"robot\":\"r1\",\"ok\":true}");
        free(text);
        cJSON_Delete(response);
        payload_done(&p);
        mqtt_config_free(&c);
}
END_TEST

START_TEST(test_too_long)
{
        size_t len = 70000;
        char *big = mem_alloc(len);
        struct mqtt_config c;
        struct payload p;
        const cJSON *code;

        memset(big, ' ', len);
        mqtt_config_init(&c);
        payload_parse(big, len, &c, &p);
        code = cJSON_GetObjectItem(cJSON_GetObjectItem(p.answer, "error"), "code");
        ck_assert_str_eq(code->valuestring, "line_too_long");
        payload_done(&p);
        mqtt_config_free(&c);
        free(big);
}
END_TEST

/* Every event lscd knows (the table must name each), and its topic's QoS. */
static const struct {
        const char *name;
        int qos;
} events[] = {
        { "group.started", 1 }, { "group.stopped", 1 }, { "group.completed", 1 },
        { "device.connected", 0 }, { "device.disconnected", 0 }, { "battery", 0 },
        { "frame.unknown", 0 }, { "move.completed", 1 }, { "robot.changed", 0 },
        { "claim.acquired", 1 }, { "claim.released", 1 }, { "claim.expired", 1 },
        { "sequence.started", 1 }, { "sequence.step", 1 }, { "sequence.completed", 1 },
        { "sequence.stopped", 1 },
};

START_TEST(test_event_qos)
{
        ck_assert_int_eq(ARRAY_SIZE(events), _LSC_EVENT_MAX);
        ck_assert_str_eq(lsc_event_name(_i), events[_i].name);
        ck_assert_int_eq(payload_event_qos(events[_i].name), events[_i].qos);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("mqtt-payload");
        TCase *tc = tcase_create("payload");

        mem_json_hooks();
        tcase_add_loop_test(tc, test_parse, 0, ARRAY_SIZE(cases));
        tcase_add_test(tc, test_reply_to_and_id);
        tcase_add_test(tc, test_too_long);
        tcase_add_loop_test(tc, test_event_qos, 0, ARRAY_SIZE(events));
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

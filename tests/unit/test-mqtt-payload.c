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
        { "", NULL,
          "{\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"invalid_json\",\"message\":\"the payload is empty: a request is a JSON object\"}}" },
        { "{\"cmd\":\"halt\",\"pad\":\"x\"}", NULL,
          "{\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"invalid_argument\",\"message\":\"halt takes no argument \\\"pad\\\"\",\"field\":\"pad\"}}" },
        { "{\"cmd\":\"group.stop\",\"id\":1,\"reply_to\":\"me/r\"}", "{\"cmd\":\"group.stop\"}", NULL },
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
          "{\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"invalid_argument\",\"message\":\"reply_to must be a topic to publish to: at most 1024 bytes and 32 levels of UTF-8 without control characters, + or #, not starting with $, and not under the topic prefix but for PREFIX/ID/reply\",\"field\":\"reply_to\"}}" },
        { "{\"cmd\":\"ping\",\"x\":\"\xff\"}", NULL,
          "{\"robot\":\"r1\",\"ok\":false,\"error\":{\"code\":\"invalid_json\",\"message\":\"the line is not valid UTF-8\"}}" },
};

START_TEST(test_parse)
{
        struct mqtt_config c;
        struct payload p;
        char *text;

        mqtt_config_init(&c);
        c.id = mem_strdup("r1");
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
        c.id = mem_strdup("r1");
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

/* Answer topics of robot "r1" under the prefix "lsc". */
static const struct {
        const char *topic;
        bool valid;
} topics[] = {
        { "app/replies", true }, { "a//b", true }, { "caf\xc3\xa9/1", true },
        { "lsc/r1/reply", true }, { "lsc/r1/reply/app/7", true }, { "lscd/x", true },
        { "", false }, { "$SYS/x", false }, { "a/+/b", false }, { "a/#", false },
        { "a\x01b", false }, { "a\x7f", false }, { "a\xc2\x85", false },
        { "\xc3", false }, { "\xc0\xaf", false }, { "\xed\xa0\x80", false },
        { "\xef\xbf\xbf", false }, { "\xef\xb7\x90", false },
        { "lsc/r1/event/group.completed", false }, { "lsc/r1/status", false },
        { "lsc/r1/replyx", false }, { "lsc/r1", false }, { "lsc/r2/cmd", false },
        { "lsc/all/cmd", false }, { "lsc", false },
};

START_TEST(test_topic_valid)
{
        struct mqtt_config c;

        mqtt_config_init(&c);
        c.id = mem_strdup("r1");
        ck_assert_msg(payload_topic_valid(topics[_i].topic, &c) == topics[_i].valid, "%s",
                      topics[_i].topic);
        mqtt_config_free(&c);
}
END_TEST

/* A broker disconnects a client that publishes deeper than it takes. */
START_TEST(test_topic_limits)
{
        char topic[PAYLOAD_TOPIC_MAX + 2];
        struct mqtt_config c;

        mqtt_config_init(&c);
        c.id = mem_strdup("r1");
        for (int i = 0; i < PAYLOAD_TOPIC_LEVELS_MAX; i++)
                memcpy(topic + 2 * i, "a/", 2);
        topic[2 * PAYLOAD_TOPIC_LEVELS_MAX - 1] = '\0';
        ck_assert(payload_topic_valid(topic, &c));
        memcpy(topic + 2 * PAYLOAD_TOPIC_LEVELS_MAX - 1, "/a", 3);
        ck_assert(!payload_topic_valid(topic, &c));
        memset(topic, 'x', PAYLOAD_TOPIC_MAX);
        topic[PAYLOAD_TOPIC_MAX] = '\0';
        ck_assert(payload_topic_valid(topic, &c));
        memcpy(topic + PAYLOAD_TOPIC_MAX, "x", 2);
        ck_assert(!payload_topic_valid(topic, &c));
        mqtt_config_free(&c);
}
END_TEST

static void *key_of(const char *text, const char *topic, const char *correlation, size_t *len)
{
        struct mqtt_config c;
        struct payload p;
        void *key;

        mqtt_config_init(&c);
        c.id = mem_strdup("r1");
        payload_parse(text, strlen(text), &c, &p);
        key = payload_key(&p, topic, correlation, correlation ? strlen(correlation) : 0, text,
                          strlen(text), len);
        payload_done(&p);
        mqtt_config_free(&c);
        return key;
}

static bool same_key(const char *a, const char *b, const char *topic_b, const char *corr_b)
{
        size_t la = 0, lb = 0;
        void *ka = key_of(a, "t", "c", &la);
        void *kb = key_of(b, topic_b, corr_b, &lb);
        bool same = ka && kb && la == lb && memcmp(ka, kb, la) == 0;

        free(ka);
        free(kb);
        return same;
}

/* A repeated delivery has the same key; the same id or correlation with
 * other content is another request; a stop has none (it always runs). */
START_TEST(test_key)
{
        const char *move = "{\"cmd\":\"move\",\"id\":1,\"servos\":[]}";
        size_t len;

        ck_assert(same_key(move, move, "t", "c"));
        ck_assert(!same_key(move, "{\"cmd\":\"ping\",\"id\":1}", "t", "c"));
        ck_assert(!same_key(move, move, "u", "c"));
        ck_assert(!same_key(move, move, "t", "d"));
        /* The parts are delimited: topic "t" + "c..." is not topic "tc" + "...". */
        ck_assert(!same_key(move, move, "tc", ""));
        ck_assert_ptr_null(key_of("{\"cmd\":\"halt\",\"id\":1}", "t", "c", &len));
        ck_assert_ptr_null(key_of("{\"cmd\":\"group.stop\",\"id\":1}", "t", NULL, &len));
        ck_assert_ptr_null(key_of("{\"cmd\":\"ping\"}", "t", NULL, &len));
        free(key_of("{\"cmd\":\"ping\",\"id\":1}", "t", NULL, &len));
}
END_TEST

START_TEST(test_transient)
{
        static const char *const transient[] = { "not_connected", "busy", "timeout", "queue_full",
                                                 "shutdown", "device_lost", "too_many_clients" };
        static const char *const final[] = { "invalid_argument", "claimed", "cancelled", "halted",
                                             "stopped", "unknown_command", "forbidden" };

        for (size_t i = 0; i < ARRAY_SIZE(transient); i++)
                ck_assert_msg(payload_transient(transient[i]), "%s", transient[i]);
        for (size_t i = 0; i < ARRAY_SIZE(final); i++)
                ck_assert_msg(!payload_transient(final[i]), "%s", final[i]);
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
        tcase_add_loop_test(tc, test_topic_valid, 0, ARRAY_SIZE(topics));
        tcase_add_test(tc, test_topic_limits);
        tcase_add_test(tc, test_key);
        tcase_add_test(tc, test_transient);
        tcase_add_loop_test(tc, test_event_qos, 0, ARRAY_SIZE(events));
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

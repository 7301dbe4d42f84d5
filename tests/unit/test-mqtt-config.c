/* SPDX-License-Identifier: MIT */
/* test-mqtt-config.c: lscd-mqtt's configuration file and broker address. */
#include <string.h>

#include "mqtt-config.h"
#include "lscd-check.h"
#include "mem.h"

/* A file and what comes of it: NULL errors for a valid one. */
static const struct {
        const char *text;
        const char *errors;
} files[] = {
        { "", NULL },
        { "id: arm1\nbroker:\n  host: mqtt.lan\n  port: 1884\n", NULL },
        { "id: all\n", "t.yaml:1: id \"all\" is not a robot id ([A-Za-z0-9_-], at most 64 bytes, not \"all\")\n" },
        { "id: a/b\n", "t.yaml:1: id \"a/b\" is not a robot id ([A-Za-z0-9_-], at most 64 bytes, not \"all\")\n" },
        { "prefix: lab/+\n", "t.yaml:1: prefix \"lab/+\" is not a topic prefix (no +, #, spaces, empty levels or leading $)\n" },
        { "broker:\n  port: 0\n", "t.yaml:2: port must be an integer from 1 to 65535\n" },
        { "broker:\n  tls:\n    ca: /ca.pem\n    pem: x\n", "t.yaml:4: unknown key \"pem\" in tls\n" },
        { "colour: red\n", "t.yaml:1: unknown key \"colour\" in the configuration\n" },
        { "id: a\nid: b\n", "t.yaml:2: id appears twice in the configuration\n" },
        { "verbs:\n  allow: [move, \"group.\"]\n  deny: [\"Move\"]\n",
          "t.yaml:3: deny: \"Move\" is not a verb, a prefix ending in \".\" or \"*\"\n" },
        { "verbs: [move]\n", "t.yaml:1: verbs must be a mapping\n" },
        { "- a\n", "t.yaml:1: the configuration must be a mapping\n" },
        { "id: [\n", "t.yaml:2: YAML: did not find expected node content while parsing a flow node\n" },
};

START_TEST(test_parse)
{
        struct mqtt_config c;
        char *errors;
        int r;

        mqtt_config_init(&c);
        r = mqtt_config_parse(&c, "t.yaml", files[_i].text, strlen(files[_i].text), &errors);
        if (files[_i].errors) {
                ck_assert_int_eq(r, -22);
                ck_assert_str_eq(errors, files[_i].errors);
        } else {
                ck_assert_int_eq(r, 0);
                ck_assert_ptr_null(errors);
        }
        free(errors);
        mqtt_config_free(&c);
}
END_TEST

START_TEST(test_parse_values)
{
        const char *text = "id: arm1\nsocket: /run/x.sock\nprefix: lab/lsc\nbroker:\n  host: h\n"
                           "  keepalive: 10\n  username: u\n  password_file: /p\n"
                           "  tls: {ca: /ca, cert: /c, key: /k}\nverbs:\n  allow: [\"group.\", move]\n"
                           "  deny: []\n";
        struct mqtt_config c;
        char *errors;

        mqtt_config_init(&c);
        ck_assert_int_eq(mqtt_config_parse(&c, "t.yaml", text, strlen(text), &errors), 0);
        ck_assert_str_eq(c.id, "arm1");
        ck_assert_str_eq(c.socket, "/run/x.sock");
        ck_assert_str_eq(c.prefix, "lab/lsc");
        ck_assert_str_eq(c.username, "u");
        ck_assert_str_eq(c.key_file, "/k");
        ck_assert_int_eq(c.keepalive, 10);
        ck_assert_int_eq(mqtt_config_check(&c, &errors), 0);
        ck_assert_int_eq(c.port, MQTT_CONFIG_TLS_PORT_DEFAULT);
        ck_assert(mqtt_config_verb_allowed(&c, "group.run"));
        ck_assert(mqtt_config_verb_allowed(&c, "move"));
        ck_assert(!mqtt_config_verb_allowed(&c, "status"));
        ck_assert(!mqtt_config_verb_allowed(&c, "groupx"));
        ck_assert(mqtt_config_verb_allowed(&c, "halt"));        /* never taken away */
        mqtt_config_free(&c);
}
END_TEST

START_TEST(test_default_verbs)
{
        struct mqtt_config c;

        mqtt_config_init(&c);
        ck_assert(mqtt_config_verb_allowed(&c, "move"));
        ck_assert(mqtt_config_verb_allowed(&c, "unknown.verb"));
        ck_assert(!mqtt_config_verb_allowed(&c, "config.reload"));
        mqtt_config_free(&c);
}
END_TEST

START_TEST(test_stops_always_allowed)
{
        const char *text = "broker:\n  host: h\nverbs:\n  allow: [move]\n  deny: [halt, group.]\n";
        struct mqtt_config c;
        char *errors;

        mqtt_config_init(&c);
        ck_assert_int_eq(mqtt_config_parse(&c, "t.yaml", text, strlen(text), &errors), 0);
        ck_assert(mqtt_config_verb_allowed(&c, "halt"));
        ck_assert(mqtt_config_verb_allowed(&c, "group.stop"));
        ck_assert(!mqtt_config_verb_allowed(&c, "group.run"));
        ck_assert(!mqtt_config_verb_allowed(&c, "status"));
        mqtt_config_free(&c);
}
END_TEST

/* "HOST:PORT" forms: host, port (0: the default), or NULL when refused. */
static const struct {
        const char *text;
        const char *host;
        int port;
} brokers[] = {
        { "localhost:1884", "localhost", 1884 },
        { "mqtt.lan", "mqtt.lan", 0 },
        { "[::1]:8883", "::1", 8883 },
        { "::1", "::1", 0 },
        { "127.0.0.1:0", NULL, 0 },
        { "h:65536", NULL, 0 },
        { "h:", NULL, 0 },
        { ":1883", NULL, 0 },
        { "[::1", NULL, 0 },
        { "a b:1", NULL, 0 },
        { "h:1:2", NULL, 0 },
        { "fe80::1%eth0", "fe80::1%eth0", 0 },
};

START_TEST(test_broker)
{
        struct mqtt_config c;
        int r;

        mqtt_config_init(&c);
        r = mqtt_config_set_broker(&c, brokers[_i].text);
        if (!brokers[_i].host)
                ck_assert_int_eq(r, -22);
        else {
                ck_assert_int_eq(r, 0);
                ck_assert_str_eq(c.host, brokers[_i].host);
                ck_assert_int_eq(c.port, brokers[_i].port);
        }
        mqtt_config_free(&c);
}
END_TEST

START_TEST(test_check)
{
        struct mqtt_config c;
        char *errors;

        mqtt_config_init(&c);
        ck_assert_int_eq(mqtt_config_check(&c, &errors), -22);
        ck_assert_str_eq(errors, "no robot id: give --id or \"id\" in the file\n");
        free(errors);
        c.id = mem_strdup("r1");
        ck_assert_int_eq(mqtt_config_set_broker(&c, "h"), 0);
        c.username = mem_strdup("u");
        ck_assert_int_eq(mqtt_config_check(&c, &errors), -22);
        ck_assert_str_eq(errors, "broker: username and password_file go together\n");
        free(errors);
        mqtt_config_free(&c);
}
END_TEST

/* --broker HOST keeps the file's port; a client certificate without a CA
 * is TLS (on the system's CAs), with TLS's default port. */
START_TEST(test_port_and_tls)
{
        const char *text = "id: r1\nbroker:\n  host: h\n  port: 1884\n";
        const char *tls = "id: r1\nbroker:\n  host: h\n  tls: {cert: /c, key: /k}\n";
        struct mqtt_config c;
        char *errors;

        mqtt_config_init(&c);
        ck_assert_int_eq(mqtt_config_parse(&c, "t.yaml", text, strlen(text), &errors), 0);
        ck_assert_int_eq(mqtt_config_set_broker(&c, "other"), 0);
        ck_assert_int_eq(mqtt_config_check(&c, &errors), 0);
        ck_assert_str_eq(c.host, "other");
        ck_assert_int_eq(c.port, 1884);
        ck_assert(!mqtt_config_tls(&c));
        ck_assert_int_eq(mqtt_config_set_broker(&c, "other:1990"), 0);
        ck_assert_int_eq(c.port, 1990);
        mqtt_config_free(&c);
        mqtt_config_init(&c);
        ck_assert_int_eq(mqtt_config_parse(&c, "t.yaml", tls, strlen(tls), &errors), 0);
        ck_assert_int_eq(mqtt_config_check(&c, &errors), 0);
        ck_assert(mqtt_config_tls(&c));
        ck_assert_int_eq(c.port, MQTT_CONFIG_TLS_PORT_DEFAULT);
        mqtt_config_free(&c);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("mqtt-config");
        TCase *tc = tcase_create("config");

        mem_json_hooks();
        tcase_add_loop_test(tc, test_parse, 0, ARRAY_SIZE(files));
        tcase_add_test(tc, test_parse_values);
        tcase_add_test(tc, test_default_verbs);
        tcase_add_test(tc, test_stops_always_allowed);
        tcase_add_loop_test(tc, test_broker, 0, ARRAY_SIZE(brokers));
        tcase_add_test(tc, test_check);
        tcase_add_test(tc, test_port_and_tls);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

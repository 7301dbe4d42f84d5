/* SPDX-License-Identifier: MIT */
/*
 * fuzz-mqtt-config.c: fuzz target of lscd-mqtt's configuration file
 * (lscd-mqtt(8): CONFIGURATION): any bytes up to MQTT_CONFIG_FILE_MAX as
 * the file's text, through mqtt_config_parse() (libyaml and yamldoc.c, then
 * the table of keys of mqtt-config.c) over the defaults.
 *
 * Invariant: inputs up to MQTT_CONFIG_FILE_MAX bytes give either
 *  - 0 and no error text, with a configuration where every value the file
 *    can set is valid: id NULL or a robot id (mqtt_config_id_valid()),
 *    prefix a topic prefix without wildcards, empty levels or a leading
 *    "$"; every other string non-empty without NUL; port 0 (unset) or
 *    1..65535, keepalive 5..3600; allow and deny within MQTT_CONFIG_VERBS_MAX,
 *    each entry "*" or of [a-z_.]; config.reload allowed only if the file
 *    changed deny;
 *  - or -EINVAL and an error text as fuzz_yamldoc_check_errors() states it
 *    for the file "mqtt.yaml".
 * Either way mqtt_config_free() releases everything (ASan, valgrind).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-yamldoc.h"
#include "fuzz.h"
#include "mqtt-config.h"

#define FUZZ_FILE "mqtt.yaml"

static void fuzz_check_verbs(char *const *verbs, size_t n)
{
        fuzz_assert(n <= MQTT_CONFIG_VERBS_MAX);
        for (size_t i = 0; i < n; i++)
                fuzz_assert(strcmp(verbs[i], "*") == 0 ||
                            (verbs[i][0] && strspn(verbs[i], "abcdefghijklmnopqrstuvwxyz_.") ==
                                            strlen(verbs[i])));
}

static void fuzz_check_config(const struct mqtt_config *c)
{
        const char *const texts[] = { c->host, c->socket, c->ca_file, c->cert_file, c->key_file,
                                      c->username, c->password_file };

        fuzz_assert(!c->id || mqtt_config_id_valid(c->id));
        fuzz_assert(c->prefix && c->prefix[0] && c->prefix[0] != '$' && !strpbrk(c->prefix, "+# ") &&
                    !strstr(c->prefix, "//"));
        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
                fuzz_assert(!texts[i] || texts[i][0]);
        fuzz_assert(c->port >= 0 && c->port <= 65535);
        fuzz_assert(c->keepalive >= 5 && c->keepalive <= 3600);
        fuzz_check_verbs(c->allow, c->n_allow);
        fuzz_check_verbs(c->deny, c->n_deny);
}

static int fuzz_mqtt_config(const uint8_t *data, size_t size)
{
        struct mqtt_config c;
        char *errors = (char *) 1;
        int r;

        if (size > MQTT_CONFIG_FILE_MAX)
                return -1;              /* mqtt_config_load() refuses it unread */
        mqtt_config_init(&c);
        r = mqtt_config_parse(&c, FUZZ_FILE, (const char *) data, size, &errors);
        fuzz_assert(r == 0 || r == -EINVAL);
        fuzz_assert((errors != NULL) == (r != 0));
        if (r == 0) {
                fuzz_check_config(&c);
                fuzz_assert(!mqtt_config_verb_allowed(&c, "config.reload") ||
                            memmem(data, size, "deny", 4));
        } else
                fuzz_yamldoc_check_errors(errors, FUZZ_FILE, fuzz_yamldoc_lines(data, size));
        mqtt_config_free(&c);
        free(errors);
        return 0;
}

FUZZ_TARGET(mqtt_config, MQTT_CONFIG_FILE_MAX, fuzz_mqtt_config);

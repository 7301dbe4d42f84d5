/* SPDX-License-Identifier: MIT */
/*
 * config.h: lscd-mqtt's settings, from its YAML file (lscd-mqtt(8):
 * CONFIGURATION) and then its command line. Pure: parsing takes the text,
 * errors come back as "FILE:LINE: what is wrong" lines (common/yamldoc.h).
 */
#ifndef LSCD_MQTT_CONFIG_H
#define LSCD_MQTT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define MQTT_CONFIG_FILE_MAX (64 * 1024)     /* bytes of a configuration file */
#define MQTT_CONFIG_ID_MAX 64                /* bytes of a robot id */
#define MQTT_CONFIG_PREFIX_MAX 128           /* bytes of the topic prefix */
#define MQTT_CONFIG_VERBS_MAX 64             /* entries of allow and of deny */
#define MQTT_CONFIG_PORT_DEFAULT 1883
#define MQTT_CONFIG_TLS_PORT_DEFAULT 8883
#define MQTT_CONFIG_KEEPALIVE_DEFAULT 30

/* Invariants once mqtt_config_check() passed: id is a valid id (mqtt_config_id_valid),
 * host non-empty, port 1..65535 (0 before: the default for TLS or not),
 * prefix a valid prefix; every string is owned (mqtt_config_free()); allow and
 * deny hold n_allow and n_deny verb patterns (an exact verb, a prefix
 * ending in ".", or "*"). */
struct mqtt_config {
        char *id;
        char *host;
        int port;
        char *socket;                   /* NULL: liblsc's default */
        char *prefix;
        char *ca_file, *cert_file, *key_file;
        char *username, *password_file;
        int keepalive;
        char *allow[MQTT_CONFIG_VERBS_MAX];
        size_t n_allow;
        char *deny[MQTT_CONFIG_VERBS_MAX];
        size_t n_deny;
};

/* The defaults: prefix "lsc", allow "*", deny "config.reload". */
void mqtt_config_init(struct mqtt_config *c);
void mqtt_config_free(struct mqtt_config *c);
/* Read TEXT (LEN bytes, the file FILE) over c. 0, or -EINVAL with *errors
 * set (free it). */
int mqtt_config_parse(struct mqtt_config *c, const char *file, const char *text, size_t len,
                 char **errors);
/* mqtt_config_parse() of the file PATH. */
int mqtt_config_load(struct mqtt_config *c, const char *path, char **errors);
/* "HOST:PORT", "HOST", "[V6]:PORT" into host and port (without one, the
 * port set before stays); -EINVAL. */
int mqtt_config_set_broker(struct mqtt_config *c, const char *text);
/* Whether what mqtt_config_parse() and the command line gave is complete;
 * -EINVAL with *errors set otherwise. Fills in the port's default. */
int mqtt_config_check(struct mqtt_config *c, char **errors);
/* 1..MQTT_CONFIG_ID_MAX of [A-Za-z0-9_-], and not "all" (the broadcast). */
bool mqtt_config_id_valid(const char *id);
/* Whether the broker is reached over TLS: a CA or a client certificate. */
bool mqtt_config_tls(const struct mqtt_config *c);
/* Whether VERB is the emergency stop (halt, group.stop): always allowed,
 * never refused busy. */
bool mqtt_config_verb_stops(const char *verb);
/* Whether VERB may be run from the network: a stop, or allowed and not
 * denied. */
bool mqtt_config_verb_allowed(const struct mqtt_config *c, const char *verb);

#endif

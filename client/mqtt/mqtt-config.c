/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>

#include "mqtt-config.h"
#include "mem.h"
#include "yamldoc.h"

enum mqtt_config_type { MQTT_CONFIG_TEXT, MQTT_CONFIG_PATH, MQTT_CONFIG_INT, MQTT_CONFIG_VERBS, MQTT_CONFIG_SECTION };

/* One key of a mapping of the file. TEXT and PATH fill a char * at offset
 * (PATH: absolute or relative, but not empty), INT an int within min..max,
 * VERBS a list (the count follows the array), SECTION a nested table. */
struct mqtt_config_field {
        const char *name;
        enum mqtt_config_type type;
        size_t offset;
        long min, max;
        const struct mqtt_config_field *section;
};

#define MQTT_CONFIG_AT(field) offsetof(struct mqtt_config, field)

static const struct mqtt_config_field mqtt_config_tls_fields[] = {
        { "ca", MQTT_CONFIG_PATH, MQTT_CONFIG_AT(ca_file), 0, 0, NULL },
        { "cert", MQTT_CONFIG_PATH, MQTT_CONFIG_AT(cert_file), 0, 0, NULL },
        { "key", MQTT_CONFIG_PATH, MQTT_CONFIG_AT(key_file), 0, 0, NULL },
        { 0 }
};

static const struct mqtt_config_field mqtt_config_broker_fields[] = {
        { "host", MQTT_CONFIG_TEXT, MQTT_CONFIG_AT(host), 0, 0, NULL },
        { "port", MQTT_CONFIG_INT, MQTT_CONFIG_AT(port), 1, 65535, NULL },
        { "keepalive", MQTT_CONFIG_INT, MQTT_CONFIG_AT(keepalive), 5, 3600, NULL },
        { "username", MQTT_CONFIG_TEXT, MQTT_CONFIG_AT(username), 0, 0, NULL },
        { "password_file", MQTT_CONFIG_PATH, MQTT_CONFIG_AT(password_file), 0, 0, NULL },
        { "tls", MQTT_CONFIG_SECTION, 0, 0, 0, mqtt_config_tls_fields },
        { 0 }
};

static const struct mqtt_config_field mqtt_config_verbs_fields[] = {
        { "allow", MQTT_CONFIG_VERBS, MQTT_CONFIG_AT(allow), 0, 0, NULL },
        { "deny", MQTT_CONFIG_VERBS, MQTT_CONFIG_AT(deny), 0, 0, NULL },
        { 0 }
};

static const struct mqtt_config_field mqtt_config_fields[] = {
        { "id", MQTT_CONFIG_TEXT, MQTT_CONFIG_AT(id), 0, 0, NULL },
        { "socket", MQTT_CONFIG_PATH, MQTT_CONFIG_AT(socket), 0, 0, NULL },
        { "prefix", MQTT_CONFIG_TEXT, MQTT_CONFIG_AT(prefix), 0, 0, NULL },
        { "broker", MQTT_CONFIG_SECTION, 0, 0, 0, mqtt_config_broker_fields },
        { "verbs", MQTT_CONFIG_SECTION, 0, 0, 0, mqtt_config_verbs_fields },
        { 0 }
};

static void mqtt_config_verbs_set(char **verbs, size_t *n, const char *const *from)
{
        for (size_t i = 0; i < *n; i++)
                free(verbs[i]);
        for (*n = 0; from[*n]; (*n)++)
                verbs[*n] = mem_strdup(from[*n]);
}

void mqtt_config_init(struct mqtt_config *c)
{
        *c = (struct mqtt_config) { .prefix = mem_strdup("lsc"),
                               .keepalive = MQTT_CONFIG_KEEPALIVE_DEFAULT };
        mqtt_config_verbs_set(c->allow, &c->n_allow, (const char *const[]) { "*", NULL });
        mqtt_config_verbs_set(c->deny, &c->n_deny, (const char *const[]) { "config.reload", NULL });
}

void mqtt_config_free(struct mqtt_config *c)
{
        char **texts[] = { &c->id, &c->host, &c->socket, &c->prefix, &c->ca_file,
                           &c->cert_file, &c->key_file, &c->username, &c->password_file };

        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
                free(*texts[i]);
                *texts[i] = NULL;
        }
        mqtt_config_verbs_set(c->allow, &c->n_allow, (const char *const[]) { NULL });
        mqtt_config_verbs_set(c->deny, &c->n_deny, (const char *const[]) { NULL });
}

bool mqtt_config_id_valid(const char *id)
{
        size_t len = strlen(id);

        if (len == 0 || len > MQTT_CONFIG_ID_MAX || strcmp(id, "all") == 0)
                return false;
        return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == len;
}

/* A topic prefix: levels of printable ASCII without MQTT's wildcards, no
 * empty level, not starting with '$' (the broker's own topics). */
static bool mqtt_config_prefix_valid(const char *p)
{
        size_t len = strlen(p);

        if (len == 0 || len > MQTT_CONFIG_PREFIX_MAX || p[0] == '$' || p[0] == '/' ||
            p[len - 1] == '/' || strstr(p, "//"))
                return false;
        for (size_t i = 0; i < len; i++)
                if (p[i] <= ' ' || p[i] > '~' || p[i] == '+' || p[i] == '#')
                        return false;
        return true;
}

/* A verb pattern: "*", or a verb ("group.run"), or a prefix ("group."). */
static bool mqtt_config_verb_pattern_valid(const char *v)
{
        size_t len = strlen(v);

        if (strcmp(v, "*") == 0)
                return true;
        if (len == 0 || len > 32 || v[0] == '.')
                return false;
        return strspn(v, "abcdefghijklmnopqrstuvwxyz_.") == len && !strstr(v, "..");
}

static bool mqtt_config_verb_match(char *const *patterns, size_t n, const char *verb)
{
        for (size_t i = 0; i < n; i++) {
                size_t len = strlen(patterns[i]);

                if (strcmp(patterns[i], "*") == 0 || strcmp(patterns[i], verb) == 0 ||
                    (patterns[i][len - 1] == '.' && strncmp(patterns[i], verb, len) == 0))
                        return true;
        }
        return false;
}

bool mqtt_config_verb_stops(const char *verb)
{
        return strcmp(verb, "halt") == 0 || strcmp(verb, "group.stop") == 0;
}

bool mqtt_config_verb_allowed(const struct mqtt_config *c, const char *verb)
{
        if (mqtt_config_verb_stops(verb))
                return true;
        return mqtt_config_verb_match(c->allow, c->n_allow, verb) &&
               !mqtt_config_verb_match(c->deny, c->n_deny, verb);
}

static void mqtt_config_text(struct yamldoc *y, const yaml_node_t *n, const struct mqtt_config_field *f,
                        struct mqtt_config *c)
{
        const char *text = yamldoc_scalar(n);
        char **to = (char **) ((char *) c + f->offset);
        char quoted[YAMLDOC_QUOTED_SIZE];

        if (!text || strlen(text) != n->data.scalar.length || text[0] == '\0' ||
            (f->type == MQTT_CONFIG_TEXT && strpbrk(text, "\t\r\n"))) {
                yamldoc_error(y, n, "%s must be a non-empty string%s", f->name,
                              f->type == MQTT_CONFIG_TEXT ? " on one line" : "");
                return;
        }
        if ((to == &c->id && !mqtt_config_id_valid(text)) ||
            (to == &c->prefix && !mqtt_config_prefix_valid(text))) {
                yamldoc_error(y, n, to == &c->id ?
                              "id \"%s\" is not a robot id ([A-Za-z0-9_-], at most 64 bytes, not \"all\")" :
                              "prefix \"%s\" is not a topic prefix (no +, #, spaces, empty levels or leading $)",
                              yamldoc_quote(quoted, text));
                return;
        }
        free(*to);
        *to = mem_strdup(text);
}

static void mqtt_config_verbs(struct yamldoc *y, const yaml_node_t *n, const struct mqtt_config_field *f,
                         struct mqtt_config *c)
{
        char **verbs = (char **) ((char *) c + f->offset);
        size_t *count = (size_t *) (verbs + MQTT_CONFIG_VERBS_MAX);
        const char *list[MQTT_CONFIG_VERBS_MAX + 1];
        size_t k = 0;
        char quoted[YAMLDOC_QUOTED_SIZE];

        if (!n || n->type != YAML_SEQUENCE_NODE) {
                yamldoc_error(y, n, "%s must be a list of verbs", f->name);
                return;
        }
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
                const yaml_node_t *item = yamldoc_node(y, *i);
                const char *v = yamldoc_scalar(item);

                if (k == MQTT_CONFIG_VERBS_MAX) {
                        yamldoc_error(y, item, "%s holds more than %d verbs", f->name, MQTT_CONFIG_VERBS_MAX);
                        return;
                }
                if (!v || strlen(v) != item->data.scalar.length || !mqtt_config_verb_pattern_valid(v)) {
                        yamldoc_error(y, item, "%s: \"%s\" is not a verb, a prefix ending in \".\" or \"*\"",
                                      f->name, yamldoc_quote(quoted, v ? v : ""));
                        return;
                }
                list[k++] = v;
        }
        list[k] = NULL;
        mqtt_config_verbs_set(verbs, count, list);
}

static void mqtt_config_mapping(struct yamldoc *y, const yaml_node_t *map, const struct mqtt_config_field *table,
                           const char *what, struct mqtt_config *c)
{
        char quoted[YAMLDOC_QUOTED_SIZE];

        if (!yamldoc_mapping(y, map, what))
                return;
        YAMLDOC_FOREACH(pair, map) {
                const yaml_node_t *key = yamldoc_node(y, pair->key);
                const yaml_node_t *value = yamldoc_node(y, pair->value);
                const char *name = yamldoc_scalar(key);
                const struct mqtt_config_field *f = table;
                long v;

                while (f->name && (!name || strcmp(f->name, name) != 0))
                        f++;
                if (!f->name) {
                        yamldoc_error(y, key, "unknown key \"%s\" in %s", yamldoc_quote(quoted, name ? name : ""),
                                      what);
                        continue;
                }
                for (const yaml_node_pair_t *p = map->data.mapping.pairs.start; p < pair; p++) {
                        const char *other = yamldoc_scalar(yamldoc_node(y, p->key));

                        if (other && strcmp(other, name) == 0)
                                yamldoc_error(y, key, "%s appears twice in %s", name, what);
                }
                if (f->type == MQTT_CONFIG_SECTION)
                        mqtt_config_mapping(y, value, f->section, f->name, c);
                else if (f->type == MQTT_CONFIG_VERBS)
                        mqtt_config_verbs(y, value, f, c);
                else if (f->type == MQTT_CONFIG_INT) {
                        if (yamldoc_int(y, value, f->name, f->min, f->max, &v))
                                *(int *) ((char *) c + f->offset) = (int) v;
                } else
                        mqtt_config_text(y, value, f, c);
        }
}

int mqtt_config_parse(struct mqtt_config *c, const char *file, const char *text, size_t len, char **errors)
{
        struct yamldoc y = { .file = file };

        *errors = NULL;
        if (!yamldoc_load(&y, text, len)) {
                *errors = y.errors;
                return -EINVAL;
        }
        /* An empty file is an empty configuration. */
        if (yaml_document_get_root_node(&y.doc))
                mqtt_config_mapping(&y, yaml_document_get_root_node(&y.doc), mqtt_config_fields,
                               "the configuration", c);
        yaml_document_delete(&y.doc);
        *errors = y.errors;
        return y.errors ? -EINVAL : 0;
}

int mqtt_config_load(struct mqtt_config *c, const char *path, char **errors)
{
        char *text;
        size_t len;
        int r = yamldoc_read(path, MQTT_CONFIG_FILE_MAX, &text, &len);

        if (r < 0) {
                *errors = yamldoc_read_error(path, MQTT_CONFIG_FILE_MAX, r);
                return r;
        }
        r = mqtt_config_parse(c, path, text, len, errors);
        free(text);
        return r;
}

/* Whether TEXT is an IPv6 address, with or without a %zone. */
static bool mqtt_config_ipv6(const char *text)
{
        char address[INET6_ADDRSTRLEN];
        struct in6_addr in6;
        size_t len = strcspn(text, "%");

        if (len >= sizeof(address))
                return false;
        memcpy(address, text, len);
        address[len] = '\0';
        return inet_pton(AF_INET6, address, &in6) == 1;
}

int mqtt_config_set_broker(struct mqtt_config *c, const char *text)
{
        const char *colon = strrchr(text, ':');
        const char *host = text, *end;
        size_t host_len;
        char *stop;
        long port = 0;

        if (text[0] == '[') {
                end = strchr(text, ']');
                if (!end || (end[1] != '\0' && end[1] != ':'))
                        return -EINVAL;
                host = text + 1;
                host_len = (size_t) (end - host);
                colon = end[1] == ':' ? end + 1 : NULL;
        } else {
                if (colon && strchr(text, ':') != colon) {
                        if (!mqtt_config_ipv6(text))
                                return -EINVAL; /* "h:1:2" */
                        colon = NULL;   /* a bare IPv6 address */
                }
                host_len = colon ? (size_t) (colon - text) : strlen(text);
        }
        if (colon) {
                errno = 0;
                port = strtol(colon + 1, &stop, 10);   /* none given: the file's stays */
                if (colon[1] < '0' || colon[1] > '9' || *stop || errno || port < 1 || port > 65535)
                        return -EINVAL;
        }
        if (host_len == 0 || memchr(host, '/', host_len) || strpbrk(text, " \t\r\n"))
                return -EINVAL;
        free(c->host);
        c->host = mem_alloc(host_len + 1);
        memcpy(c->host, host, host_len);
        c->host[host_len] = '\0';
        if (port)
                c->port = (int) port;
        return 0;
}

bool mqtt_config_tls(const struct mqtt_config *c)
{
        return c->ca_file || c->cert_file || c->key_file;
}

int mqtt_config_check(struct mqtt_config *c, char **errors)
{
        const char *missing = !c->id ? "no robot id: give --id or \"id\" in the file" :
                              !c->host ? "no broker: give --broker or \"broker: host\" in the file" :
                              (!c->cert_file) != (!c->key_file) ?
                              "broker tls: cert and key go together" :
                              (!c->username) != (!c->password_file) ?
                              "broker: username and password_file go together" : NULL;

        *errors = NULL;
        if (missing) {
                *errors = mem_printf("%s\n", missing);
                return -EINVAL;
        }
        if (c->port == 0)
                c->port = mqtt_config_tls(c) ? MQTT_CONFIG_TLS_PORT_DEFAULT : MQTT_CONFIG_PORT_DEFAULT;
        return 0;
}

/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lsc/protocol.h"
#include "mem.h"
#include "payload.h"

/* Verbs that act on the connection they come on: over MQTT they would
 * rename, resubscribe or silence the bridge's own connection to lscd. */
static const char *const payload_connection_verbs[] = { "hello", "subscribe", "unsubscribe", NULL };

cJSON *payload_error(const char *code, const char *field, const char *message)
{
        cJSON *response = cJSON_CreateObject();
        cJSON *error;

        cJSON_AddBoolToObject(response, "ok", false);
        error = cJSON_AddObjectToObject(response, "error");
        cJSON_AddStringToObject(error, "code", code);
        cJSON_AddStringToObject(error, "message", message);
        if (field)
                cJSON_AddStringToObject(error, "field", field);
        return response;
}

/* The code point at S (N bytes left) into *ret, and its length; 0 when
 * S holds no valid UTF-8 sequence (overlong, surrogate, past U+10FFFF). */
static size_t payload_utf8(const unsigned char *s, size_t n, uint32_t *ret)
{
        static const uint32_t min[] = { 0, 0, 0x80, 0x800, 0x10000 };
        size_t len = s[0] < 0x80 ? 1 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 :
                     s[0] >= 0xe0 && s[0] < 0xf0 ? 3 : s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : 0;
        uint32_t cp = len == 1 ? s[0] : s[0] & (0x7f >> len);

        if (len == 0 || len > n)
                return 0;
        for (size_t i = 1; i < len; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = cp << 6 | (s[i] & 0x3f);
        }
        if (cp < min[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                return 0;
        *ret = cp;
        return len;
}

/* What MQTT and brokers take in a topic name: no NUL, no control
 * character (C0, DEL, C1), no non-character (MQTT 3.1.1 1.5.3). */
static bool payload_topic_char_ok(uint32_t cp)
{
        return cp >= 0x20 && !(cp >= 0x7f && cp <= 0x9f) && !(cp >= 0xfdd0 && cp <= 0xfdef) &&
               (cp & 0xfffe) != 0xfffe && cp != '+' && cp != '#';
}

/* Whether TOPIC is PREFIX/... */
static bool payload_topic_under(const char *topic, const char *prefix)
{
        size_t len = strlen(prefix);

        return strncmp(topic, prefix, len) == 0 && (topic[len] == '\0' || topic[len] == '/');
}

bool payload_topic_valid(const char *topic, const struct mqtt_config *c)
{
        const unsigned char *s = (const unsigned char *) topic;
        size_t len = strlen(topic), levels = 1, n;
        char *own;
        bool ok;
        uint32_t cp;

        if (len == 0 || len > PAYLOAD_TOPIC_MAX || topic[0] == '$')
                return false;
        for (size_t i = 0; i < len; i += n) {
                n = payload_utf8(s + i, len - i, &cp);
                if (n == 0 || !payload_topic_char_ok(cp))
                        return false;
                levels += cp == '/';
        }
        if (levels > PAYLOAD_TOPIC_LEVELS_MAX)
                return false;
        own = mem_printf("%s/%s/reply", c->prefix, c->id);
        ok = !payload_topic_under(topic, c->prefix) || payload_topic_under(topic, own);
        free(own);
        return ok;
}

cJSON *payload_topic_error(const char *field)
{
        char message[320];

        snprintf(message, sizeof(message), "%s must be a topic to publish to: at most %d bytes "
                 "and %d levels of UTF-8 without control characters, + or #, not starting with $, "
                 "and not under the topic prefix but for PREFIX/ID/reply", field,
                 PAYLOAD_TOPIC_MAX, PAYLOAD_TOPIC_LEVELS_MAX);
        return payload_error(lsc_errcode_name(LSC_ERRCODE_INVALID_ARGUMENT), field, message);
}

bool payload_transient(const char *code)
{
        static const enum lsc_errcode transient[] = {
                LSC_ERRCODE_NOT_CONNECTED, LSC_ERRCODE_DEVICE_LOST, LSC_ERRCODE_TIMEOUT,
                LSC_ERRCODE_QUEUE_FULL, LSC_ERRCODE_SHUTDOWN, LSC_ERRCODE_TOO_MANY_CLIENTS,
        };

        if (strcmp(code, PAYLOAD_CODE_BUSY) == 0)
                return true;
        for (size_t i = 0; i < sizeof(transient) / sizeof(transient[0]); i++)
                if (strcmp(code, lsc_errcode_name(transient[i])) == 0)
                        return true;
        return false;
}

/* Append LEN, then LEN bytes of DATA, to the key at KEY + *AT. DATA may
 * be NULL when LEN is 0 (an empty payload): memcpy() may not be given it. */
static void payload_key_add(unsigned char *key, size_t *at, const void *data, size_t len)
{
        memcpy(key + *at, &len, sizeof(len));
        if (len > 0)
                memcpy(key + *at + sizeof(len), data, len);
        *at += sizeof(len) + len;
}

void *payload_key(const struct payload *p, const char *topic, const void *correlation, size_t len,
                  const void *data, size_t data_len, size_t *ret_len)
{
        char *id_text = !correlation && p->id ? mem_check(cJSON_PrintUnformatted(p->id)) : NULL;
        const void *who = correlation ? correlation : id_text;
        size_t who_len = correlation ? len : id_text ? strlen(id_text) : 0;
        unsigned char *key = NULL;
        size_t at = 0;

        if (who && !payload_stops(p)) {
                key = mem_alloc(3 * sizeof(size_t) + strlen(topic) + who_len + data_len);
                payload_key_add(key, &at, topic, strlen(topic));
                payload_key_add(key, &at, who, who_len);
                payload_key_add(key, &at, data, data_len);
                *ret_len = at;
        }
        free(id_text);
        return key;
}

static void payload_fail(struct payload *p, enum lsc_errcode code, const char *field,
                         const char *message)
{
        p->request = json_free(p->request);
        p->answer = payload_error(lsc_errcode_name(code), field, message);
}

/* The object of DATA, or NULL after payload_fail(). */
static cJSON *payload_object(const char *data, size_t len, struct payload *p)
{
        enum json_scan_error scan = json_scan(data, len, JSON_MAX_DEPTH);
        char message[96];
        const char *dup;
        char *copy;
        size_t at;
        cJSON *root;

        if (len >= LSC_PROTOCOL_LINE_MAX) {
                snprintf(message, sizeof(message), "a request is at most %d bytes",
                         LSC_PROTOCOL_LINE_MAX - 1);
                payload_fail(p, LSC_ERRCODE_LINE_TOO_LONG, NULL, message);
                return NULL;
        }
        if (len == 0) {
                payload_fail(p, LSC_ERRCODE_INVALID_JSON, NULL,
                             "the payload is empty: a request is a JSON object");
                return NULL;
        }
        if (scan != JSON_SCAN_OK || json_lex(data, len, &at) < 0) {
                payload_fail(p, LSC_ERRCODE_INVALID_JSON, NULL,
                             scan != JSON_SCAN_OK ? json_scan_strerror(scan) : "not valid JSON");
                return NULL;
        }
        /* cJSON may read past an unterminated buffer: give it a copy. */
        copy = mem_alloc(len + 1);
        memcpy(copy, data, len);
        copy[len] = '\0';
        root = cJSON_ParseWithLengthOpts(copy, len + 1, NULL, true);
        free(copy);
        if (!root || !cJSON_IsObject(root)) {
                payload_fail(p, root ? LSC_ERRCODE_INVALID_REQUEST : LSC_ERRCODE_INVALID_JSON, NULL,
                             root ? "a request must be a JSON object" : "not valid JSON");
                return json_free(root);
        }
        dup = json_find_duplicate_key(root);
        if (dup) {
                snprintf(message, sizeof(message), "duplicate key \"%.*s\"", json_utf8_prefix(dup, 60), dup);
                payload_fail(p, LSC_ERRCODE_INVALID_REQUEST, NULL, message);
                return json_free(root);
        }
        return root;
}

static bool payload_verb_ok(const char *verb, const struct mqtt_config *c, struct payload *p)
{
        char message[160];

        for (const char *const *v = payload_connection_verbs; *v; v++)
                if (strcmp(*v, verb) == 0) {
                        snprintf(message, sizeof(message), "%s acts on a connection to lscd, "
                                 "and is not taken from the network", verb);
                        payload_fail(p, LSC_ERRCODE_FORBIDDEN, "cmd", message);
                        return false;
                }
        if (!mqtt_config_verb_allowed(c, verb)) {
                snprintf(message, sizeof(message), "\"%.*s\" is not allowed from the network "
                         "(lscd-mqtt's verbs)", json_utf8_prefix(verb, 60), verb);
                payload_fail(p, LSC_ERRCODE_FORBIDDEN, "cmd", message);
                return false;
        }
        return true;
}

/* A stop (halt, group.stop) takes no argument: refused here as lscd
 * would, so that each one sent is small and valid, and never busy. */
static bool payload_stop_bare(struct payload *p, const char *verb)
{
        char message[160], *field;

        if (!mqtt_config_verb_stops(verb))
                return true;
        for (const cJSON *m = p->request->child; m; m = m->next)
                if (strcmp(m->string, "cmd") != 0) {
                        snprintf(message, sizeof(message), "%s takes no argument \"%.*s\"", verb,
                                 json_utf8_prefix(m->string, 60), m->string);
                        field = mem_strdup(m->string);  /* payload_fail() frees m */
                        payload_fail(p, LSC_ERRCODE_INVALID_ARGUMENT, field, message);
                        free(field);
                        return false;
                }
        return true;
}

void payload_parse(const void *data, size_t len, const struct mqtt_config *c, struct payload *ret)
{
        struct payload *p = ret;
        cJSON *reply_to, *cmd;

        *p = (struct payload) { 0 };
        p->request = payload_object(data, len, p);
        if (!p->request)
                return;
        p->id = cJSON_DetachItemFromObjectCaseSensitive(p->request, "id");
        reply_to = cJSON_DetachItemFromObjectCaseSensitive(p->request, "reply_to");
        if (reply_to && cJSON_IsString(reply_to) && payload_topic_valid(reply_to->valuestring, c))
                p->reply_to = mem_strdup(reply_to->valuestring);
        cmd = cJSON_GetObjectItemCaseSensitive(p->request, "cmd");
        if (reply_to && !p->reply_to) {
                p->request = json_free(p->request);
                p->answer = payload_topic_error("reply_to");
        } else if (!cmd)
                payload_fail(p, LSC_ERRCODE_MISSING_ARGUMENT, "cmd", "a request needs \"cmd\"");
        else if (!cJSON_IsString(cmd))
                payload_fail(p, LSC_ERRCODE_INVALID_ARGUMENT, "cmd", "cmd must be a string");
        else if (payload_verb_ok(cmd->valuestring, c, p) && payload_stop_bare(p, cmd->valuestring))
                p->verb = cmd->valuestring;
        cJSON_Delete(reply_to);
}

int payload_event_qos(const char *name)
{
        return strncmp(name, "group.", 6) == 0 || strncmp(name, "sequence.", 9) == 0 ||
               strncmp(name, "claim.", 6) == 0 || strcmp(name, "move.completed") == 0;
}

bool payload_stops(const struct payload *p)
{
        return p->verb && mqtt_config_verb_stops(p->verb);
}

void payload_done(struct payload *p)
{
        cJSON_Delete(p->request);
        cJSON_Delete(p->answer);
        cJSON_Delete(p->id);
        free(p->reply_to);
        *p = (struct payload) { 0 };
}

char *payload_answer(const cJSON *response, const cJSON *id, const char *robot)
{
        cJSON *answer = cJSON_CreateObject();
        char *text;

        if (id)
                cJSON_AddItemToObject(answer, "id", cJSON_Duplicate(id, true));
        cJSON_AddStringToObject(answer, "robot", robot);
        for (const cJSON *m = response ? response->child : NULL; m; m = m->next)
                if (strcmp(m->string, "id") != 0 && strcmp(m->string, "robot") != 0)
                        cJSON_AddItemToObject(answer, m->string, cJSON_Duplicate(m, true));
        text = mem_check(cJSON_PrintUnformatted(answer));
        cJSON_Delete(answer);
        return text;
}

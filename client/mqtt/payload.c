/* SPDX-License-Identifier: MIT */
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

bool payload_topic_valid(const char *topic)
{
        size_t len = strlen(topic);

        return len > 0 && len <= PAYLOAD_TOPIC_MAX && topic[0] != '$' && !strpbrk(topic, "+#");
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
        if (reply_to && cJSON_IsString(reply_to) && payload_topic_valid(reply_to->valuestring))
                p->reply_to = mem_strdup(reply_to->valuestring);
        cmd = cJSON_GetObjectItemCaseSensitive(p->request, "cmd");
        if (reply_to && !p->reply_to)
                payload_fail(p, LSC_ERRCODE_INVALID_ARGUMENT, "reply_to", "reply_to must be a topic "
                             "to publish to: a string without + or #, not starting with $");
        else if (!cmd)
                payload_fail(p, LSC_ERRCODE_MISSING_ARGUMENT, "cmd", "a request needs \"cmd\"");
        else if (!cJSON_IsString(cmd))
                payload_fail(p, LSC_ERRCODE_INVALID_ARGUMENT, "cmd", "cmd must be a string");
        else if (payload_verb_ok(cmd->valuestring, c, p))
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
        return p->verb && (strcmp(p->verb, "halt") == 0 || strcmp(p->verb, "group.stop") == 0);
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

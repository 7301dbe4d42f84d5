/* SPDX-License-Identifier: MIT */
/*
 * fuzz-mqtt-payload.c: fuzz target of what lscd-mqtt makes of a message on
 * a cmd topic (payload.c): any bytes, up to a little over the protocol's
 * line limit, through payload_parse() with the default configuration, then
 * payload_answer() of what it decided. The input is an allocation of
 * exactly its size, as libmosquitto hands a payload over (it adds a NUL,
 * which we must not rely on).
 *
 * Invariant: exactly one of request and answer is set.
 *  - A request is an object with a string "cmd" equal to verb, which the
 *    default configuration allows and which is none of the connection's
 *    verbs; it has no "id" and no "reply_to"; its printed JSON passes lscd's
 *    scan (UTF-8, no NUL, depth), so liblsc sends it; the input was shorter
 *    than LSC_PROTOCOL_LINE_MAX.
 *  - An answer is {"ok":false,"error":{"code","message"[,"field"]}} whose
 *    code is one of lscd's parse-time codes (invalid_json, invalid_request,
 *    missing_argument, invalid_argument, line_too_long, forbidden).
 *  - reply_to, when set, is a topic one may publish to.
 *  - payload_answer() prints JSON that parses back, with "robot" and the
 *    caller's id when there was one.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "lsc/protocol.h"
#include "mem.h"
#include "mqtt-config.h"
#include "payload.h"

static void fuzz_check_request(const struct payload *p, const struct mqtt_config *c, size_t size)
{
        const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(p->request, "cmd");
        char *text = cJSON_PrintUnformatted(p->request);

        fuzz_assert(size < LSC_PROTOCOL_LINE_MAX);
        fuzz_assert(cJSON_IsObject(p->request) && cJSON_IsString(cmd));
        fuzz_assert(p->verb == cmd->valuestring);
        fuzz_assert(mqtt_config_verb_allowed(c, p->verb));
        fuzz_assert(strcmp(p->verb, "hello") != 0 && strcmp(p->verb, "subscribe") != 0 &&
                    strcmp(p->verb, "unsubscribe") != 0);
        fuzz_assert(!cJSON_GetObjectItemCaseSensitive(p->request, "id") &&
                    !cJSON_GetObjectItemCaseSensitive(p->request, "reply_to"));
        fuzz_assert(text && json_scan(text, strlen(text), JSON_MAX_DEPTH) == JSON_SCAN_OK);
        free(text);
}

static void fuzz_check_answer(const cJSON *answer)
{
        static const enum lsc_errcode codes[] = {
                LSC_ERRCODE_INVALID_JSON, LSC_ERRCODE_INVALID_REQUEST, LSC_ERRCODE_MISSING_ARGUMENT,
                LSC_ERRCODE_INVALID_ARGUMENT, LSC_ERRCODE_LINE_TOO_LONG, LSC_ERRCODE_FORBIDDEN,
        };
        const cJSON *error = cJSON_GetObjectItemCaseSensitive(answer, "error");
        const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(error, "code"));
        bool known = false;

        fuzz_assert(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(answer, "ok")));
        fuzz_assert(code && cJSON_IsString(cJSON_GetObjectItemCaseSensitive(error, "message")));
        for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
                known = known || strcmp(code, lsc_errcode_name(codes[i])) == 0;
        fuzz_assert(known);
}

static int fuzz_mqtt_payload(const uint8_t *data, size_t size)
{
        struct mqtt_config c;
        struct payload p;
        char *text;
        cJSON *back;

        mqtt_config_init(&c);
        c.id = mem_strdup("r1");
        payload_parse(data, size, &c, &p);
        fuzz_assert((p.request == NULL) != (p.answer == NULL));
        if (p.request)
                fuzz_check_request(&p, &c, size);
        else
                fuzz_check_answer(p.answer);
        fuzz_assert(!p.reply_to || payload_topic_valid(p.reply_to, &c));
        text = payload_answer(p.answer ? p.answer : p.request, p.id, "r1");
        back = cJSON_Parse(text);
        fuzz_assert(back && strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(back, "robot")), "r1") == 0);
        fuzz_assert(!p.id || cJSON_GetObjectItemCaseSensitive(back, "id"));
        cJSON_Delete(back);
        free(text);
        payload_done(&p);
        mqtt_config_free(&c);
        return 0;
}

FUZZ_TARGET(mqtt_payload, LSC_PROTOCOL_LINE_MAX + 16, fuzz_mqtt_payload);

/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "json.h"
#include "lsc/protocol.h"
#include "mem.h"
#include "web-api.h"

/* Every code of the protocol has a status: a missing one is a compile-time
 * zero that tests/unit/test-web-api.c finds. */
static const unsigned short web_api_statuses[_LSC_ERRCODE_MAX] = {
        [LSC_ERRCODE_INVALID_JSON]     = 400,
        [LSC_ERRCODE_INVALID_REQUEST]  = 400,
        [LSC_ERRCODE_MISSING_ARGUMENT] = 400,
        [LSC_ERRCODE_INVALID_ARGUMENT] = 400,
        [LSC_ERRCODE_UNKNOWN_COMMAND]  = 404,
        [LSC_ERRCODE_LINE_TOO_LONG]    = 413,
        [LSC_ERRCODE_NOT_CONNECTED]    = 503,
        [LSC_ERRCODE_DEVICE_LOST]      = 503,
        [LSC_ERRCODE_TIMEOUT]          = 504,
        [LSC_ERRCODE_STOPPED]          = 409,
        [LSC_ERRCODE_PREEMPTED]        = 409,
        [LSC_ERRCODE_NOT_STARTED]      = 409,
        [LSC_ERRCODE_HALTED]           = 409,
        [LSC_ERRCODE_SUPERSEDED]       = 409,
        [LSC_ERRCODE_QUEUE_FULL]       = 503,
        [LSC_ERRCODE_SHUTDOWN]         = 503,
        [LSC_ERRCODE_TOO_MANY_CLIENTS] = 503,
        [LSC_ERRCODE_OUT_OF_LIMITS]    = 400,
        [LSC_ERRCODE_UNKNOWN_SERVO]    = 400,
        [LSC_ERRCODE_UNKNOWN_POSE]     = 404,
        [LSC_ERRCODE_UNKNOWN_GROUP]    = 404,
        [LSC_ERRCODE_UNKNOWN_POSITION] = 409,
        [LSC_ERRCODE_INVALID_CONFIG]   = 422,
        [LSC_ERRCODE_CLAIMED]          = 409,
        [LSC_ERRCODE_FORBIDDEN]        = 403,
        [LSC_ERRCODE_DROPPED]          = 409,
        [LSC_ERRCODE_UNKNOWN_CLAIM]    = 404,
        [LSC_ERRCODE_UNKNOWN_SEQUENCE] = 404,
        [LSC_ERRCODE_CANCELLED]        = 409,
        [LSC_ERRCODE_UNSUPPORTED]      = 501,
        [LSC_ERRCODE_IO_ERROR]         = 500,
};

static bool web_api_verb_char(char c, bool first)
{
        if (c >= 'a' && c <= 'z')
                return true;
        return !first && ((c >= '0' && c <= '9') || c == '.' || c == '_');
}

const char *web_api_verb(const char *path)
{
        const char *verb;
        size_t n = 0;

        if (strncmp(path, "/api/", 5) != 0)
                return NULL;
        verb = path + 5;
        for (; verb[n]; n++)
                if (n == WEB_API_VERB_MAX || !web_api_verb_char(verb[n], n == 0))
                        return NULL;
        return n > 0 ? verb : NULL;
}

static cJSON *web_api_fail(struct web_api_error *err, unsigned status,
                           const char *code, const char *message)
{
        *err = (struct web_api_error) { status, code, message };
        return NULL;
}

cJSON *web_api_object(const char *body, size_t len, struct web_api_error *err)
{
        const char *end = NULL;
        size_t at;
        cJSON *o;

        if (json_scan(body, len, JSON_MAX_DEPTH) != JSON_SCAN_OK || json_lex(body, len, &at) < 0)
                return web_api_fail(err, 400, "invalid_json", "the body is not JSON");
        o = cJSON_ParseWithLengthOpts(body, len, &end, false);
        if (!o || (size_t) (end - body) + strspn(end, " \t\r\n") < len) {
                cJSON_Delete(o);
                return web_api_fail(err, 400, "invalid_json", "the body is not one JSON value");
        }
        if (!cJSON_IsObject(o)) {
                cJSON_Delete(o);
                return web_api_fail(err, 400, "invalid_json", "the body is not a JSON object");
        }
        if (json_find_duplicate_key(o)) {
                cJSON_Delete(o);
                return web_api_fail(err, 400, "invalid_json", "the body repeats a key");
        }
        return o;
}

cJSON *web_api_request(const char *verb, const char *body, size_t len,
                       struct web_api_error *err)
{
        cJSON *o;

        if (len > WEB_API_BODY_MAX)
                return web_api_fail(err, 413, "line_too_long", "the body is too long");
        if (strcmp(verb, "subscribe") == 0 || strcmp(verb, "unsubscribe") == 0)
                return web_api_fail(err, 403, "forbidden", "events come from GET /api/events");
        if (strspn(body, " \t\r\n") >= len)
                o = cJSON_CreateObject();
        else if (!(o = web_api_object(body, len, err)))
                return NULL;
        if (cJSON_GetObjectItemCaseSensitive(o, "cmd") || cJSON_GetObjectItemCaseSensitive(o, "id")) {
                cJSON_Delete(o);
                return web_api_fail(err, 400, "invalid_request",
                                    "the verb is in the path and lscd-web numbers requests: no \"cmd\" or \"id\"");
        }
        cJSON_AddItemToObject(o, "cmd", cJSON_CreateString(verb));
        return o;
}

/* The verbs whose effect belongs to the lscd client that sends them. */
static const char *const web_api_session_verbs[] = { "claim", "release", "hello" };
/* The verbs that stop the robot. */
static const char *const web_api_stop_verbs[] = { "halt", "group.stop" };

static bool web_api_in(const char *verb, const char *const *list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (strcmp(verb, list[i]) == 0)
                        return true;
        return false;
}

bool web_api_needs_session(const char *verb)
{
        return web_api_in(verb, web_api_session_verbs,
                          sizeof(web_api_session_verbs) / sizeof(web_api_session_verbs[0]));
}

bool web_api_is_stop(const char *verb)
{
        return web_api_in(verb, web_api_stop_verbs,
                          sizeof(web_api_stop_verbs) / sizeof(web_api_stop_verbs[0]));
}

unsigned web_api_status_of_code(const char *code)
{
        for (unsigned i = 0; i < _LSC_ERRCODE_MAX; i++)
                if (strcmp(code, lsc_errcode_name(i)) == 0)
                        return web_api_statuses[i];
        return 502;
}

unsigned web_api_status(const cJSON *response)
{
        const cJSON *error = cJSON_GetObjectItemCaseSensitive(response, "error");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(error, "code");

        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(response, "ok")))
                return 200;
        return cJSON_IsString(code) ? web_api_status_of_code(code->valuestring) : 502;
}

char *web_api_error_text(const char *code, const char *message)
{
        cJSON *o = cJSON_CreateObject(), *e = cJSON_CreateObject();
        char *text;

        cJSON_AddBoolToObject(o, "ok", false);
        cJSON_AddStringToObject(e, "code", code);
        cJSON_AddStringToObject(e, "message", message);
        cJSON_AddItemToObject(o, "error", e);
        text = mem_check(cJSON_PrintUnformatted(o));
        cJSON_Delete(o);
        return text;
}

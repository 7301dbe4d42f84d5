/* SPDX-License-Identifier: MIT */
/*
 * fuzz-web.c: fuzz target "web", lscd-web's parsers of what a browser (or
 * anyone on the network) sends: the body of POST /api/VERB
 * (web_api_request()), the verb in the path, and the Cookie, Origin and
 * Host headers. The input is used as each of them.
 *
 * Checked: a body is either refused with a 4xx status and one of the
 * protocol's codes, or becomes an object whose "cmd" is the verb, with no
 * "id", that prints as one line of valid UTF-8 without NUL that lscd's
 * scan accepts; a verb is NULL or a suffix of the path made of the allowed
 * characters; a cookie's value fits its buffer and is a substring of the
 * header; the Origin and Host checks never accept the input with another
 * host appended.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "json.h"
#include "web-api.h"
#include "web-auth.h"

static void fuzz_web_body(const char *text, size_t size)
{
        struct web_api_error err = { 0 };
        cJSON *r = web_api_request("move", text, size, &err);
        char *line;

        if (!r) {
                fuzz_assert(err.status == 400 || err.status == 403 || err.status == 413);
                fuzz_assert(web_api_status_of_code(err.code) != 502);
                fuzz_assert(err.message && *err.message);
                return;
        }
        fuzz_assert(strcmp(cJSON_GetObjectItemCaseSensitive(r, "cmd")->valuestring, "move") == 0);
        fuzz_assert(!cJSON_GetObjectItemCaseSensitive(r, "id"));
        line = cJSON_PrintUnformatted(r);
        fuzz_assert(line);
        fuzz_assert(json_scan(line, strlen(line), JSON_MAX_DEPTH + 1) == JSON_SCAN_OK);
        fuzz_assert(!strchr(line, '\n'));
        free(line);
        cJSON_Delete(r);
}

static void fuzz_web_headers(const char *text)
{
        char path[WEB_API_VERB_MAX + 64], value[WEB_AUTH_ID_LEN + 1], *evil;
        const char *verb;
        int r;

        snprintf(path, sizeof(path), "/api/%s", text);
        verb = web_api_verb(path);
        fuzz_assert(!verb || (verb == path + 5 && strlen(verb) <= WEB_API_VERB_MAX &&
                              strspn(verb, "abcdefghijklmnopqrstuvwxyz0123456789._") == strlen(verb)));
        r = web_auth_cookie(text, WEB_AUTH_COOKIE, value, sizeof(value));
        fuzz_assert(r == -ENOENT || r == -EMSGSIZE || (r >= 0 && (size_t) r == strlen(value)));
        fuzz_assert(r < 0 || strstr(text, value));
        evil = malloc(strlen(text) + 32);
        fuzz_assert(evil);
        sprintf(evil, "http://%s.evil.example", text);
        fuzz_assert(!web_auth_origin_ok(evil, text) || strcasecmp(evil + 7, text) == 0);
        sprintf(evil, "%s.evil.example", text);
        fuzz_assert(!web_auth_host_loopback(evil) || !*text);
        free(evil);
}

static int fuzz_web_one(const uint8_t *data, size_t size)
{
        char *text = malloc(size + 1);

        fuzz_assert(text);
        memcpy(text, data, size);
        text[size] = '\0';
        fuzz_web_body(text, size);
        fuzz_web_headers(text);
        free(text);
        return 0;
}

FUZZ_TARGET(web, WEB_API_BODY_MAX + 1, fuzz_web_one);

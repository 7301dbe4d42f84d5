/* SPDX-License-Identifier: MIT */
/*
 * web-api.h: the pure mapping between lscd-web's HTTP API and lscd's
 * protocol. POST /api/VERB with a JSON object as its body becomes the
 * request {"cmd":VERB,...body}; the protocol's error codes become HTTP
 * statuses. No I/O, no clock: table-driven unit tests and a fuzz target
 * (tests/fuzz/fuzz-web.c) cover it.
 */
#ifndef LSCD_WEB_API_H
#define LSCD_WEB_API_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>

/* The longest body a POST may carry (413 beyond). */
#define WEB_API_BODY_MAX (16 * 1024)
/* The longest verb: "sequence.list" and its kin fit with room to spare. */
#define WEB_API_VERB_MAX 32

/* A request refused before it reaches lscd: its HTTP status, the
 * protocol's code and a message. */
struct web_api_error {
        unsigned status;
        const char *code;
        const char *message;
};

/* The verb of PATH ("/api/move" -> "move"), or NULL when PATH is not
 * /api/ followed by 1..WEB_API_VERB_MAX of [a-z0-9._] starting with a
 * letter. */
const char *web_api_verb(const char *path);

/* Build the request for VERB from BODY[0..LEN), NUL-terminated at LEN
 * (blank: no arguments).
 * Returns the request ({"cmd":VERB,...}) or NULL with *ERR set: 413 for a
 * body over WEB_API_BODY_MAX, 400 invalid_json for a body that is not one
 * strict JSON object, 400 invalid_request for an "id" or "cmd" member
 * (lscd-web numbers the requests itself), 403 forbidden for subscribe and
 * unsubscribe (the subscription belongs to GET /api/events). */
/* BODY as a strict JSON object, the checks lscd makes on a request line
 * (no NUL, no repeated key), or NULL with ERR set. */
cJSON *web_api_object(const char *body, size_t len, struct web_api_error *err);
cJSON *web_api_request(const char *verb, const char *body, size_t len,
                       struct web_api_error *err);

/* Whether VERB needs a session (X-LSC-Session): claim, release and hello
 * change the lscd client that sends them, and the requests without a
 * session share one, so that one script's claim would be every script's. */
bool web_api_needs_session(const char *verb);
/* Whether VERB stops the robot (halt, group.stop): it never depends on a
 * session, nor waits behind the bound on waiting requests. */
bool web_api_is_stop(const char *verb);

/* The HTTP status for the protocol's answer: 200 when it has "ok":true,
 * else the status of its error code (web_api_status_of_code()). */
unsigned web_api_status(const cJSON *response);
/* 400 bad arguments, 404 unknown names, 409 conflicts (claimed, stopped,
 * ...), 403 forbidden, 503 not_connected and other unavailability, 504
 * timeout; 502 for a code this version does not know. */
unsigned web_api_status_of_code(const char *code);

/* {"ok":false,"error":{"code":CODE,"message":MESSAGE}} as a new string. */
char *web_api_error_text(const char *code, const char *message);

#endif

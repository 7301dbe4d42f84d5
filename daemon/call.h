/* SPDX-License-Identifier: MIT */
/*
 * call.h: one request line being answered. Every line becomes a call, and
 * every call is answered exactly once (call_reply or call_fail), which frees
 * it. Until then it has exactly one owner: the verb running it, the wire
 * queue (as the frame's userdata), or a board queue. The client pointer is
 * weak: client_free() clears it, the call goes on (its frame still goes
 * out, nothing is lost) and its answer is dropped.
 */
#ifndef LSCD_CALL_H
#define LSCD_CALL_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "cmd.h"
#include "errcode.h"
#include "wire.h"

struct manager;
struct client;

struct call {
        struct manager *manager;
        struct client *client;                  /* NULL once the client is gone */
        struct call *client_prev, *client_next; /* the client's list, while client */
        struct call *queue_next;                /* a board queue, while in one */
        cJSON *id;                              /* copy of the request's id, or NULL */
        const struct cmd *cmd;                  /* NULL when the line did not parse */
        struct cmd_args args;
        size_t dropped;                         /* halt: frames dropped for it */
};

/* A call for CLIENT (may be NULL in tests) echoing ID (copied, may be NULL). */
struct call *call_new(struct manager *m, struct client *client, const cJSON *id);

/* A success response {"id":ID,"ok":true} for the caller to add results to. */
cJSON *call_response(const struct call *call);

/* Send RESPONSE (consumed; from call_response) and free the call. */
void call_reply(struct call *call, cJSON *response);
/* Answer {"ok":true} with no results. */
void call_reply_ok(struct call *call);
/* Answer an error; FIELD names the argument at fault, or NULL. */
void call_fail(struct call *call, enum errcode code, const char *field, const char *format, ...)
        __attribute__((format(printf, 4, 5)));

/* The wire's completion callback for a call's frame: on WIRE_WRITTEN the
 * verb's written() (default: ok), otherwise the matching error. */
void call_wire_done(void *userdata, enum wire_result result);

/* The error code and message for a frame that was not written. */
enum errcode call_errcode_from_wire(enum wire_result result);
const char *call_wire_message(enum wire_result result);

#endif

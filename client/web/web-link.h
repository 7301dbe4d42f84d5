/* SPDX-License-Identifier: MIT */
/*
 * web-link.h: one connection of lscd-web to lscd, through liblsc's async
 * API, as an sd-event io source. Two kinds:
 *  - the shared link carries the requests that name no session (curl,
 *    scripts); it says hello as lscd-web and takes no events;
 *  - a stream link belongs to one GET /api/events: it subscribes to every
 *    event and writes each, as it arrives, into its Server-Sent Events
 *    stream; requests with its session id (X-LSC-Session) go through it, so
 *    the claims a page takes are its own and end when the page goes away.
 */
#ifndef LSCD_WEB_LINK_H
#define LSCD_WEB_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <cjson/cJSON.h>

#include "web.h"

struct MHD_Connection;

/* One HTTP request of the API. Invariants: link is set exactly while the
 * call is in its link's calls list, waiting for lscd's answer; state is
 * WEB_CALL_WAITING exactly while its connection is suspended (counted in
 * web->n_waiting, with timer running); once DONE, status and answer hold
 * what to send. conn is NULL once libmicrohttpd completed the request
 * (a call that timed out): then link is set, and the call is freed when
 * lscd's late answer comes or the link goes. */
struct web_call {
        enum { WEB_CALL_READING, WEB_CALL_WAITING, WEB_CALL_DONE } state;
        struct web *web;
        struct MHD_Connection *conn;
        struct web_link *link;
        struct web_call *prev, *next;
        sd_event_source *timer;
        bool claim;             /* a claim: a late grant is released */
        char *body;
        size_t len;
        unsigned status;
        char *answer;
};

#define WEB_SESSION_LEN 32

/* Invariants: client is NULL once the connection broke; a stream whose
 * login ended is ended (then no call waits
 * on it); for a stream, buf[off..len) is what the page has not read yet,
 * at most WEB_STREAM_BUFFER_MAX, and suspended says whether its
 * connection waits for more. */
struct web_link {
        struct web *web;
        struct lsc_client *client;
        sd_event_source *io;
        struct web_call *calls;
        bool stream;
        char session[WEB_SESSION_LEN + 1];
        char login[WEB_AUTH_ID_LEN + 1];        /* the stream's login; empty: none */
        struct MHD_Connection *conn;
        bool suspended, ended;
        char *buf;
        size_t off, len;
        struct web_link *prev, *next;
};

int web_link_new(struct web *w, bool stream, struct web_link **ret);
/* Answer every call waiting on L (their answers will not come) with
 * STATUS, CODE and MESSAGE. */
void web_link_abandon(struct web_link *l, unsigned status, const char *code, const char *message);
/* No call may wait on it (abandon them first). Accepts NULL. */
struct web_link *web_link_free(struct web_link *l);
/* A stream at shutdown: answer its waiting calls, end its stream. */
void web_link_stop(struct web_link *l);
/* Send REQUEST for CALL, which waits (suspended) for the answer, at most
 * --request-timeout (then 504 timeout). Returns 0, or a negative errno with
 * nothing sent. */
int web_link_send(struct web_link *l, struct web_call *call, const cJSON *request);
/* Give the io source the events liblsc waits for; after every dispatch. */
void web_link_sync(struct web_link *l);

/* Stream: add TEXT (an SSE record) for the page; ends the stream when its
 * buffer is full. */
void web_link_stream_add(struct web_link *l, const char *text, size_t len);
/* End the stream: at once when its page hung up (web-conn.c watches
 * that: the page's claim must end when it goes, not at the next
 * keepalive). */
void web_link_end_stream(struct web_link *l);
/* libmicrohttpd's content reader of a stream. */
ssize_t web_link_stream_read(void *userdata, uint64_t pos, char *buf, size_t max);
/* libmicrohttpd frees a stream's response: the page has gone. */
void web_link_stream_gone(void *userdata);

/* Finish CALL with STATUS and ANSWER (taken), resuming its connection. */
void web_call_finish(struct web_call *call, unsigned status, char *answer);
/* libmicrohttpd completed CALL's request: free it, or leave it to its link
 * while lscd's answer is still due. Accepts NULL. */
void web_call_completed(struct web_call *call);

#endif

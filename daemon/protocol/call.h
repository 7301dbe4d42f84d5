/* SPDX-License-Identifier: MIT */
/*
 * call.h: one request line being answered, and the peer (the connection)
 * that sent it. Every line becomes a call, and every call is answered
 * exactly once (call_reply or call_fail), which frees it. Until then it has
 * exactly one owner: the verb running it, the wire queue (as the frame's
 * userdata), or the board (as a waiter). The peer pointer is weak:
 * peer_detach() clears it, the call goes on (its frame still goes out,
 * nothing is lost) and its answer is dropped.
 */
#ifndef LSCD_CALL_H
#define LSCD_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "board-state.h"
#include "schedule.h"
#include "cmd.h"
#include "lsc/protocol.h"

struct call;
struct peer;

/* What the protocol needs of a connection; net/client.c implements it. */
struct peer_ops {
        /* Send one message (an answer or an event). */
        void (*send)(struct peer *p, const cJSON *message);
        /* The peer's last unanswered call was answered. */
        void (*idle)(struct peer *p);
};

#define PEER_NAME_MAX 64                /* bytes of a client's name */

/* The protocol's side of a connection, embedded in the client. Invariant:
 * calls lists exactly the unanswered calls whose peer is this one, n_calls
 * of them; name is "" until the client says hello with one, and is
 * printable UTF-8 then. */
struct peer {
        const struct peer_ops *ops;
        uint64_t number;                /* unique for the daemon's lifetime */
        unsigned events;                /* subscription: event mask */
        struct call *calls;
        size_t n_calls;
        char name[PEER_NAME_MAX + 1];
        bool drop_on_disconnect;        /* hello's on_disconnect "drop" */
        bool observer;                  /* from the observe socket: reading only */
        bool has_cred;                  /* uid and pid are known (SO_PEERCRED) */
        uint32_t uid;
        int32_t pid;
        uint64_t connected;             /* CLOCK_REALTIME usec */
};

/* Detach every unanswered call: their answers will be dropped. */
void peer_detach(struct peer *p);
/* The key that keeps a peer's frames apart in the wire queue: its number,
 * not its address, which a later peer could reuse. */
const void *peer_owner(const struct peer *p);

/* Invariant: waiter is linked by the board exactly while the board owns
 * the call. */
struct call {
        struct cmd_context *ctx;
        struct peer *peer;                      /* NULL once the peer is gone */
        struct call *peer_prev, *peer_next;     /* the peer's list, while peer */
        char *id;                               /* the request's id as written, or NULL */
        const struct cmd *cmd;                  /* NULL when the line did not parse */
        struct cmd_args args;
        size_t dropped;                         /* halt: frames dropped for it */
        size_t cancelled;                       /* halt: scheduled requests cancelled */
        struct board_waiter waiter;
        struct schedule_item *scheduled;        /* waiting for its "at" */
        struct call *sched_prev, *sched_next;   /* ctx->scheduled, while scheduled */
        bool timed;                             /* it ran at its "at": the restore lane */
        unsigned epoch;                         /* ctx->board_epoch it was planned in */
        uint64_t recording;                     /* teach's record.start: its recorder's number */
};

/* A call from PEER (NULL in tests) echoing the JSON text ID[0..ID_LEN)
 * (copied; NULL for none). */
struct call *call_new(struct cmd_context *ctx, struct peer *peer, const char *id, size_t id_len);

/* Who sent CALL, for the events it causes; false once its peer is gone. */
bool call_by(const struct call *call, struct board_by *ret);

/* A success response {"id":ID,"ok":true} for the caller to add results to. */
cJSON *call_response(const struct call *call);
/* Send RESPONSE (consumed; from call_response) and free the call. */
void call_reply(struct call *call, cJSON *response);
/* Answer {"ok":true} with no results. */
void call_reply_ok(struct call *call);
/* An error response {"id","ok":false,"error":{"code","message","field"}}
 * for the caller to add to and send with call_reply(). */
cJSON *call_error(struct call *call, enum lsc_errcode code, const char *field, const char *message);
/* Answer an error; FIELD names the argument at fault, or NULL. */
void call_fail(struct call *call, enum lsc_errcode code, const char *field, const char *format, ...)
        __attribute__((format(printf, 4, 5)));

#endif

/* SPDX-License-Identifier: MIT */
/*
 * claims.h: exclusive use of servos, and of the action groups (which move
 * every servo), by one client at a time, with leases. Pure: no clock, no
 * I/O; time comes in as an argument and the caller arms one timer at
 * claims_deadline().
 *
 * A claim is held or waiting. A request that overlaps a claim held by
 * another client is refused at once (claims_request without wait), or
 * waits in one first-come queue: a waiting claim is granted as soon as it
 * overlaps neither a held claim nor a claim that waited longer, so nobody
 * starves and nobody waits for what is free. A held claim with a lease
 * expires when its owner sends nothing for lease_usec (claims_renew on
 * every request); it also ends when its owner goes away, or is released.
 */
#ifndef LSCD_CLAIMS_H
#define LSCD_CLAIMS_H

#include <stdbool.h>
#include <stdint.h>

#include "lsc/frame.h"
#include "model.h"

#define CLAIMS_NEVER UINT64_MAX
#define CLAIMS_PER_OWNER_MAX 32         /* claims one client may hold */
/* Every servo id, 1..32. */
#define CLAIMS_ALL_SERVOS (((UINT64_C(1) << (LSC_SERVO_ID_MAX + 1)) - 1) & ~UINT64_C(1))

/* What runs when a claim ends other than by release. */
enum claims_safe {
        CLAIMS_SAFE_NONE,       /* nothing moves */
        CLAIMS_SAFE_STOP,       /* STOP a running group */
        CLAIMS_SAFE_POSE,       /* move to the pose safe_pose ("home" for home) */
};

enum claims_end {
        CLAIMS_RELEASED,
        CLAIMS_EXPIRED_LEASE,
        CLAIMS_EXPIRED_DISCONNECT,
};

/* Invariants: servos is a subset of CLAIMS_ALL_SERVOS, and servos or
 * groups is set; held claims of different owners never overlap; expires
 * is CLAIMS_NEVER without a lease; a waiting claim has a waiter. */
struct claim {
        struct claim *next;
        uint64_t id;                    /* unique for the daemon's lifetime, from 1 */
        uint64_t owner;                 /* the client's number */
        char owner_name[65];            /* its name when it claimed, for messages */
        int32_t owner_pid;              /* 0: unknown */
        uint64_t servos;                /* bit N: servo id N */
        bool groups;
        uint64_t lease_usec;            /* 0: no lease */
        uint64_t expires;               /* held: the lease's end */
        enum claims_safe safe;
        char safe_pose[MODEL_NAME_MAX + 1];
        bool held;
        uint64_t wait_until;            /* waiting: when it times out; CLAIMS_NEVER */
        void *waiter;                   /* waiting: the request to answer; NULL once held */
};

struct claims_ops {
        /* The waiting claim C was granted (now held), or timed out (and is
         * freed after the call), or its owner went away (likewise). */
        void (*granted)(void *userdata, struct claim *c);
        void (*timed_out)(void *userdata, struct claim *c);
        void (*cancelled)(void *userdata, struct claim *c);
        /* The held claim C ended HOW; it is freed after the call. For an
         * expiry the caller drops the owner's frames and runs C's safe
         * action. */
        void (*ended)(void *userdata, const struct claim *c, enum claims_end how);
};

/* Invariant: held and waiting are FIFOs, each in the order of arrival. */
struct claims {
        const struct claims_ops *ops;
        void *userdata;
        struct claim *held, *held_tail;
        struct claim *waiting, *waiting_tail;
        uint64_t last_id;
};

void claims_init(struct claims *s, const struct claims_ops *ops, void *userdata);
/* Cancel every waiting claim and free every claim, without calls for the
 * held ones (lscd is stopping). */
void claims_done(struct claims *s);

/* The held claim of another owner than OWNER overlapping SERVOS (and the
 * groups, when GROUPS), or NULL. */
const struct claim *claims_conflict(const struct claims *s, uint64_t owner, uint64_t servos,
                                    bool groups);

/* Claim WANT (owner, servos, groups, lease, safe, owner_name) at NOW.
 * Granted: returns 0 with *ret the held claim. Overlapping another
 * owner's held claim (or, with WAIT, a claim waiting longer): without
 * WAIT returns -EBUSY with *ret the holder; with WAIT queues it (waiter,
 * timing out at WAIT_UNTIL) and returns 1 with *ret the waiting claim.
 * Overlapping a claim the owner holds already: -EEXIST with *ret that
 * claim; the owner holding CLAIMS_PER_OWNER_MAX claims: -ENOSPC. */
int claims_request(struct claims *s, const struct claim *want, bool wait, uint64_t wait_until,
                   void *waiter, uint64_t now, struct claim **ret);

/* OWNER sent a request at NOW: its leases start again. */
void claims_renew(struct claims *s, uint64_t owner, uint64_t now);
/* Release OWNER's held claim ID (0: every one of them) at NOW. Returns how
 * many, or -ENOENT when ID is no held claim of OWNER. */
int claims_release(struct claims *s, uint64_t owner, uint64_t id, uint64_t now);
/* OWNER went away: its held claims expire (CLAIMS_EXPIRED_DISCONNECT),
 * its waiting ones are cancelled. */
void claims_owner_gone(struct claims *s, uint64_t owner, uint64_t now);

/* When claims_expire() has something to do, or CLAIMS_NEVER. */
uint64_t claims_deadline(const struct claims *s);
/* Expire the leases and time out the waits due at NOW. */
void claims_expire(struct claims *s, uint64_t now);

#endif

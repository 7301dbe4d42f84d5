/* SPDX-License-Identifier: MIT */
/*
 * web-auth.h: the pure checks that guard lscd-web: the login cookie, the
 * Origin and Host of a request, the token comparison and the table of
 * logins. Time and randomness come in as arguments; no I/O.
 */
#ifndef LSCD_WEB_AUTH_H
#define LSCD_WEB_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_AUTH_COOKIE "lscd_web"
/* A login's value: 32 random bytes in hexadecimal. */
#define WEB_AUTH_ID_LEN 64
#define WEB_AUTH_LOGINS 16
#define WEB_AUTH_LOGIN_USEC (12ULL * 3600 * 1000000)

/* The value of cookie NAME in a Cookie header ("a=1; b=2"), copied into
 * OUT (SIZE bytes, NUL-terminated). Returns its length, or -ENOENT when
 * absent, -EMSGSIZE when it does not fit. */
int web_auth_cookie(const char *header, const char *name, char *out, size_t size);

/* Whether ORIGIN ("http://host:port", or NULL when the request had none) is
 * the origin of a page served at HOST (the Host header) over http or https.
 * A present Origin that is "null" or another site is refused. */
bool web_auth_origin_ok(const char *origin, const char *host);
/* Whether HOST names the loopback interface (an address of 127.0.0.0/8,
 * [::1], localhost, with or without a port), the addresses --listen takes
 * for loopback: without a login, lscd-web answers only such requests, so
 * that a site whose name is rebound to 127.0.0.1 cannot. */
bool web_auth_host_loopback(const char *host);
/* A and B equal, in a time that does not depend on where they differ. */
bool web_auth_equal(const char *a, size_t a_len, const char *b, size_t b_len);

/* Logins: their ids and when each ends. Invariant: an id is
 * WEB_AUTH_ID_LEN hex digits, or empty for a free slot. */
struct web_auth_logins {
        struct {
                char id[WEB_AUTH_ID_LEN + 1];
                uint64_t until;
        } slot[WEB_AUTH_LOGINS];
};

/* Record a login made of RANDOM (WEB_AUTH_ID_LEN / 2 bytes) at NOW (µs):
 * it takes a free or ended slot, else the one that ends first. Returns its
 * id, valid until the slot is reused. */
const char *web_auth_login(struct web_auth_logins *l, const uint8_t *random, uint64_t now);
/* Whether ID is a login that has not ended at NOW. */
bool web_auth_valid(const struct web_auth_logins *l, const char *id, uint64_t now);
/* End the login ID, if it is one. */
void web_auth_logout(struct web_auth_logins *l, const char *id);

/* Wrong tokens, by the address that sent them: after WEB_AUTH_FAILURES
 * within WEB_AUTH_FAILURES_USEC of the first, that address may not try
 * another until the window ends. Invariant: a slot whose count is 0, or
 * whose window has ended, is free; when the table is full it forgets the
 * address not yet throttled whose window began first, never a throttled
 * one (a new address then goes uncounted until a slot frees). */
#define WEB_AUTH_FAILURES 5
#define WEB_AUTH_FAILURES_USEC (60ULL * 1000000)
#define WEB_AUTH_FAILURE_SLOTS 64

struct web_auth_throttle {
        struct {
                uint8_t addr[16];
                uint64_t since;
                unsigned count;
        } slot[WEB_AUTH_FAILURE_SLOTS];
};

/* How long (µs) ADDR (16 bytes: IPv6, or IPv4 mapped) must wait at NOW
 * before it may try a token again; 0: it may now. */
uint64_t web_auth_throttle_wait(const struct web_auth_throttle *t, const uint8_t *addr, uint64_t now);
/* Count a wrong token from ADDR at NOW. */
void web_auth_throttle_fail(struct web_auth_throttle *t, const uint8_t *addr, uint64_t now);

#endif

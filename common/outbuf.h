/* SPDX-License-Identifier: MIT */
/*
 * outbuf.h: an immutable, reference-counted line of output. An event is
 * serialised once into an outbuf and every subscriber's output queue holds
 * a reference to the same bytes, however many clients lag behind.
 */
#ifndef LSCD_OUTBUF_H
#define LSCD_OUTBUF_H

#include <stddef.h>

/* Invariant: refs >= 1 while reachable; data is never modified. */
struct outbuf {
        unsigned refs;
        size_t len;
        char data[];
};

/* A copy of LEN bytes at DATA with one reference, or NULL (no memory). */
struct outbuf *outbuf_new(const char *data, size_t len);
struct outbuf *outbuf_ref(struct outbuf *b);
/* Drops one reference; frees on the last. Accepts NULL; returns NULL. */
struct outbuf *outbuf_unref(struct outbuf *b);

#endif

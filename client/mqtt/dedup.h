/* SPDX-License-Identifier: MIT */
/*
 * dedup.h: the bounded memory of requests already taken, so that a request
 * delivered twice (QoS 1 redelivery, a client's retry) with the same key
 * (its reply topic and correlation data) is executed once and answered
 * with the same answer. Pure: time comes in as an argument.
 */
#ifndef LSCD_MQTT_DEDUP_H
#define LSCD_MQTT_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#define DEDUP_ENTRIES 1024              /* keys remembered */
#define DEDUP_BYTES_MAX (4 * 1024 * 1024) /* bytes of keys and answers remembered */
#define DEDUP_KEY_MAX (256 * 1024)      /* bytes of a key; longer ones are not remembered */
#define DEDUP_WINDOW_USEC (120 * 1000000ULL) /* how long an answered key is remembered */

/* A key taken: pending (answer NULL) until dedup_answer(). Invariant:
 * serial is unique over the cache's life, never 0. */
struct dedup_entry {
        uint64_t serial;
        uint64_t taken;                 /* usec, caller's clock */
        char *answer;
        size_t key_len;
        unsigned char *key;
};

/* Invariant: n entries in taken order, oldest first; at most DEDUP_ENTRIES;
 * bytes, the sum of their keys' and answers' lengths, at most
 * DEDUP_BYTES_MAX once dedup_take() or dedup_answer() returned. */
struct dedup {
        struct dedup_entry *entries;
        size_t n;
        size_t bytes;
        uint64_t next_serial;
};

struct dedup *dedup_new(void);
struct dedup *dedup_free(struct dedup *d);
/* The entry of KEY taken within the window before NOW, or NULL. */
const struct dedup_entry *dedup_find(struct dedup *d, const void *key, size_t len, uint64_t now);
/* Remember KEY as pending; returns its serial, or 0 when the key is too
 * long to remember. Forgets answered entries past the window, then, while
 * full (in entries or bytes), the oldest answered one, or when all are
 * pending, the oldest. */
uint64_t dedup_take(struct dedup *d, const void *key, size_t len, uint64_t now);
/* Forget the entry SERIAL: its request did not run, a retry may. */
void dedup_forget(struct dedup *d, uint64_t serial);
/* The answer of the entry SERIAL, copied in, if it is still remembered;
 * older entries are forgotten while the bytes are over the bound, and the
 * entry itself when its answer alone is. */
void dedup_answer(struct dedup *d, uint64_t serial, const char *answer);

#endif

/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "dedup.h"
#include "mem.h"

struct dedup *dedup_new(void)
{
        struct dedup *d = mem_new0(struct dedup);

        d->entries = mem_realloc_array(NULL, DEDUP_ENTRIES, sizeof(*d->entries));
        d->next_serial = 1;
        return d;
}

struct dedup *dedup_free(struct dedup *d)
{
        if (!d)
                return NULL;
        for (size_t i = 0; i < d->n; i++) {
                free(d->entries[i].answer);
                free(d->entries[i].key);
        }
        free(d->entries);
        free(d);
        return NULL;
}

static size_t dedup_entry_bytes(const struct dedup_entry *e)
{
        return e->key_len + (e->answer ? strlen(e->answer) : 0);
}

static void dedup_remove(struct dedup *d, size_t i)
{
        d->bytes -= dedup_entry_bytes(&d->entries[i]);
        free(d->entries[i].answer);
        free(d->entries[i].key);
        memmove(&d->entries[i], &d->entries[i + 1], (d->n - i - 1) * sizeof(*d->entries));
        d->n--;
}

static bool dedup_expired(const struct dedup_entry *e, uint64_t now)
{
        return e->answer && now - e->taken > DEDUP_WINDOW_USEC;
}

const struct dedup_entry *dedup_find(struct dedup *d, const void *key, size_t len, uint64_t now)
{
        for (size_t i = d->n; i-- > 0;) {
                const struct dedup_entry *e = &d->entries[i];

                if (e->key_len == len && memcmp(e->key, key, len) == 0)
                        return dedup_expired(e, now) ? NULL : e;
        }
        return NULL;
}

/* Forget the oldest answered entry other than KEEP (or the oldest one,
 * when all are pending) while D holds more than ENTRIES or BYTES. */
static void dedup_shrink(struct dedup *d, size_t entries, size_t bytes, uint64_t keep)
{
        while (d->n > 0 && (d->n > entries || d->bytes > bytes)) {
                size_t victim = 0;

                while (victim < d->n && (!d->entries[victim].answer ||
                                         d->entries[victim].serial == keep))
                        victim++;
                if (victim == d->n)
                        victim = d->entries[0].serial == keep && d->n > 1 ? 1 : 0;
                dedup_remove(d, victim);
        }
}

uint64_t dedup_take(struct dedup *d, const void *key, size_t len, uint64_t now)
{
        struct dedup_entry *e;

        if (len > DEDUP_KEY_MAX)
                return 0;
        for (size_t i = d->n; i-- > 0;)
                if (dedup_expired(&d->entries[i], now))
                        dedup_remove(d, i);
        dedup_shrink(d, DEDUP_ENTRIES - 1, DEDUP_BYTES_MAX - len, 0);
        e = &d->entries[d->n++];
        e->serial = d->next_serial++;
        e->taken = now;
        e->answer = NULL;
        e->key_len = len;
        e->key = mem_alloc(len ? len : 1);
        memcpy(e->key, key, len);
        d->bytes += len;
        return e->serial;
}

static struct dedup_entry *dedup_entry(struct dedup *d, uint64_t serial, size_t *ret_index)
{
        for (size_t i = 0; i < d->n; i++)
                if (d->entries[i].serial == serial) {
                        *ret_index = i;
                        return &d->entries[i];
                }
        return NULL;
}

void dedup_forget(struct dedup *d, uint64_t serial)
{
        size_t i;

        if (dedup_entry(d, serial, &i))
                dedup_remove(d, i);
}

void dedup_answer(struct dedup *d, uint64_t serial, const char *answer)
{
        size_t i;
        struct dedup_entry *e = dedup_entry(d, serial, &i);

        if (!e)
                return;
        d->bytes -= dedup_entry_bytes(e);
        free(e->answer);
        e->answer = mem_strdup(answer);
        d->bytes += dedup_entry_bytes(e);
        if (d->bytes > DEDUP_BYTES_MAX)
                dedup_shrink(d, DEDUP_ENTRIES, DEDUP_BYTES_MAX, dedup_entry_bytes(e) > DEDUP_BYTES_MAX ?
                             0 : serial);
}

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
        for (size_t i = 0; i < d->n; i++)
                free(d->entries[i].answer);
        free(d->entries);
        free(d);
        return NULL;
}

static void dedup_remove(struct dedup *d, size_t i)
{
        free(d->entries[i].answer);
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

uint64_t dedup_take(struct dedup *d, const void *key, size_t len, uint64_t now)
{
        struct dedup_entry *e;
        size_t victim = 0;

        if (len > DEDUP_KEY_MAX)
                return 0;
        for (size_t i = d->n; i-- > 0;)
                if (dedup_expired(&d->entries[i], now))
                        dedup_remove(d, i);
        if (d->n == DEDUP_ENTRIES) {
                while (victim < d->n && !d->entries[victim].answer)
                        victim++;
                dedup_remove(d, victim < d->n ? victim : 0);
        }
        e = &d->entries[d->n++];
        e->serial = d->next_serial++;
        e->taken = now;
        e->answer = NULL;
        e->key_len = len;
        memcpy(e->key, key, len);
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

        if (e) {
                free(e->answer);
                e->answer = mem_strdup(answer);
        }
}

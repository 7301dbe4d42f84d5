/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sequence-cache.h"

struct sequence_cache *sequence_cache_new(void)
{
        return mem_new0(struct sequence_cache);
}

static void sequence_cache_entry_clear(struct sequence_cache_entry *e)
{
        free(e->path);
        free(e->summary.error);
}

struct sequence_cache *sequence_cache_free(struct sequence_cache *c)
{
        if (!c)
                return NULL;
        for (size_t i = 0; i < c->n; i++)
                sequence_cache_entry_clear(&c->entries[i]);
        free(c->entries);
        free(c);
        return NULL;
}

void sequence_file_id_of(const struct stat *st, struct sequence_file_id *ret)
{
        *ret = (struct sequence_file_id) {
                .dev = (uint64_t) st->st_dev, .ino = (uint64_t) st->st_ino,
                .size = (uint64_t) st->st_size,
                .mtime_ns = (int64_t) st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
                .ctime_ns = (int64_t) st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec,
        };
}

static bool sequence_file_id_equal(const struct sequence_file_id *a,
                                   const struct sequence_file_id *b)
{
        return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
               a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* PATH's entry or NULL, looked for from c->next on. */
static struct sequence_cache_entry *sequence_cache_entry(struct sequence_cache *c,
                                                         const char *path)
{
        for (size_t k = 0; k < c->n; k++) {
                size_t i = (c->next + k) % c->n;

                if (strcmp(c->entries[i].path, path) == 0) {
                        c->next = i + 1;
                        return &c->entries[i];
                }
        }
        return NULL;
}

const struct sequence_summary *sequence_cache_find(struct sequence_cache *c, const char *path,
                                                   const struct sequence_file_id *id)
{
        struct sequence_cache_entry *e = sequence_cache_entry(c, path);

        if (!e || !sequence_file_id_equal(&e->id, id))
                return NULL;
        e->seen = true;
        return &e->summary;
}

const struct sequence_summary *sequence_cache_put(struct sequence_cache *c, const char *path,
                                                  const struct sequence_file_id *id,
                                                  const struct sequence *seq, const char *errors)
{
        struct sequence_cache_entry *e = sequence_cache_entry(c, path);

        if (e) {
                sequence_cache_entry_clear(e);
        } else {
                if (c->n == c->room) {
                        c->room = c->room ? 2 * c->room : 16;
                        c->entries = mem_realloc_array(c->entries, c->room, sizeof(*c->entries));
                }
                e = &c->entries[c->n++];
                c->next = c->n;
        }
        *e = (struct sequence_cache_entry) { .path = mem_strdup(path), .id = *id, .seen = true };
        if (!seq) {
                e->summary.error = mem_strdup(errors);
                e->summary.error[strcspn(e->summary.error, "\n")] = '\0';
                return &e->summary;
        }
        e->summary.steps = seq->n_steps;
        for (size_t i = 0; i < seq->n_steps; i++)
                e->summary.duration_ms += (uint64_t) seq->steps[i].time_ms + seq->steps[i].hold_ms;
        return &e->summary;
}

void sequence_cache_sweep(struct sequence_cache *c)
{
        size_t kept = 0;

        for (size_t i = 0; i < c->n; i++) {
                if (c->entries[i].seen) {
                        c->entries[i].seen = false;
                        c->entries[kept++] = c->entries[i];
                } else {
                        sequence_cache_entry_clear(&c->entries[i]);
                }
        }
        c->n = kept;
        c->next = 0;
}

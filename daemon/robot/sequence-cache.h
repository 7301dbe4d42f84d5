/* SPDX-License-Identifier: MIT */
/*
 * sequence-cache.h: what sequence.list says of each sequence file (its
 * steps and duration, or the error that keeps it from playing), kept by
 * the file's identity from stat(), so that listing an unchanged file costs
 * one stat() and not a read and a parse. A file whose identity changed
 * (rewritten, replaced, touched) is read again. Pure: the caller stats
 * and reads the files.
 */
#ifndef LSCD_SEQUENCE_CACHE_H
#define LSCD_SEQUENCE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "sequence.h"

/* A file as stat() sees it: any write changes size, mtime or ctime. */
struct sequence_file_id {
        uint64_t dev, ino, size;
        int64_t mtime_ns, ctime_ns;
};

/* error NULL: a valid file of steps steps lasting duration_ms at speed 100. */
struct sequence_summary {
        size_t steps;
        uint64_t duration_ms;
        char *error;                    /* its first line, or NULL */
};

/* Invariant: paths distinct; each summary is that of its file when it had
 * id. seen: found or put since the last sweep. */
struct sequence_cache_entry {
        char *path;
        struct sequence_file_id id;
        struct sequence_summary summary;
        bool seen;
};

/* Invariant: entries holds n entries (room allocated); next is where the
 * next lookup starts (a directory is listed in the same order each time). */
struct sequence_cache {
        struct sequence_cache_entry *entries;
        size_t n, room, next;
};

struct sequence_cache *sequence_cache_new(void);
struct sequence_cache *sequence_cache_free(struct sequence_cache *c);

void sequence_file_id_of(const struct stat *st, struct sequence_file_id *ret);

/* PATH's summary if it was put with identity ID, else NULL. */
const struct sequence_summary *sequence_cache_find(struct sequence_cache *c, const char *path,
                                                   const struct sequence_file_id *id);
/* PATH with identity ID is SEQ, or when SEQ is NULL fails with ERRORS
 * (its first line is kept): its summary, replacing any other of PATH. */
const struct sequence_summary *sequence_cache_put(struct sequence_cache *c, const char *path,
                                                  const struct sequence_file_id *id,
                                                  const struct sequence *seq, const char *errors);
/* Forget the files neither found nor put since the last sweep (gone). */
void sequence_cache_sweep(struct sequence_cache *c);

#endif

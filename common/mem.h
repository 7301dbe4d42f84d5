/* SPDX-License-Identifier: MIT */
/*
 * mem.h: the out-of-memory policy of lscd and its programs, as in redis
 * and tmux: an allocation that fails logs one line and aborts. A daemon
 * that half-answers requests or drops events under memory pressure would
 * break the protocol's promise (every request answered exactly once); a
 * restart by systemd keeps it. Libraries (liblsc) never abort: they
 * return -ENOMEM to their caller.
 */
#ifndef LSC_MEM_H
#define LSC_MEM_H

#include <stddef.h>

/* Log "Out of memory" and abort(). */
_Noreturn void mem_oom(void);

/* malloc/calloc/strdup that never return NULL. */
void *mem_alloc(size_t size);
void *mem_alloc0(size_t size);
char *mem_strdup(const char *s);
/* P resized to N elements of SIZE bytes (reallocarray), never NULL. */
void *mem_realloc_array(void *p, size_t n, size_t size);
/* A new string, formatted as printf() does. */
char *mem_printf(const char *format, ...) __attribute__((format(printf, 1, 2)));
#define mem_new0(type) ((type *) mem_alloc0(sizeof(type)))

/* P, or abort when it is NULL: for the result of a library-safe function
 * (one that reports failure) in a program that aborts. */
static inline void *mem_check(void *p)
{
        if (!p)
                mem_oom();
        return p;
}

/* Make cJSON allocate with mem_alloc(): after this, no cJSON call fails
 * for lack of memory, so its results need no NULL checks. */
void mem_json_hooks(void);

#endif

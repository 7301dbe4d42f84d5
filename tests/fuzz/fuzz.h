/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h: the fuzz targets and the one registry the drivers take them from.
 * A target is a file tests/fuzz/fuzz-NAME.c that states its invariant at
 * its top, checks it with fuzz_assert() and ends with FUZZ_TARGET(); its
 * seed corpus is tests/fuzz/corpus/NAME/. Every target linked in is run by
 * each driver: libfuzzer.c (tests/fuzz/fuzz NAME, and fuzz-all.sh for all
 * of them) and replay.c (its corpus, in every make check).
 */
#ifndef LSCD_FUZZ_H
#define LSCD_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Invariants: names are unique; max_len > 0, derived from the limits of the
 * code the target feeds, is the longest input worth generating; one()
 * returns 0, or -1 for an input that must not enter the corpus, and aborts
 * through fuzz_fail() when a check fails. */
struct fuzz_target {
        const char *name;
        size_t max_len;
        int (*one)(const uint8_t *data, size_t size);
        struct fuzz_target *next;       /* the registry, by name */
};

void fuzz_register(struct fuzz_target *t);
/* The registered targets, in name order. */
const struct fuzz_target *fuzz_targets(void);
const struct fuzz_target *fuzz_target_find(const char *name);

_Noreturn void fuzz_fail(const char *file, int line, const char *what);
#define fuzz_assert(cond) ((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))

/* Registers the target when the program starts, so that adding a target
 * to the build adds it to every driver. */
#define FUZZ_TARGET(NAME, MAX_LEN, ONE)                                         \
        __attribute__((constructor)) static void fuzz_register_##NAME(void)     \
        {                                                                       \
                static struct fuzz_target t = { #NAME, (MAX_LEN), (ONE), NULL }; \
                fuzz_register(&t);                                              \
        }                                                                       \
        _Static_assert((MAX_LEN) > 0, #NAME ": inputs of some length")

#endif

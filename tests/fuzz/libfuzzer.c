/* SPDX-License-Identifier: MIT */
/*
 * libfuzzer.c: libFuzzer's entry points for every registered target, built
 * as tests/fuzz/fuzz with --enable-fuzzing (CC=clang):
 *
 *     tests/fuzz/fuzz NAME [libFuzzer options] [CORPUS_DIR|FILE...]
 *     tests/fuzz/fuzz --list            the targets' names, one a line
 *
 * The target is remembered in $LSC_FUZZ_TARGET for the processes libFuzzer
 * starts itself (-fork, -jobs, -merge), which get the options but not NAME.
 * -max_len defaults to the target's max_len, taken from the limits of the
 * code: libFuzzer's own default (the longest seed, at least 4096 bytes)
 * would never try a longer input. A -max_len given after NAME wins.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct fuzz_target *libfuzzer_target;

static void libfuzzer_list(FILE *out)
{
        for (const struct fuzz_target *t = fuzz_targets(); t; t = t->next)
                fprintf(out, "%s\n", t->name);
}

/* The target NAME of argv[1] or of the environment; exits if there is none. */
static const struct fuzz_target *libfuzzer_choose(int *argc, char **argv)
{
        const char *name = getenv("LSC_FUZZ_TARGET");
        const struct fuzz_target *t;

        if (*argc > 1 && fuzz_target_find(argv[1])) {
                name = argv[1];
                memmove(argv + 1, argv + 2, (size_t) (*argc - 1) * sizeof(*argv));
                (*argc)--;
        }
        t = name ? fuzz_target_find(name) : NULL;
        if (!t) {
                fprintf(stderr, "usage: %s NAME [libFuzzer options] [CORPUS_DIR|FILE...]\n"
                        "NAME is one of:\n", argv[0]);
                libfuzzer_list(stderr);
                exit(2);
        }
        if (setenv("LSC_FUZZ_TARGET", t->name, 1) < 0) {
                perror("setenv");
                exit(1);
        }
        return t;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
        static char max_len[64];
        static char **args;

        if (*argc == 2 && strcmp((*argv)[1], "--list") == 0) {
                libfuzzer_list(stdout);
                exit(0);
        }
        libfuzzer_target = libfuzzer_choose(argc, *argv);
        args = calloc((size_t) *argc + 2, sizeof(*args));
        if (!args) {
                perror("calloc");
                exit(1);
        }
        snprintf(max_len, sizeof(max_len), "-max_len=%zu", libfuzzer_target->max_len);
        args[0] = (*argv)[0];
        args[1] = max_len;
        memcpy(args + 2, *argv + 1, (size_t) (*argc - 1) * sizeof(*args));
        (*argc)++;
        *argv = args;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        return libfuzzer_target->one(data, size);
}

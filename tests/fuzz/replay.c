/* SPDX-License-Identifier: MIT */
/*
 * replay.c: every registered fuzz target over its corpus without libFuzzer,
 * so that make check replays each corpus file with the ordinary compiler
 * (and the sanitizers, or valgrind: memcheck.sh).
 *
 *     replay                      each target over FUZZ_CORPUS/NAME/
 *     replay NAME [DIR|FILE]...   one target (default: its corpus)
 *
 * Prints TAP, one test point per file, in name order. A file fails that
 * is longer than its target's max_len (libFuzzer would never make it) or
 * that the target refuses (returns -1), and so does a target without a
 * corpus file. A failed check in a target aborts, which the TAP driver
 * reports as an error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

struct replay {
        const struct fuzz_target *target;
        unsigned tests;                 /* test points printed */
        unsigned failed;                /* of which "not ok" */
};

/* A corpus file is named NAME/FILE, any other file by the target and its path. */
static void replay_result(struct replay *r, const char *path, const char *error, size_t size)
{
        size_t n = strlen(FUZZ_CORPUS "/");
        const char *in = strncmp(path, FUZZ_CORPUS "/", n) == 0 ? path + n : NULL;

        r->tests++;
        if (in)
                printf("%sok %u - %s", error ? "not " : "", r->tests, in);
        else
                printf("%sok %u - %s: %s", error ? "not " : "", r->tests, r->target->name, path);
        if (error) {
                r->failed++;
                printf(": %s\n", error);
        } else {
                printf(" (%zu bytes)\n", size);
        }
        fflush(stdout);
}

/* Replay one file from an allocation of its exact size, as libFuzzer does,
 * so that the sanitizers see any read past the end. */
static void replay_file(struct replay *r, const char *path, size_t size)
{
        uint8_t *data = malloc(size ? size : 1);
        FILE *f = fopen(path, "rb");
        const char *error = NULL;

        if (!data)
                error = "out of memory";
        else if (!f)
                error = strerror(errno);
        else if (fread(data, 1, size, f) != size)
                error = "short read";
        if (f)
                fclose(f);
        if (!error && size > r->target->max_len)
                error = "longer than the target's max_len";
        if (!error && r->target->one(data, size) != 0)
                error = "refused by the target";
        free(data);
        replay_result(r, path, error, size);
}

static int replay_visible(const struct dirent *e)
{
        return e->d_name[0] != '.';
}

static void replay_path(struct replay *r, const char *path);

static void replay_dir(struct replay *r, const char *dir)
{
        struct dirent **names;
        int n = scandir(dir, &names, replay_visible, alphasort);

        if (n < 0) {
                replay_result(r, dir, strerror(errno), 0);
                return;
        }
        for (int i = 0; i < n; i++) {
                char path[4096];

                if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name) <
                    sizeof(path))
                        replay_path(r, path);
                else
                        replay_result(r, names[i]->d_name, "path too long", 0);
                free(names[i]);
        }
        free(names);
}

static void replay_path(struct replay *r, const char *path)
{
        struct stat st;

        if (stat(path, &st) < 0)
                replay_result(r, path, strerror(errno), 0);
        else if (S_ISDIR(st.st_mode))
                replay_dir(r, path);
        else
                replay_file(r, path, (size_t)st.st_size);
}

/* The target over the paths, or over its corpus if there are none. */
static void replay_target(struct replay *r, const struct fuzz_target *t, int n, char **paths)
{
        char corpus[4096];
        unsigned before = r->tests;

        r->target = t;
        snprintf(corpus, sizeof(corpus), "%s/%s", FUZZ_CORPUS, t->name);
        if (n == 0)
                replay_path(r, corpus);
        for (int i = 0; i < n; i++)
                replay_path(r, paths[i]);
        if (r->tests == before)
                replay_result(r, n == 0 ? corpus : paths[0], "no corpus file found", 0);
}

int main(int argc, char **argv)
{
        struct replay r = { NULL, 0, 0 };
        const struct fuzz_target *t;

        if (!fuzz_targets()) {
                printf("not ok 1 - no fuzz target is linked in\n1..1\n");
                return EXIT_FAILURE;
        }
        if (argc < 2) {
                for (t = fuzz_targets(); t; t = t->next)
                        replay_target(&r, t, 0, NULL);
        } else if ((t = fuzz_target_find(argv[1]))) {
                replay_target(&r, t, argc - 2, argv + 2);
        } else {
                fprintf(stderr, "usage: %s [NAME [DIR|FILE]...]\n", argv[0]);
                return 2;
        }
        printf("1..%u\n", r.tests);
        return r.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
/*
 * replay.c: run a libFuzzer target's LLVMFuzzerTestOneInput() over a corpus
 * without libFuzzer, so that make check replays every corpus file with the
 * ordinary compiler (and the sanitizers, when configured).
 *
 *     replay-NAME [DIR|FILE]...     default: the FUZZ_CORPUS it was built for
 *
 * Prints TAP, one test point per file, in name order. A failed check in the
 * target aborts, which the TAP driver reports as an error.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct replay {
        unsigned tests;                 /* test points printed */
        unsigned failed;                /* of which "not ok" */
};

static void replay_result(struct replay *r, const char *path, const char *error, size_t size)
{
        r->tests++;
        if (error) {
                r->failed++;
                printf("not ok %u - %s: %s\n", r->tests, path, error);
        } else {
                printf("ok %u - %s (%zu bytes)\n", r->tests, path, size);
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
        if (!error)
                LLVMFuzzerTestOneInput(data, size);
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

int main(int argc, char **argv)
{
        struct replay r = { 0, 0 };

        if (argc < 2)
                replay_path(&r, FUZZ_CORPUS);
        for (int i = 1; i < argc; i++)
                replay_path(&r, argv[i]);
        if (r.tests == 0)
                replay_result(&r, argc < 2 ? FUZZ_CORPUS : argv[1], "no corpus file found", 0);
        printf("1..%u\n", r.tests);
        return r.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

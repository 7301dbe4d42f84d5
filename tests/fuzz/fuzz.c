/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"

static struct fuzz_target *fuzz_list;     /* by name */

void fuzz_register(struct fuzz_target *t)
{
        struct fuzz_target **at = &fuzz_list;

        while (*at && strcmp((*at)->name, t->name) < 0)
                at = &(*at)->next;
        if (*at && strcmp((*at)->name, t->name) == 0)
                fuzz_fail(__FILE__, __LINE__, "two targets of the same name");
        t->next = *at;
        *at = t;
}

const struct fuzz_target *fuzz_targets(void)
{
        return fuzz_list;
}

const struct fuzz_target *fuzz_target_find(const char *name)
{
        const struct fuzz_target *t = fuzz_list;

        while (t && strcmp(t->name, name) != 0)
                t = t->next;
        return t;
}

_Noreturn void fuzz_fail(const char *file, int line, const char *what)
{
        const char *base = strrchr(file, '/');

        fprintf(stderr, "%s:%d: check failed: %s\n", base ? base + 1 : file, line, what);
        abort();
}

/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>

#include "mem.h"

_Noreturn void mem_oom(void)
{
        static const char line[] = "<2>Out of memory, aborting\n";

        /* No stdio: it may need memory itself. */
        (void) !write(STDERR_FILENO, line, sizeof(line) - 1);
        abort();
}

void *mem_alloc(size_t size)
{
        void *p = malloc(size ? size : 1);

        if (!p)
                mem_oom();
        return p;
}

void *mem_alloc0(size_t size)
{
        void *p = calloc(1, size ? size : 1);

        if (!p)
                mem_oom();
        return p;
}

void *mem_realloc_array(void *p, size_t n, size_t size)
{
        void *q = reallocarray(p, n ? n : 1, size ? size : 1);

        if (!q)
                mem_oom();
        return q;
}

char *mem_strdup(const char *s)
{
        char *p = strdup(s);

        if (!p)
                mem_oom();
        return p;
}

char *mem_printf(const char *format, ...)
{
        va_list ap;
        char *s;
        int r;

        va_start(ap, format);
        r = vasprintf(&s, format, ap);
        va_end(ap);
        if (r < 0)
                mem_oom();
        return s;
}

void mem_json_hooks(void)
{
        cJSON_Hooks hooks = { .malloc_fn = mem_alloc, .free_fn = free };

        cJSON_InitHooks(&hooks);
}

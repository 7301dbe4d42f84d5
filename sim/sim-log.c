/* SPDX-License-Identifier: MIT */
/* sim-log.c: the simulator's event log. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#include "mem.h"
#include "sim-log.h"

int sim_log_open(struct sim_log *log, const char *path, bool verbose)
{
        int fd;

        log->file = NULL;
        log->verbose = verbose;
        if (!path)
                return 0;
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        log->file = fdopen(fd, "a");
        if (!log->file) {
                int r = -errno;

                close(fd);
                return r;
        }
        setvbuf(log->file, NULL, _IOLBF, 0);
        return 0;
}

void sim_log_close(struct sim_log *log)
{
        if (log->file)
                fclose(log->file);
        log->file = NULL;
}

static void log_print(FILE *f, const char *prefix, uint64_t t_us, const char *kind,
                      const char *text)
{
        fprintf(f, "%s%llu.%06llu %s%s%s\n", prefix, (unsigned long long)(t_us / 1000000),
                (unsigned long long)(t_us % 1000000), kind, *text ? " " : "", text);
}

static void log_emit(struct sim_log *log, uint64_t t_us, const char *kind, const char *text)
{
        if (log->file)
                log_print(log->file, "", t_us, kind, text);
        if (log->verbose)
                log_print(stderr, "lsc-sim: ", t_us, kind, text);
}

void sim_log_line(struct sim_log *log, uint64_t t_us, const char *kind, const char *fmt, ...)
{
        char text[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        log_emit(log, t_us, kind, text);
}

void sim_log_bytes(struct sim_log *log, uint64_t t_us, const char *kind,
                   const uint8_t *bytes, size_t n)
{
        static const char hex[] = "0123456789ABCDEF";
        char *text = mem_alloc(n * 3 + 1);
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                if (i)
                        text[k++] = ' ';
                text[k++] = hex[bytes[i] >> 4];
                text[k++] = hex[bytes[i] & 15];
        }
        text[k] = '\0';
        log_emit(log, t_us, kind, text);
        free(text);
}

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static int log_max_level = LOG_INFO;

void log_set_max_level(int level)
{
        log_max_level = level;
}

int log_level_from_string(const char *text)
{
        static const char *const names[] = {
                [LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
                [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
        };

        for (int i = LOG_ERR; i <= LOG_DEBUG; i++)
                if (names[i] && strcmp(text, names[i]) == 0)
                        return i;
        if (strcmp(text, "error") == 0)
                return LOG_ERR;
        if (text[0] >= '0' + LOG_ERR && text[0] <= '0' + LOG_DEBUG && text[1] == '\0')
                return text[0] - '0';
        return -EINVAL;
}

int log_full_errno(int priority, int error, const char *format, ...)
{
        char message[1024];
        va_list ap;
        int saved = errno;

        error = abs(error);
        if (priority > log_max_level)
                return -error;

        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        if (error)
                fprintf(stderr, "<%d>%s: %s\n", priority, message, strerror(error));
        else
                fprintf(stderr, "<%d>%s\n", priority, message);
        errno = saved;
        return -error;
}

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "fail.h"
#include "json.h"

int fail(struct fail *f, enum lsc_errcode code, const char *field, const char *format, ...)
{
        va_list ap;

        f->code = code;
        field = field ? field : "";
        snprintf(f->field, sizeof(f->field), "%.*s",
                 json_utf8_prefix(field, sizeof(f->field) - 1), field);
        va_start(ap, format);
        vsnprintf(f->message, sizeof(f->message), format, ap);
        va_end(ap);
        return -EINVAL;
}

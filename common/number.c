/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

#include "number.h"

int number_parse(const char *text, int base, unsigned long min, unsigned long max,
                 unsigned long *ret)
{
        char *end;
        unsigned long v;

        /* strtoul() would take "  5", "+5" and "-5". */
        if (!isdigit((unsigned char) text[0]))
                return -EINVAL;
        errno = 0;
        v = strtoul(text, &end, base);
        if (errno || *end || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

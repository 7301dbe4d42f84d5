/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <string.h>

#include "fuzz-yamldoc.h"
#include "fuzz.h"
#include "json.h"
#include "yamldoc.h"

unsigned long fuzz_yamldoc_lines(const uint8_t *data, size_t size)
{
        unsigned long n = 1;

        for (size_t i = 0; i < size; i++)
                n += data[i] == '\n' || data[i] == '\r' || data[i] == 0x85 || data[i] == 0xa8 ||
                     data[i] == 0xa9;
        return n;
}

/* Whether LINE (LEN bytes) is "FILE: more errors not shown". */
static int fuzz_yamldoc_more(const char *line, size_t len, const char *file)
{
        static const char more[] = ": more errors not shown";
        size_t flen = strlen(file);

        return len == flen + strlen(more) && memcmp(line, file, flen) == 0 &&
               memcmp(line + flen, more, strlen(more)) == 0;
}

/* Line INDEX of the error text, without its newline: "FILE:N: MESSAGE". */
static void fuzz_yamldoc_check_line(const char *line, size_t len, size_t index, const char *file,
                                    unsigned long lines)
{
        size_t i = strlen(file) + 1;
        unsigned long n = 0;

        for (size_t j = 0; j < len; j++)
                fuzz_assert((unsigned char) line[j] >= 0x20 && line[j] != 0x7f);
        if (index == YAMLDOC_ERRORS_MAX && fuzz_yamldoc_more(line, len, file))
                return;
        fuzz_assert(index < YAMLDOC_ERRORS_MAX);
        fuzz_assert(len > i && memcmp(line, file, i - 1) == 0 && line[i - 1] == ':');
        fuzz_assert(line[i] >= '1' && line[i] <= '9');
        while (i < len && line[i] >= '0' && line[i] <= '9' && n <= lines + 1)
                n = n * 10 + (unsigned long) (line[i++] - '0');
        fuzz_assert(n >= 1 && n <= lines + 1);
        fuzz_assert(i + 2 < len && line[i] == ':' && line[i + 1] == ' ');
}

void fuzz_yamldoc_check_errors(const char *errors, const char *file, unsigned long lines)
{
        size_t len = strlen(errors), index = 0;

        fuzz_assert(len > 0 && errors[len - 1] == '\n');
        fuzz_assert(json_scan(errors, len, UINT_MAX) == JSON_SCAN_OK);
        for (const char *p = errors; *p; index++) {
                const char *end = strchr(p, '\n');

                fuzz_yamldoc_check_line(p, (size_t) (end - p), index, file, lines);
                p = end + 1;
        }
        fuzz_assert(index >= 1 && index <= YAMLDOC_ERRORS_MAX + 1);
}

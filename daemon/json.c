/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"

/* Length of the UTF-8 sequence starting at S (at most LEFT bytes), or 0 when
 * it is not well-formed (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
static size_t json_utf8_sequence(const unsigned char *s, size_t left)
{
        unsigned char lo = 0x80, hi = 0xBF;
        size_t n;

        if (s[0] < 0x80)
                return 1;
        if (s[0] >= 0xC2 && s[0] <= 0xDF)
                n = 2;
        else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
                n = 3;
                if (s[0] == 0xE0)
                        lo = 0xA0;
                else if (s[0] == 0xED)
                        hi = 0x9F;
        } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
                n = 4;
                if (s[0] == 0xF0)
                        lo = 0x90;
                else if (s[0] == 0xF4)
                        hi = 0x8F;
        } else
                return 0;
        if (left < n || s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < n; i++)
                if (s[i] < 0x80 || s[i] > 0xBF)
                        return 0;
        return n;
}

static bool json_is_escaped_nul(const char *text, size_t i, size_t len)
{
        return i + 5 < len && text[i + 1] == 'u' && memcmp(text + i + 2, "0000", 4) == 0;
}

enum json_scan_error json_scan(const char *text, size_t len, unsigned max_depth)
{
        const unsigned char *s = (const unsigned char *) text;
        bool in_string = false;
        unsigned depth = 0;

        for (size_t i = 0; i < len;) {
                size_t n;

                if (s[i] == 0)
                        return JSON_SCAN_NUL;
                n = json_utf8_sequence(s + i, len - i);
                if (n == 0)
                        return JSON_SCAN_UTF8;
                if (n > 1) {
                        i += n;
                        continue;
                }
                if (in_string) {
                        if (s[i] == '\\') {
                                if (json_is_escaped_nul(text, i, len))
                                        return JSON_SCAN_NUL;
                                i += (i + 1 < len && s[i + 1] != 0) ? 2 : 1;
                                continue;
                        }
                        if (s[i] == '"')
                                in_string = false;
                } else if (s[i] == '"')
                        in_string = true;
                else if (s[i] == '[' || s[i] == '{') {
                        if (++depth > max_depth)
                                return JSON_SCAN_DEPTH;
                } else if ((s[i] == ']' || s[i] == '}') && depth > 0)
                        depth--;
                i++;
        }
        return JSON_SCAN_OK;
}

const char *json_scan_strerror(enum json_scan_error e)
{
        switch (e) {
        case JSON_SCAN_OK:
                return "valid";
        case JSON_SCAN_NUL:
                return "the line contains a NUL character";
        case JSON_SCAN_UTF8:
                return "the line is not valid UTF-8";
        case JSON_SCAN_DEPTH:
                return "arrays and objects are nested too deeply";
        }
        return "invalid";
}

int json_utf8_prefix(const char *s, size_t max)
{
        size_t n = strnlen(s, max);

        /* s[n] is the first byte left out: back off a character it continues. */
        while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
                n--;
        return (int) n;
}

const char *json_find_duplicate_key(const cJSON *item)
{
        for (const cJSON *child = item ? item->child : NULL; child; child = child->next) {
                const char *dup;

                if (cJSON_IsObject(item))
                        for (const cJSON *other = child->next; other; other = other->next)
                                if (strcmp(child->string, other->string) == 0)
                                        return child->string;
                dup = json_find_duplicate_key(child);
                if (dup)
                        return dup;
        }
        return NULL;
}

int json_get_integer(const cJSON *item, long min, long max, long *ret)
{
        double v;

        if (!cJSON_IsNumber(item))
                return -EINVAL;
        v = item->valuedouble;
        if (!isfinite(v) || v != floor(v))
                return -EINVAL;
        if (v < (double) min || v > (double) max)
                return -ERANGE;
        *ret = (long) v;
        return 0;
}

bool json_add_time(cJSON *object, const char *name)
{
        struct timespec ts;
        char text[32];

        clock_gettime(CLOCK_REALTIME, &ts);
        snprintf(text, sizeof(text), "%lld.%06ld", (long long) ts.tv_sec, ts.tv_nsec / 1000);
        return cJSON_AddRawToObject(object, name, text) != NULL;
}

struct outbuf *json_print_outbuf(const cJSON *object)
{
        char *text = cJSON_PrintUnformatted(object);
        struct outbuf *line;
        size_t len;

        if (!text)
                return NULL;
        len = strlen(text);
        text[len] = '\n';           /* replaces the NUL: outbuf_new copies len + 1 */
        line = outbuf_new(text, len + 1);
        cJSON_free(text);
        return line;
}

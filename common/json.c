/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
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

static bool json_is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static size_t json_lex_digits(const char *t, size_t len, size_t pos)
{
        while (pos < len && json_is_digit(t[pos]))
                pos++;
        return pos;
}

/* Past the number at POS (RFC 8259: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?),
 * or 0 when it is not one. */
static size_t json_lex_number(const char *t, size_t len, size_t pos)
{
        size_t end;

        if (t[pos] == '-')
                pos++;
        if (pos >= len || !json_is_digit(t[pos]))
                return 0;
        pos = t[pos] == '0' ? pos + 1 : json_lex_digits(t, len, pos);
        if (pos < len && t[pos] == '.') {
                end = json_lex_digits(t, len, pos + 1);
                if (end == pos + 1)
                        return 0;
                pos = end;
        }
        if (pos < len && (t[pos] == 'e' || t[pos] == 'E')) {
                pos++;
                if (pos < len && (t[pos] == '+' || t[pos] == '-'))
                        pos++;
                end = json_lex_digits(t, len, pos);
                if (end == pos)
                        return 0;
                pos = end;
        }
        return pos;
}

/* Past the string at POS (its opening quote), or 0 when it has a raw
 * control character, an escape JSON does not have, or no end. */
static size_t json_lex_string(const char *t, size_t len, size_t pos)
{
        for (pos++; pos < len; pos++) {
                unsigned char c = (unsigned char) t[pos];

                if (c == '"')
                        return pos + 1;
                if (c < 0x20)
                        return 0;
                if (c != '\\')
                        continue;
                if (++pos >= len)
                        return 0;
                if (t[pos] == 'u') {
                        for (int k = 1; k <= 4; k++)
                                if (pos + k >= len || !strchr("0123456789abcdefABCDEF", t[pos + k]) ||
                                    t[pos + k] == '\0')
                                        return 0;
                        pos += 4;
                } else if (!strchr("\"\\/bfnrt", t[pos]) || t[pos] == '\0')
                        return 0;
        }
        return 0;
}

/* Past the token at POS, or 0 when none starts there. */
static size_t json_lex_token(const char *t, size_t len, size_t pos)
{
        static const char *const literals[] = { "true", "false", "null" };

        if (strchr(" \t\r\n{}[],:", t[pos]))
                return pos + 1;
        if (t[pos] == '"')
                return json_lex_string(t, len, pos);
        if (t[pos] == '-' || json_is_digit(t[pos]))
                return json_lex_number(t, len, pos);
        for (size_t i = 0; i < sizeof(literals) / sizeof(literals[0]); i++) {
                size_t n = strlen(literals[i]);

                if (len - pos >= n && memcmp(t + pos, literals[i], n) == 0)
                        return pos + n;
        }
        return 0;
}

int json_lex(const char *text, size_t len, size_t *at)
{
        size_t pos = 0, next;

        while (pos < len) {
                next = text[pos] ? json_lex_token(text, len, pos) : 0;
                /* A number or literal must not run into a letter or digit. */
                if (next && next < len && !strchr(" \t\r\n{}[],:\"", text[next]) &&
                    !strchr(" \t\r\n{}[],:\"", text[next - 1])) {
                        pos = next;
                        next = 0;
                }
                if (!next) {
                        *at = pos;
                        return -EINVAL;
                }
                pos = next;
        }
        return 0;
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

/* Objects with more keys than this are checked by sorting their keys. */
#define JSON_DUPLICATE_LINEAR 16

static int json_compare_keys(const void *a, const void *b)
{
        return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Every pair: cheap for the few keys of a request. */
static const char *json_duplicate_linear(const cJSON *object)
{
        for (const cJSON *child = object->child; child; child = child->next)
                for (const cJSON *other = child->next; other; other = other->next)
                        if (strcmp(child->string, other->string) == 0)
                                return child->string;
        return NULL;
}

/* A key OBJECT holds twice, in n log n: a request line may hold an id
 * object of thousands of keys, and every pair would stall the event loop. */
static const char *json_duplicate_in(const cJSON *object)
{
        const char **keys, *dup = NULL;
        size_t n = 0, i = 0;

        for (const cJSON *child = object->child; child; child = child->next)
                n++;
        keys = n > JSON_DUPLICATE_LINEAR ? malloc(n * sizeof(*keys)) : NULL;
        if (!keys)
                return json_duplicate_linear(object);
        for (const cJSON *child = object->child; child; child = child->next)
                keys[i++] = child->string;
        qsort(keys, n, sizeof(*keys), json_compare_keys);
        for (i = 1; i < n && !dup; i++)
                if (strcmp(keys[i - 1], keys[i]) == 0)
                        dup = keys[i];
        free(keys);
        return dup;
}

const char *json_find_duplicate_key(const cJSON *item)
{
        const char *dup = cJSON_IsObject(item) ? json_duplicate_in(item) : NULL;

        for (const cJSON *child = item ? item->child : NULL; child && !dup; child = child->next)
                dup = json_find_duplicate_key(child);
        return dup;
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
        return json_add_time_at(object, name, clock_usec(CLOCK_REALTIME));
}

bool json_add_time_at(cJSON *object, const char *name, uint64_t now)
{
        char text[32];

        snprintf(text, sizeof(text), "%llu.%06llu", (unsigned long long) (now / CLOCK_USEC_PER_SEC),
                 (unsigned long long) (now % CLOCK_USEC_PER_SEC));
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

/* Whitespace as cJSON skips it: every byte up to 0x20, not only JSON's
 * four, so that the member found is the one cJSON read. */
static bool json_is_space(char c)
{
        return (unsigned char) c <= ' ';
}

static size_t json_skip_space(const char *t, size_t len, size_t pos)
{
        while (pos < len && json_is_space(t[pos]))
                pos++;
        return pos;
}

/* Past the string starting at POS (its opening quote). */
static size_t json_skip_string(const char *t, size_t len, size_t pos)
{
        for (pos++; pos < len && t[pos] != '"'; pos++)
                if (t[pos] == '\\')
                        pos++;
        return pos + 1;
}

/* Past the value starting at POS. */
static size_t json_skip_value(const char *t, size_t len, size_t pos)
{
        unsigned depth = 0;

        if (pos < len && t[pos] != '{' && t[pos] != '[') {
                if (t[pos] == '"')
                        return json_skip_string(t, len, pos);
                while (pos < len && !json_is_space(t[pos]) && !strchr(",}]", t[pos]))
                        pos++;
                return pos;
        }
        do {
                if (t[pos] == '"') {
                        pos = json_skip_string(t, len, pos);
                        continue;
                }
                if (t[pos] == '{' || t[pos] == '[')
                        depth++;
                else if (t[pos] == '}' || t[pos] == ']')
                        depth--;
                pos++;
        } while (pos < len && depth > 0);
        return pos;
}

int json_member_text(const char *text, size_t len, size_t index, size_t *start, size_t *size)
{
        size_t pos = json_skip_space(text, len, 0);

        if (pos >= len || text[pos] != '{')
                return -EINVAL;
        for (size_t i = 0;; i++) {
                pos = json_skip_space(text, len, pos + 1);
                if (pos >= len || text[pos] != '"')
                        return -EINVAL;
                pos = json_skip_space(text, len, json_skip_string(text, len, pos));
                if (pos >= len || text[pos] != ':')
                        return -EINVAL;
                pos = json_skip_space(text, len, pos + 1);
                *start = pos;
                pos = json_skip_value(text, len, pos);
                if (pos > len)
                        return -EINVAL;
                *size = pos - *start;
                if (i == index)
                        return 0;
                pos = json_skip_space(text, len, pos);
                if (pos >= len || text[pos] != ',')
                        return -EINVAL;
        }
}

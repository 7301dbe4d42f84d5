/* SPDX-License-Identifier: MIT */
/*
 * json.h: the JSON helpers lscd needs around cJSON: a byte-level scan of a
 * request line before cJSON sees it, strict integer reading, duplicate key
 * detection, timestamps, and printing one object as one line.
 */
#ifndef LSCD_JSON_H
#define LSCD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "outbuf.h"

#define JSON_MAX_DEPTH 32

enum json_scan_error {
        JSON_SCAN_OK = 0,
        JSON_SCAN_NUL,          /* a NUL byte, or a \u0000 escape in a string */
        JSON_SCAN_UTF8,         /* bytes that are not UTF-8 */
        JSON_SCAN_DEPTH,        /* arrays/objects nested deeper than allowed */
};

/* Check LEN bytes at TEXT for what cJSON would accept or mishandle: NUL
 * bytes (also as \u0000, which cJSON would silently truncate at), invalid or
 * overlong UTF-8, surrogates, and nesting deeper than MAX_DEPTH (cJSON
 * recurses once per level). Pure: no allocation. */
enum json_scan_error json_scan(const char *text, size_t len, unsigned max_depth);
const char *json_scan_strerror(enum json_scan_error e);

/* Check that TEXT[0..LEN) is made of strict JSON tokens (RFC 8259) with
 * JSON whitespace between them: no control byte or byte order mark outside
 * strings, no raw control character inside one, no unknown escape, numbers
 * without leading zeros or bare points. cJSON is lenient on each of these;
 * the structure is left to it. Returns 0, or -EINVAL with *AT the offset of
 * the first token that is not JSON. */
int json_lex(const char *text, size_t len, size_t *at);

/* How many bytes of the UTF-8 string S to keep to shorten it to at most
 * MAX bytes without cutting a character: for "%.*s" when quoting a name. */
int json_utf8_prefix(const char *s, size_t max);

/* The first key that appears twice in one object anywhere in ITEM, or NULL. */
const char *json_find_duplicate_key(const cJSON *item);

/* Read an integer: a JSON number with no fractional part (2000.0 is 2000),
 * finite, within MIN..MAX. Returns 0, -EINVAL when ITEM is not an integral
 * number, -ERANGE when it is outside MIN..MAX. */
int json_get_integer(const cJSON *item, long min, long max, long *ret);

/* Add NAME: CLOCK_REALTIME seconds with microseconds, e.g. 1763683200.123456
 * (a raw item: cJSON's double printing would round it). */
bool json_add_time(cJSON *object, const char *name);
/* The same for the CLOCK_REALTIME moment USEC. */
bool json_add_time_at(cJSON *object, const char *name, uint64_t usec);

/* The exact text of the value of member number INDEX (from 0) of the JSON
 * object TEXT[0..LEN), which cJSON has already accepted: its offset in
 * *START and length in *SIZE. Returns 0, or -EINVAL when there is none. */
int json_member_text(const char *text, size_t len, size_t index, size_t *start, size_t *size);

/* cJSON_Delete() that returns NULL, for "o = json_free(o);". */
static inline cJSON *json_free(cJSON *o)
{
        cJSON_Delete(o);
        return NULL;
}

/* OBJECT printed unformatted with a trailing newline (no NUL), as a new
 * outbuf with one reference; NULL on allocation failure. */
struct outbuf *json_print_outbuf(const cJSON *object);

#endif

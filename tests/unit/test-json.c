/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of daemon/json.c: the pre-parse scan (NUL, UTF-8, depth),
 * strict integers, duplicate keys, timestamps and line printing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "lscd-check.h"

struct scan_case {
        const char *text;
        size_t len;             /* 0: strlen(text) */
        enum json_scan_error want;
};

static const struct scan_case scan_cases[] = {
        { "{\"cmd\":\"ping\"}", 0, JSON_SCAN_OK },
        { "{\"name\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}", 0, JSON_SCAN_OK },
        { "{\"a\":\"x\\\"[[[[\"}", 0, JSON_SCAN_OK },        /* brackets inside a string */
        { "{\"a\":\"\\u0041\"}", 0, JSON_SCAN_OK },
        { "{\"a\":1}\0", 8, JSON_SCAN_NUL },
        { "{\"a\":\"\\u0000\"}", 0, JSON_SCAN_NUL },
        { "{\"a\":\"\xff\"}", 0, JSON_SCAN_UTF8 },
        { "{\"a\":\"\xc0\xaf\"}", 0, JSON_SCAN_UTF8 },           /* overlong '/' */
        { "{\"a\":\"\xe0\x80\xaf\"}", 0, JSON_SCAN_UTF8 },       /* overlong, 3 bytes */
        { "{\"a\":\"\xed\xa0\x80\"}", 0, JSON_SCAN_UTF8 },       /* surrogate D800 */
        { "{\"a\":\"\xf4\x90\x80\x80\"}", 0, JSON_SCAN_UTF8 },   /* > U+10FFFF */
        { "{\"a\":\"\xe2\x82\"}", 0, JSON_SCAN_UTF8 },           /* truncated */
        { "\xc3", 0, JSON_SCAN_UTF8 },
};

/* json_lex: strict JSON tokens; -1 = accepted, else the offset refused. */
static const struct lex_case {
        const char *text;
        long at;
} lex_cases[] = {
        { "{\"a\":[1,-2.5e+3,0,-0,1E9,true,false,null,\"\\u00e9\\n\\/\"]}", -1 },
        { " \t{ \"a\" : 1 }\r", -1 },
        { "", -1 },
        { "\xef\xbb\xbf{\"a\":1}", 0 },            /* byte order mark */
        { "\x01{\"a\":1}", 0 },                     /* control byte as space */
        { "{\"a\"\x1f:1}", 4 },
        { "{\"a\":01}", 6 },
        { "{\"a\":-01}", 7 },
        { "{\"a\":1.}", 5 },
        { "{\"a\":-.5}", 5 },
        { "{\"a\":.5}", 5 },
        { "{\"a\":+1}", 5 },
        { "{\"a\":1e}", 5 },
        { "{\"a\":0x10}", 6 },
        { "{\"a\":truex}", 9 },
        { "{\"a\":nul}", 5 },
        { "{\"a\":NaN}", 5 },
        { "{\"a\":\"x\x01y\"}", 5 },                /* raw control character */
        { "{\"a\":\"\\q\"}", 5 },                   /* unknown escape */
        { "{\"a\":\"\\u12g4\"}", 5 },
        { "{\"a\":\"open}", 5 },
        { "{'a':1}", 1 },
};

START_TEST(test_lex_table)
{
        const struct lex_case *c = &lex_cases[_i];
        size_t at = 0;
        int r = json_lex(c->text, strlen(c->text), &at);

        ck_assert_msg(r == (c->at < 0 ? 0 : -EINVAL), "case %d: %d", _i, r);
        if (c->at >= 0)
                ck_assert_msg(at == (size_t) c->at, "case %d: at %zu", _i, at);
}
END_TEST

START_TEST(test_scan_table)
{
        const struct scan_case *c = &scan_cases[_i];
        size_t len = c->len ? c->len : strlen(c->text);

        ck_assert_msg(json_scan(c->text, len, JSON_MAX_DEPTH) == c->want, "case %d", _i);
}
END_TEST

/* Depth 32 passes, 33 fails, for arrays and objects, and for a mix. */
START_TEST(test_scan_depth)
{
        char text[256];
        size_t n;

        for (unsigned depth = 30; depth <= 34; depth++) {
                n = 0;
                for (unsigned i = 0; i < depth; i++)
                        text[n++] = (_i == 0 || i % 2) ? '[' : '{';
                for (unsigned i = depth; i-- > 0;)
                        text[n++] = (_i == 0 || i % 2) ? ']' : '}';
                ck_assert_int_eq(json_scan(text, n, 32),
                                 depth <= 32 ? JSON_SCAN_OK : JSON_SCAN_DEPTH);
        }
}
END_TEST

START_TEST(test_integer)
{
        static const struct {
                const char *json;
                int r;
                long value;
        } cases[] = {
                { "2000", 0, 2000 }, { "2000.0", 0, 2000 }, { "-0", 0, 0 }, { "0", 0, 0 },
                { "2000.5", -EINVAL, 0 }, { "1e400", -EINVAL, 0 }, { "-1e400", -EINVAL, 0 },
                { "\"2000\"", -EINVAL, 0 }, { "true", -EINVAL, 0 }, { "null", -EINVAL, 0 },
                { "[1]", -EINVAL, 0 }, { "2501", -ERANGE, 0 }, { "-1", -ERANGE, 0 },
                { "2500", 0, 2500 }, { "500", 0, 500 }, { "5e2", 0, 500 },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                cJSON *item = cJSON_Parse(cases[i].json);
                long v = -1;

                ck_assert_ptr_nonnull(item);
                ck_assert_msg(json_get_integer(item, 0, 2500, &v) == cases[i].r, "%s", cases[i].json);
                if (cases[i].r == 0)
                        ck_assert_int_eq(v, cases[i].value);
                cJSON_Delete(item);
        }
        {
                cJSON *item = cJSON_Parse("499");
                long v = -1;

                ck_assert_int_eq(json_get_integer(item, 500, 2500, &v), -ERANGE);
                ck_assert_int_eq(v, -1);
                cJSON_Delete(item);
        }
}
END_TEST

START_TEST(test_duplicate_keys)
{
        static const struct {
                const char *json;
                const char *dup;
        } cases[] = {
                { "{\"a\":1,\"b\":2}", NULL },
                { "{\"a\":1,\"a\":2}", "a" },
                { "{\"a\":{\"x\":1,\"y\":{\"z\":1,\"z\":2}}}", "z" },
                { "{\"s\":[{\"id\":1,\"id\":2}]}", "id" },
                { "[\"a\",\"a\"]", NULL },
                { "{\"a\":[1,1],\"b\":{\"a\":1}}", NULL },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                cJSON *item = cJSON_Parse(cases[i].json);
                const char *dup = json_find_duplicate_key(item);

                ck_assert_ptr_nonnull(item);
                if (cases[i].dup)
                        ck_assert_str_eq(dup, cases[i].dup);
                else
                        ck_assert_ptr_null(dup);
                cJSON_Delete(item);
        }
}
END_TEST

/* An object with very many keys is checked in n log n, not n^2: this one
 * would take minutes (past Check's timeout) comparing every pair. */
START_TEST(test_duplicate_keys_many)
{
        cJSON *big = cJSON_CreateObject(), *id = cJSON_CreateObject();
        char key[16];

        ck_assert_ptr_nonnull(big);
        ck_assert_ptr_nonnull(id);
        for (int i = 0; i < 200000; i++) {
                snprintf(key, sizeof(key), "k%d", i);
                ck_assert_ptr_nonnull(cJSON_AddNullToObject(id, key));
        }
        ck_assert(cJSON_AddItemToObject(big, "id", id));
        ck_assert_ptr_null(json_find_duplicate_key(big));
        ck_assert_ptr_nonnull(cJSON_AddNullToObject(id, "k123456"));
        ck_assert_str_eq(json_find_duplicate_key(big), "k123456");
        cJSON_Delete(big);
}
END_TEST

/* A prefix of at most MAX bytes that ends on a character boundary. */
START_TEST(test_utf8_prefix)
{
        const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";  /* a, e-acute, euro, emoji, z */
        static const int expected[] = { 0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 11, 11 };

        for (size_t max = 0; max < ARRAY_SIZE(expected); max++)
                ck_assert_int_eq(json_utf8_prefix(s, max), expected[max]);
        ck_assert_int_eq(json_utf8_prefix("", 5), 0);
}
END_TEST

START_TEST(test_time_and_line)
{
        cJSON *o = cJSON_CreateObject();
        struct outbuf *line;
        char text[64], *dot;

        ck_assert(json_add_time(o, "time"));
        line = json_print_outbuf(o);
        ck_assert_ptr_nonnull(line);
        ck_assert_uint_eq(line->refs, 1);
        ck_assert_uint_lt(line->len, sizeof(text));
        memcpy(text, line->data, line->len);
        text[line->len] = '\0';
        ck_assert_uint_eq(strlen(text), line->len);     /* no NUL inside */
        ck_assert_int_eq(text[line->len - 1], '\n');
        ck_assert_msg(strncmp(text, "{\"time\":", 8) == 0, "%s", text);
        /* seconds, a dot, exactly six digits of microseconds */
        dot = strchr(text, '.');
        ck_assert_ptr_nonnull(dot);
        ck_assert_uint_eq(strspn(dot + 1, "0123456789"), 6);
        ck_assert_str_eq(dot + 7, "}\n");
        ck_assert_double_gt(strtod(text + 8, NULL), 1.5e9);
        ck_assert_ptr_eq(outbuf_ref(line), line);
        ck_assert_uint_eq(line->refs, 2);
        ck_assert_ptr_null(outbuf_unref(line));
        ck_assert_uint_eq(line->refs, 1);
        outbuf_unref(line);
        ck_assert_ptr_null(outbuf_unref(NULL));
        cJSON_Delete(o);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("json");
        TCase *tc = tcase_create("json");

        /* The bulk case (200,000 keys) takes seconds under
         * sanitizers on a busy machine, past Check's default 4 s. */
        tcase_set_timeout(tc, 60);

        tcase_add_loop_test(tc, test_scan_table, 0, (int) ARRAY_SIZE(scan_cases));
        tcase_add_loop_test(tc, test_lex_table, 0, (int) ARRAY_SIZE(lex_cases));
        tcase_add_loop_test(tc, test_scan_depth, 0, 2);
        tcase_add_test(tc, test_integer);
        tcase_add_test(tc, test_duplicate_keys);
        tcase_add_test(tc, test_duplicate_keys_many);
        tcase_add_test(tc, test_utf8_prefix);
        tcase_add_test(tc, test_time_and_line);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

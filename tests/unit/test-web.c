/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of lscd-web's pure part (client/web/libweb): the verb of a
 * path, the request built from a body, the HTTP status of every error
 * code, the cookie parser, the Origin and Host checks, the token
 * comparison, the login table over time, and --listen.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "lsc/protocol.h"
#include "lscd-check.h"
#include "web-api.h"
#include "web-auth.h"
#include "web-listen.h"

START_TEST(test_verb)
{
        static const struct { const char *path, *verb; } cases[] = {
                { "/api/move", "move" }, { "/api/group.run", "group.run" },
                { "/api/record_x9", "record_x9" }, { "/api/", NULL }, { "/api", NULL },
                { "/apix/move", NULL }, { "/api/Move", NULL }, { "/api/.x", NULL },
                { "/api/9", NULL }, { "/api/a/b", NULL }, { "/api/a b", NULL },
                { "/api/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" },
                { "/api/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL }, { "/move", NULL },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                const char *got = web_api_verb(cases[i].path);

                if (cases[i].verb)
                        ck_assert_str_eq(got, cases[i].verb);
                else
                        ck_assert_msg(!got, "%s: got %s", cases[i].path, got);
        }
}
END_TEST

START_TEST(test_request)
{
        static const struct {
                const char *verb, *body;
                unsigned status;        /* 0: built */
                const char *code;
        } cases[] = {
                { "ping", "", 0, NULL },
                { "ping", " \r\n\t", 0, NULL },
                { "move", "{\"servos\":[{\"id\":1,\"position\":1500}],\"time_ms\":0}", 0, NULL },
                { "ping", "{", 400, "invalid_json" },
                { "ping", "[]", 400, "invalid_json" },
                { "ping", "\"x\"", 400, "invalid_json" },
                { "ping", "{} {}", 400, "invalid_json" },
                { "ping", "{\"a\":1,\"a\":1}", 400, "invalid_json" },
                { "ping", "{\"a\":\"\\u0000\"}", 400, "invalid_json" },
                { "ping", "{\"a\":01}", 400, "invalid_json" },
                { "ping", "{'a':1}", 400, "invalid_json" },
                { "ping", "{\"cmd\":\"halt\"}", 400, "invalid_request" },
                { "ping", "{\"id\":1}", 400, "invalid_request" },
                { "subscribe", "{}", 403, "forbidden" },
                { "unsubscribe", "", 403, "forbidden" },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct web_api_error err = { 0 };
                cJSON *r = web_api_request(cases[i].verb, cases[i].body, strlen(cases[i].body), &err);

                if (cases[i].status == 0) {
                        ck_assert_msg(r, "%s: %s", cases[i].body, err.message);
                        ck_assert_str_eq(cJSON_GetObjectItem(r, "cmd")->valuestring, cases[i].verb);
                        ck_assert(!cJSON_GetObjectItem(r, "id"));
                } else {
                        ck_assert_msg(!r, "%s: built", cases[i].body);
                        ck_assert_uint_eq(err.status, cases[i].status);
                        ck_assert_str_eq(err.code, cases[i].code);
                        ck_assert(err.message && *err.message);
                }
                cJSON_Delete(r);
        }
}
END_TEST

START_TEST(test_request_too_long)
{
        static char body[WEB_API_BODY_MAX + 2];
        struct web_api_error err;
        cJSON *r;

        memset(body, ' ', sizeof(body) - 1);
        body[0] = '{';
        body[WEB_API_BODY_MAX - 1] = '}';
        r = web_api_request("ping", body, WEB_API_BODY_MAX, &err);
        ck_assert(r);
        cJSON_Delete(r);
        ck_assert(!web_api_request("ping", body, WEB_API_BODY_MAX + 1, &err));
        ck_assert_uint_eq(err.status, 413);
}
END_TEST

START_TEST(test_verb_kinds)
{
        static const struct { const char *verb; bool session, stop; } cases[] = {
                { "claim", true, false }, { "release", true, false }, { "hello", true, false },
                { "halt", false, true }, { "group.stop", false, true }, { "move", false, false },
                { "ping", false, false }, { "claims", false, false }, { "halt.", false, false },
        };

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                ck_assert_msg(web_api_needs_session(cases[i].verb) == cases[i].session, "%s",
                              cases[i].verb);
                ck_assert_msg(web_api_is_stop(cases[i].verb) == cases[i].stop, "%s", cases[i].verb);
        }
}
END_TEST

START_TEST(test_status)
{
        static const struct { const char *code; unsigned status; } cases[] = {
                { "invalid_argument", 400 }, { "out_of_limits", 400 }, { "claimed", 409 },
                { "not_connected", 503 }, { "forbidden", 403 }, { "unknown_command", 404 },
                { "timeout", 504 }, { "no_such_code", 502 },
        };
        cJSON *ok = cJSON_Parse("{\"id\":1,\"ok\":true}");
        cJSON *bad = cJSON_Parse("{\"id\":1,\"ok\":false,\"error\":{\"code\":\"claimed\"}}");
        cJSON *odd = cJSON_Parse("{\"id\":1,\"ok\":false}");

        for (unsigned i = 0; i < _LSC_ERRCODE_MAX; i++) {
                unsigned s = web_api_status_of_code(lsc_errcode_name(i));

                ck_assert_msg(s >= 400 && s < 600 && s != 502, "%s: %u", lsc_errcode_name(i), s);
        }
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
                ck_assert_uint_eq(web_api_status_of_code(cases[i].code), cases[i].status);
        ck_assert_uint_eq(web_api_status(ok), 200);
        ck_assert_uint_eq(web_api_status(bad), 409);
        ck_assert_uint_eq(web_api_status(odd), 502);
        cJSON_Delete(ok);
        cJSON_Delete(bad);
        cJSON_Delete(odd);
}
END_TEST

START_TEST(test_cookie)
{
        static const struct { const char *header; int r; const char *value; } cases[] = {
                { "lscd_web=abc", 3, "abc" }, { "a=1; lscd_web=abc; b=2", 3, "abc" },
                { "a=1;lscd_web=abc", 3, "abc" }, { "xlscd_web=abc", -ENOENT, NULL },
                { "lscd_webx=abc", -ENOENT, NULL }, { "lscd_web", -ENOENT, NULL },
                { "lscd_web=", 0, "" }, { "lscd_web=abc  ", 3, "abc" }, { "", -ENOENT, NULL },
                { "lscd_web=0123456789", -EMSGSIZE, NULL }, { ";;;", -ENOENT, NULL },
        };
        char out[8];

        ck_assert_int_eq(web_auth_cookie(NULL, "lscd_web", out, sizeof(out)), -ENOENT);
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                int r = web_auth_cookie(cases[i].header, "lscd_web", out, sizeof(out));

                ck_assert_msg(r == cases[i].r, "%s: %d", cases[i].header, r);
                if (cases[i].value)
                        ck_assert_str_eq(out, cases[i].value);
        }
}
END_TEST

START_TEST(test_origin_host)
{
        ck_assert(web_auth_origin_ok(NULL, "127.0.0.1:8470"));
        ck_assert(web_auth_origin_ok("http://127.0.0.1:8470", "127.0.0.1:8470"));
        ck_assert(web_auth_origin_ok("https://Robot.local", "robot.local"));
        ck_assert(!web_auth_origin_ok("null", "127.0.0.1:8470"));
        ck_assert(!web_auth_origin_ok("http://127.0.0.1:1", "127.0.0.1:8470"));
        ck_assert(!web_auth_origin_ok("http://evil.example", "127.0.0.1:8470"));
        ck_assert(!web_auth_origin_ok("http://127.0.0.1:8470", NULL));
        ck_assert(!web_auth_origin_ok("ftp://127.0.0.1:8470", "127.0.0.1:8470"));
        ck_assert(web_auth_host_loopback("127.0.0.1:8470"));
        ck_assert(web_auth_host_loopback("localhost"));
        ck_assert(web_auth_host_loopback("[::1]:80"));
        ck_assert(web_auth_host_loopback("127.0.0.2:8470"));
        ck_assert(web_auth_host_loopback("127.255.0.9"));
        ck_assert(!web_auth_host_loopback("128.0.0.1:8470"));
        ck_assert(!web_auth_host_loopback("127.0.0.256:8470"));
        ck_assert(!web_auth_host_loopback("127.1:8470"));
        ck_assert(!web_auth_host_loopback("127.0.0.1.evil.example"));
        ck_assert(!web_auth_host_loopback("127.0.0.1evil.example"));
        ck_assert(!web_auth_host_loopback("localhost:"));
        ck_assert(!web_auth_host_loopback("localhost:8x"));
        ck_assert(!web_auth_host_loopback("evil.example:8470"));
        ck_assert(!web_auth_host_loopback(NULL));
}
END_TEST

START_TEST(test_equal)
{
        ck_assert(web_auth_equal("secret", 6, "secret", 6));
        ck_assert(!web_auth_equal("secret", 6, "secreT", 6));
        ck_assert(!web_auth_equal("secret", 6, "secret!", 7));
        ck_assert(!web_auth_equal("secret!", 7, "secret", 6));
        ck_assert(!web_auth_equal("", 0, "x", 1));
        ck_assert(web_auth_equal("", 0, "", 0));
}
END_TEST

START_TEST(test_logins)
{
        static struct web_auth_logins l;
        uint8_t random[WEB_AUTH_ID_LEN / 2];
        char first[WEB_AUTH_ID_LEN + 1], id[WEB_AUTH_ID_LEN + 1];

        memset(random, 0xa5, sizeof(random));
        strcpy(first, web_auth_login(&l, random, 1000));
        ck_assert_uint_eq(strlen(first), WEB_AUTH_ID_LEN);
        ck_assert(strncmp(first, "a5a5", 4) == 0);
        ck_assert(web_auth_valid(&l, first, 1000 + WEB_AUTH_LOGIN_USEC - 1));
        ck_assert(!web_auth_valid(&l, first, 1000 + WEB_AUTH_LOGIN_USEC));
        ck_assert(!web_auth_valid(&l, "a5a5", 1000));
        ck_assert(!web_auth_valid(&l, "", 1000));
        /* More logins than slots: the one that ends first goes. */
        for (unsigned i = 1; i <= WEB_AUTH_LOGINS; i++) {
                random[0] = (uint8_t) i;
                strcpy(id, web_auth_login(&l, random, 1000 + i));
                ck_assert(web_auth_valid(&l, id, 2000));
        }
        ck_assert(!web_auth_valid(&l, first, 2000));
        web_auth_logout(&l, id);
        ck_assert(!web_auth_valid(&l, id, 2000));
}
END_TEST

START_TEST(test_throttle)
{
        static const uint8_t a[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
        static const uint8_t b[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 7 };
        const uint64_t t0 = 1000000, window = WEB_AUTH_FAILURES_USEC;
        struct web_auth_throttle t = { 0 };
        uint8_t other[16] = { 0x20, 0x01 };

        ck_assert_uint_eq(web_auth_throttle_wait(&t, a, t0), 0);
        for (unsigned i = 0; i < WEB_AUTH_FAILURES - 1; i++) {
                web_auth_throttle_fail(&t, a, t0 + i);
                ck_assert_uint_eq(web_auth_throttle_wait(&t, a, t0 + i), 0);
        }
        web_auth_throttle_fail(&t, a, t0 + 10);
        /* The window runs from the first failure. */
        ck_assert_uint_eq(web_auth_throttle_wait(&t, a, t0 + 10), window - 10);
        ck_assert_uint_eq(web_auth_throttle_wait(&t, a, t0 + window - 1), 1);
        ck_assert_uint_eq(web_auth_throttle_wait(&t, b, t0 + 10), 0);
        ck_assert_uint_eq(web_auth_throttle_wait(&t, a, t0 + window), 0);
        /* A new window after the last ended. */
        web_auth_throttle_fail(&t, a, t0 + window);
        ck_assert_uint_eq(web_auth_throttle_wait(&t, a, t0 + window), 0);
        for (unsigned k = 1; k < WEB_AUTH_FAILURES; k++)
                web_auth_throttle_fail(&t, a, t0 + window);
        ck_assert_uint_eq(web_auth_throttle_wait(&t, a, t0 + window), window);
        /* Addresses cycled through the table, one wrong token each, push
         * out the oldest of them, never a throttled address. */
        for (unsigned i = 0; i < 4 * WEB_AUTH_FAILURE_SLOTS; i++) {
                other[14] = (uint8_t) (i >> 8);
                other[15] = (uint8_t) i;
                web_auth_throttle_fail(&t, other, t0 + window + 1 + i);
        }
        ck_assert_uint_eq(web_auth_throttle_wait(&t, a, t0 + window + 1000), window - 1000);
        other[14] = 0;
        /* A table full of throttled addresses keeps them all; a new one
         * goes uncounted. */
        for (unsigned i = 0; i < WEB_AUTH_FAILURE_SLOTS; i++) {
                other[15] = (uint8_t) i;
                for (unsigned k = 0; k < WEB_AUTH_FAILURES; k++)
                        web_auth_throttle_fail(&t, other, t0 + window + 1000 + i);
        }
        ck_assert_uint_ne(web_auth_throttle_wait(&t, a, t0 + window + 2000), 0);
        other[15] = 0;
        ck_assert_uint_ne(web_auth_throttle_wait(&t, other, t0 + window + 2000), 0);
        other[15] = WEB_AUTH_FAILURE_SLOTS - 1;
        ck_assert_uint_eq(web_auth_throttle_wait(&t, other, t0 + window + 2000), 0);
}
END_TEST

START_TEST(test_listen)
{
        static const struct { const char *text; int r; int family; bool loopback; } cases[] = {
                { "127.0.0.1:8470", 0, AF_INET, true }, { "127.1.2.3:0", 0, AF_INET, true },
                { "0.0.0.0:8470", 0, AF_INET, false }, { "192.168.1.5:80", 0, AF_INET, false },
                { "[::1]:8470", 0, AF_INET6, true }, { "[::]:8470", 0, AF_INET6, false },
                { "8470", -EINVAL, 0, false }, { "localhost:8470", -EINVAL, 0, false },
                { "127.0.0.1:65536", -EINVAL, 0, false }, { "127.0.0.1:", -EINVAL, 0, false },
                { "127.0.0.1:-1", -EINVAL, 0, false }, { ":80", -EINVAL, 0, false },
                { "::1:80", -EINVAL, 0, false }, { "[::1]", -EINVAL, 0, false },
        };
        struct web_listen l;

        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                int r = web_listen_parse(cases[i].text, &l);

                ck_assert_msg(r == cases[i].r, "%s: %d", cases[i].text, r);
                if (r == 0) {
                        ck_assert_int_eq(l.addr.ss_family, cases[i].family);
                        ck_assert_int_eq(l.loopback, cases[i].loopback);
                }
        }
        ck_assert_int_eq(web_listen_parse("10.0.0.1:8470", &l), 0);
        ck_assert_uint_eq(ntohs(((struct sockaddr_in *) &l.addr)->sin_port), 8470);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("web");
        TCase *tc = tcase_create("web");

        tcase_add_test(tc, test_verb);
        tcase_add_test(tc, test_request);
        tcase_add_test(tc, test_request_too_long);
        tcase_add_test(tc, test_verb_kinds);
        tcase_add_test(tc, test_status);
        tcase_add_test(tc, test_cookie);
        tcase_add_test(tc, test_origin_host);
        tcase_add_test(tc, test_equal);
        tcase_add_test(tc, test_logins);
        tcase_add_test(tc, test_throttle);
        tcase_add_test(tc, test_listen);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the request path from raw line bytes to the encoded frame
 * (daemon/request.c, cmd.c, cmd-*.c), without an event loop: every
 * bad-input class with its error code and field, and for every valid
 * request the exact frame bytes (the protocol reference's examples).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "json.h"
#include "request.h"
#include "lscd-check.h"

/* parse() and cmd_prepare() against the model without a file, as
 * lscd does with every line. */
static int parse(const char *line, size_t len, struct request *req, struct fail *err)
{
        struct model *model;
        struct servos servos = { .moves = NULL };
        int r = request_parse(line, len, req, err);

        if (r < 0)
                return r;
        model = model_new(&profile_lsc);
        model_add_home(model);
        r = cmd_prepare(req->cmd, model, &servos, &req->args, err);
        model_free(model);
        return r;
}

struct bad_case {
        const char *line;
        const char *code;
        const char *field;      /* NULL: no field */
};

static const struct bad_case bad_cases[] = {
        { "", "invalid_json", NULL },
        { "{", "invalid_json", NULL },
        { "{\"cmd\":\"ping\"} x", "invalid_json", NULL },
        { "{\"cmd\":\"ping\",}", "invalid_json", NULL },
        { "{'cmd':'ping'}", "invalid_json", NULL },
        { "\xef\xbb\xbf{\"cmd\":\"ping\",\"id\":1}", "invalid_json", NULL },
        { "{\"cmd\":\"ping\",\x01\"id\":1}", "invalid_json", NULL },
        { "{\"cmd\":\"ping\",\"id\":01}", "invalid_json", NULL },
        { "{\"cmd\":\"ping\",\"id\":\"a\x1b[31m\"}", "invalid_json", NULL },
        { "{\"cmd\":\"p\xffing\"}", "invalid_json", NULL },
        { "{\"cmd\":\"ping\\u0000\"}", "invalid_json", NULL },
        { "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "invalid_json", NULL },
        { "[]", "invalid_request", NULL },
        { "\"ping\"", "invalid_request", NULL },
        { "42", "invalid_request", NULL },
        { "null", "invalid_request", NULL },
        { "{\"cmd\":\"ping\",\"cmd\":\"ping\"}", "invalid_request", NULL },
        { "{\"cmd\":\"move\",\"time_ms\":1,\"servos\":[{\"id\":1,\"id\":2,\"position\":600}]}",
          "invalid_request", NULL },
        { "{}", "missing_argument", "cmd" },
        { "{\"id\":1}", "missing_argument", "cmd" },
        { "{\"cmd\":7}", "invalid_argument", "cmd" },
        { "{\"cmd\":null}", "invalid_argument", "cmd" },
        { "{\"cmd\":\"dance\"}", "unknown_command", NULL },
        { "{\"cmd\":\"PING\"}", "unknown_command", NULL },
        { "{\"cmd\":\"ping\",\"extra\":1}", "invalid_argument", "extra" },
        /* move */
        { "{\"cmd\":\"move\",\"time_ms\":1000}", "missing_argument", "servos" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":2000}]}", "missing_argument", "time_ms" },
        { "{\"cmd\":\"move\",\"servos\":[],\"time_ms\":1}", "invalid_argument", "servos" },
        { "{\"cmd\":\"move\",\"servos\":{},\"time_ms\":1}", "invalid_argument", "servos" },
        { "{\"cmd\":\"move\",\"servos\":[1],\"time_ms\":1}", "invalid_argument", "servos[0]" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":1}],\"time_ms\":1}", "missing_argument",
          "servos[0].position" },
        { "{\"cmd\":\"move\",\"servos\":[{\"position\":600}],\"time_ms\":1}", "missing_argument",
          "servos[0].id" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":2000},{\"id\":2,\"position\":2000.5}],"
          "\"time_ms\":1}", "invalid_argument", "servos[1].position" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":2501}],\"time_ms\":1}",
          "invalid_argument", "servos[0].position" },
        /* Any board's positions parse (0..2500); the board's own range is
         * the plan's (test-servos.c). */
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":-1}],\"time_ms\":1}",
          "invalid_argument", "servos[0].position" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":\"2000\"}],\"time_ms\":1}",
          "invalid_argument", "servos[0].position" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":0,\"position\":600}],\"time_ms\":1}",
          "invalid_argument", "servos[0].id" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":33,\"position\":600}],\"time_ms\":1}",
          "invalid_argument", "servos[0].id" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":3,\"position\":600},{\"id\":3,\"position\":700}],"
          "\"time_ms\":1}", "invalid_argument", "servos[1].id" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":3,\"position\":600,\"speed\":1}],\"time_ms\":1}",
          "invalid_argument", "servos[0].speed" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":600}],\"time_ms\":65536}",
          "invalid_argument", "time_ms" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":600}],\"time_ms\":-1}",
          "invalid_argument", "time_ms" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":600}],\"time_ms\":1e400}",
          "invalid_argument", "time_ms" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":600}],\"time_ms\":1,\"replace\":1}",
          "invalid_argument", "replace" },
        /* group.run */
        { "{\"cmd\":\"group.run\"}", "missing_argument", "group" },
        { "{\"cmd\":\"group.run\",\"group\":255}", "invalid_argument", "group" },
        { "{\"cmd\":\"group.run\",\"group\":\"all\"}", "invalid_argument", "group" },
        { "{\"cmd\":\"group.run\",\"group\":8,\"runs\":65536}", "invalid_argument", "runs" },
        { "{\"cmd\":\"group.run\",\"group\":8,\"wait\":\"yes\"}", "invalid_argument", "wait" },
        { "{\"cmd\":\"group.run\",\"group\":8,\"time_ms\":1}", "invalid_argument", "time_ms" },
        /* group.speed */
        { "{\"cmd\":\"group.speed\",\"percent\":50}", "missing_argument", "group" },
        { "{\"cmd\":\"group.speed\",\"group\":8}", "missing_argument", "percent" },
        { "{\"cmd\":\"group.speed\",\"group\":8,\"percent\":0}", "invalid_argument", "percent" },
        { "{\"cmd\":\"group.speed\",\"group\":\"ALL\",\"percent\":50}", "unknown_group", "group" },
        { "{\"cmd\":\"group.speed\",\"group\":\"wave 2\",\"percent\":50}", "invalid_argument", "group" },
        { "{\"cmd\":\"group.speed\",\"group\":255,\"percent\":50}", "invalid_argument", "group" },
        /* subscribe */
        { "{\"cmd\":\"subscribe\",\"events\":\"group.\"}", "invalid_argument", "events" },
        { "{\"cmd\":\"subscribe\",\"events\":[\"group.\",\"grup.\"]}", "invalid_argument", "events[1]" },
        { "{\"cmd\":\"subscribe\",\"events\":[3]}", "invalid_argument", "events[0]" },
        { "{\"cmd\":\"unsubscribe\",\"events\":[\"hello\"]}", "invalid_argument", "events[0]" },
        { "{\"cmd\":\"battery\",\"millivolts\":1}", "invalid_argument", "millivolts" },
        /* sequence.run: inline steps are read before any "at" */
        { "{\"cmd\":\"sequence.run\",\"steps\":[{\"servos\":{\"1\":1500},\"time_ms\":9},"
          "{\"servos\":{\"1\":1500}}]}", "invalid_argument", "steps[1]" },
        { "{\"cmd\":\"sequence.run\",\"steps\":[],\"at\":4102444800}", "invalid_argument",
          "steps" },
};

START_TEST(test_bad_input)
{
        const struct bad_case *c = &bad_cases[_i];
        struct request req;
        struct fail err;

        ck_assert_msg(parse(c->line, strlen(c->line), &req, &err) < 0, "%s", c->line);
        ck_assert_msg(strcmp(lsc_errcode_name(err.code), c->code) == 0, "%s: got %s (%s)",
                      c->line, lsc_errcode_name(err.code), err.message);
        ck_assert_msg(strcmp(err.field, c->field ? c->field : "") == 0, "%s: field %s", c->line,
                      err.field);
        ck_assert_msg(err.message[0] != '\0', "%s: no message", c->line);
        request_done(&req);
}
END_TEST

struct good_case {
        const char *line;
        const char *frame;      /* hex, "" for verbs without a frame */
};

static const struct good_case good_cases[] = {
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":2000}],\"time_ms\":1000}",
          "55 55 08 03 01 E8 03 01 D0 07" },
        { "{\"cmd\":\"move\",\"time_ms\":800,\"servos\":[{\"id\":2,\"position\":1200},"
          "{\"position\":2300,\"id\":9}],\"replace\":true}",
          "55 55 0B 03 02 20 03 02 B0 04 09 FC 08" },
        { "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":2000.0}],\"time_ms\":1e3}",
          "55 55 08 03 01 E8 03 01 D0 07" },
        { "{\"cmd\":\"group.run\",\"group\":8,\"runs\":1}", "55 55 05 06 08 01 00" },
        { "{\"cmd\":\"group.run\",\"group\":8}", "55 55 05 06 08 01 00" },
        { "{\"cmd\":\"group.run\",\"group\":2,\"runs\":0,\"wait\":false}", "55 55 05 06 02 00 00" },
        { "{\"cmd\":\"group.stop\"}", "55 55 02 07" },
        { "{\"cmd\":\"halt\",\"id\":[1,{\"a\":null}]}", "55 55 02 07" },
        { "{\"cmd\":\"group.speed\",\"group\":8,\"percent\":50}", "55 55 05 0B 08 32 00" },
        { "{\"cmd\":\"group.speed\",\"group\":\"all\",\"percent\":300}", "55 55 05 0B FF 2C 01" },
        { "{\"cmd\":\"battery\"}", "55 55 02 0F" },
        { "  {\"cmd\":\"ping\",\"id\":\"x\"}\r", "" },
        { "{\"cmd\":\"version\"}", "" },
        { "{\"cmd\":\"status\"}", "" },
        { "{\"cmd\":\"subscribe\"}", "" },
        { "{\"cmd\":\"unsubscribe\",\"events\":[]}", "" },
};

START_TEST(test_good_input)
{
        const struct good_case *c = &good_cases[_i];
        struct request req;
        struct fail err;
        uint8_t frame[LSC_FRAME_MAX_SIZE];
        char hex[3 * LSC_FRAME_MAX_SIZE + 1] = "";
        int n;

        ck_assert_msg(parse(c->line, strlen(c->line), &req, &err) == 0, "%s: %s",
                      c->line, err.message);
        n = cmd_encode(req.cmd, &req.args, frame, sizeof(frame));
        ck_assert_int_ge(n, 0);
        for (int i = 0; i < n; i++)
                snprintf(hex + strlen(hex), 4, i ? " %02X" : "%02X", frame[i]);
        ck_assert_str_eq(hex, c->frame);
        request_done(&req);
}
END_TEST

/* The id is echoed even when the request is bad, and absent when absent. */
START_TEST(test_id_kept_on_error)
{
        struct request req;
        struct fail err;
        const char *line = "{\"id\":{\"n\":7},\"cmd\":\"group.run\",\"group\":300}";
        char *id;

        ck_assert_int_lt(parse(line, strlen(line), &req, &err), 0);
        id = cJSON_PrintUnformatted(req.id);
        ck_assert_str_eq(id, "{\"n\":7}");
        free(id);
        request_done(&req);
        ck_assert_int_lt(parse("{\"cmd\":1}", 9, &req, &err), 0);
        ck_assert_ptr_null(req.id);
        request_done(&req);
}
END_TEST

/* The id's text is kept exactly as written, whatever cJSON would print. */
static const char *const id_texts[] = {
        "9007199254740993", "1234567890123456789", "-0", "1.50", "1E2", "\"\\u00e9\"",
        "[1, {\"a\" : [2,3]}]", "{\"n\":\"}\\\"]\"}", "null", "true", "\"x,y\"",
};

START_TEST(test_id_text_is_exact)
{
        struct request req;
        struct fail err;
        char line[256];

        snprintf(line, sizeof(line), " { \"cmd\" : \"ping\",\t\"id\" : %s }",
                 id_texts[_i]);
        ck_assert_int_eq(parse(line, strlen(line), &req, &err), 0);
        ck_assert_uint_eq(req.id_len, strlen(id_texts[_i]));
        ck_assert_int_eq(memcmp(req.id_text, id_texts[_i], req.id_len), 0);
        request_done(&req);
}
END_TEST

START_TEST(test_typed_arguments)
{
        struct request req;
        struct fail err;
        const char *line = "{\"cmd\":\"subscribe\",\"events\":[\"group.\",\"battery\"]}";

        ck_assert_int_eq(parse(line, strlen(line), &req, &err), 0);
        ck_assert(req.args.has_events);
        ck_assert_uint_eq(req.args.events, lsc_event_mask_from_pattern("group.") |
                                           LSC_EVENT_MASK(LSC_EVENT_BATTERY));
        request_done(&req);

        line = "{\"cmd\":\"group.run\",\"group\":254,\"runs\":65535,\"wait\":true}";
        ck_assert_int_eq(parse(line, strlen(line), &req, &err), 0);
        ck_assert_int_eq(req.args.group, 254);
        ck_assert_int_eq(req.args.runs, 65535);
        ck_assert(req.args.wait);
        request_done(&req);

        line = "{\"cmd\":\"move\",\"servos\":[{\"id\":32,\"position\":500},{\"id\":1,\"position\":2500}],"
               "\"time_ms\":0}";
        ck_assert_int_eq(parse(line, strlen(line), &req, &err), 0);
        ck_assert_uint_eq(req.args.plan.n, 2);
        ck_assert(req.args.plan.mask == ((UINT64_C(1) << 32) | (UINT64_C(1) << 1)));
        ck_assert(!req.args.replace);
        request_done(&req);
}
END_TEST

/* A line is not read past its length: the bytes after it do not count. */
START_TEST(test_length_is_respected)
{
        const char buf[] = "{\"cmd\":\"ping\"}{\"cmd\":\"ping\"}";
        struct request req;
        struct fail err;

        ck_assert_int_eq(parse(buf, 14, &req, &err), 0);
        request_done(&req);
        ck_assert_int_lt(parse(buf, 13, &req, &err), 0);
        ck_assert_str_eq(lsc_errcode_name(err.code), "invalid_json");
        request_done(&req);
}
END_TEST

/* Names quoted in an error are shortened, never inside a UTF-8 character:
 * the message and field go out in a JSON line and must stay UTF-8. Each @
 * becomes "a" and 100 "\xc3\xa9", so that every cut falls mid-character. */
static const char *const long_name_lines[] = {
        "{\"cmd\":\"@\"}",                                   /* unknown command */
        "{\"cmd\":\"ping\",\"@\":1}",                          /* unknown argument */
        "{\"cmd\":\"ping\",\"@\":1,\"@\":2}",                    /* duplicate key */
        "{\"cmd\":\"move\",\"time_ms\":1,\"servos\":[{\"@\":1}]}", /* unknown field */
};

START_TEST(test_long_names_stay_utf8)
{
        char line[1024] = "";
        struct request req;
        struct fail err;

        for (const char *t = long_name_lines[_i]; *t; t++) {
                if (*t != '@') {
                        strncat(line, t, 1);
                        continue;
                }
                strcat(line, "a");
                for (int i = 0; i < 100; i++)
                        strcat(line, "\xc3\xa9");
        }
        ck_assert_int_lt(parse(line, strlen(line), &req, &err), 0);
        ck_assert_msg(json_scan(err.message, strlen(err.message), JSON_MAX_DEPTH) == JSON_SCAN_OK,
                      "message not UTF-8: %s", err.message);
        ck_assert_msg(json_scan(err.field, strlen(err.field), JSON_MAX_DEPTH) == JSON_SCAN_OK,
                      "field not UTF-8: %s", err.field);
        request_done(&req);
}
END_TEST

START_TEST(test_32_servos_and_help)
{
        char line[4096] = "{\"cmd\":\"move\",\"time_ms\":5,\"servos\":[";
        struct request req;
        struct fail err;
        uint8_t frame[LSC_FRAME_MAX_SIZE];
        char *help = NULL;
        size_t help_len = 0;
        FILE *f;

        for (int id = 1; id <= 32; id++)
                snprintf(line + strlen(line), 64, "%s{\"id\":%d,\"position\":%d}", id > 1 ? "," : "",
                         id, 500 + id);
        strcat(line, "]}");
        ck_assert_int_eq(parse(line, strlen(line), &req, &err), 0);
        ck_assert_int_eq(cmd_encode(req.cmd, &req.args, frame, sizeof(frame)),
                         LSC_FRAME_SIZE_MOVE(32));
        request_done(&req);

        f = open_memstream(&help, &help_len);
        cmd_print_help(f);
        fclose(f);
        for (size_t i = 0; cmd_table[i]; i++)
                ck_assert_ptr_nonnull(strstr(help, cmd_table[i]->name));
        ck_assert_ptr_nonnull(strstr(help, "time_ms    integer 0..65535, required"));
        free(help);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("request");
        TCase *tc = tcase_create("request");

        tcase_add_loop_test(tc, test_bad_input, 0, (int) ARRAY_SIZE(bad_cases));
        tcase_add_loop_test(tc, test_good_input, 0, (int) ARRAY_SIZE(good_cases));
        tcase_add_test(tc, test_id_kept_on_error);
        tcase_add_test(tc, test_typed_arguments);
        tcase_add_loop_test(tc, test_id_text_is_exact, 0, (int) ARRAY_SIZE(id_texts));
        tcase_add_test(tc, test_length_is_respected);
        tcase_add_test(tc, test_32_servos_and_help);
        tcase_add_loop_test(tc, test_long_names_stay_utf8, 0, (int) ARRAY_SIZE(long_name_lines));
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

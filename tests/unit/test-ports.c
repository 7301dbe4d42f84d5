/* SPDX-License-Identifier: MIT */
/* Unit tests of port enumeration helpers: id parsing and matching, USB
 * identity copies, libserialport error mapping, and a live enumeration. */
#include "lscd-check.h"
#include <errno.h>
#include <libserialport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ports.h"

static const struct {
        const char *text;
        uint16_t vid, pid;
} good_ids[] = {
        { "1a86:7523", 0x1a86, 0x7523 },
        { "10C4:EA60", 0x10c4, 0xea60 },
        { "1a86:55D4", 0x1a86, 0x55d4 },
        { "1:2", 0x0001, 0x0002 },
        { "0000:ffff", 0x0000, 0xffff },
};

static const char *const bad_ids[] = {
        "", ":", "1a86", "1a86:", ":7523", "1a86:75230", "1a860:7523", "1a86-7523",
        "1a86:7523 ", " 1a86:7523", "0x1a86:7523", "1a86:7523:1", "g000:0000",
        "+1a8:7523", "1a86::7523", "-1:2",
        /* Control characters that OR 0x20 would turn into digits. */
        "1a86:\x10\x11\x12\x13", "\021a86:7523",
};

START_TEST(test_parse_good)
{
        struct ports_id id;

        ck_assert_int_eq(ports_parse_id(good_ids[_i].text, &id), 0);
        ck_assert_uint_eq(id.vid, good_ids[_i].vid);
        ck_assert_uint_eq(id.pid, good_ids[_i].pid);
}
END_TEST

START_TEST(test_parse_bad)
{
        struct ports_id id = { 0x1234, 0x5678 };

        ck_assert_msg(ports_parse_id(bad_ids[_i], &id) == -EINVAL, "accepted \"%s\"", bad_ids[_i]);
        ck_assert_uint_eq(id.vid, 0x1234);
        ck_assert_uint_eq(id.pid, 0x5678);
}
END_TEST

START_TEST(test_parse_null)
{
        struct ports_id id;

        ck_assert_int_eq(ports_parse_id(NULL, &id), -EINVAL);
}
END_TEST

START_TEST(test_known_ids)
{
        static const char *const known[] = { "1a86:7523", "1a86:55d4", "10c4:ea60" };

        ck_assert_uint_eq(ports_n_known_ids, 3);
        for (size_t i = 0; i < 3; i++) {
                struct ports_id id;

                ck_assert_int_eq(ports_parse_id(known[i], &id), 0);
                ck_assert(ports_id_match(id.vid, id.pid, ports_known_ids, ports_n_known_ids));
                ck_assert(!ports_id_match(id.vid, id.pid, ports_known_ids, 0));
        }
        ck_assert(!ports_id_match(0x1a86, 0x7522, ports_known_ids, ports_n_known_ids));
        ck_assert(!ports_id_match(0x7523, 0x1a86, ports_known_ids, ports_n_known_ids));
        ck_assert(!ports_id_match(0x10c4, 0x7523, ports_known_ids, ports_n_known_ids));
}
END_TEST

START_TEST(test_usb_dup)
{
        char manufacturer[] = "QinHeng", serial[] = "0001", location[] = "1-1.3";
        struct ports_usb usb = { 0x1a86, 0x7523, manufacturer, NULL, serial, 2, location };
        struct ports_usb *copy = ports_usb_dup(&usb);

        ck_assert_ptr_nonnull(copy);
        ck_assert_uint_eq(copy->vid, 0x1a86);
        ck_assert_uint_eq(copy->pid, 0x7523);
        ck_assert_str_eq(copy->manufacturer, "QinHeng");
        ck_assert_ptr_ne(copy->manufacturer, manufacturer);
        ck_assert_ptr_null(copy->product);
        ck_assert_str_eq(copy->serial, "0001");
        ck_assert_uint_eq(copy->bus, 2);
        ck_assert_str_eq(copy->location, "1-1.3");
        ck_assert_ptr_ne(copy->location, location);
        ck_assert_ptr_null(ports_usb_free(copy));
        ck_assert_ptr_null(ports_usb_dup(NULL));
        ck_assert_ptr_null(ports_usb_free(NULL));
}
END_TEST

/* The same adapter in the same USB port; manufacturer and product do not
 * tell adapters apart. */
START_TEST(test_usb_equal)
{
        char l1[] = "1-1", l1b[] = "1-1", l2[] = "1-2", s1[] = "A1", s2[] = "A2", p[] = "x";
        struct ports_usb a = { 0x1a86, 0x7523, NULL, NULL, NULL, 1, l1 };
        struct ports_usb same = { 0x1a86, 0x7523, p, p, NULL, 1, l1b };
        const struct ports_usb others[] = {
                { 0x1a86, 0x55d4, NULL, NULL, NULL, 1, l1 },
                { 0x10c4, 0x7523, NULL, NULL, NULL, 1, l1 },
                { 0x1a86, 0x7523, NULL, NULL, NULL, 2, l1 },
                { 0x1a86, 0x7523, NULL, NULL, NULL, 1, l2 },
                { 0x1a86, 0x7523, NULL, NULL, NULL, 1, NULL },
                { 0x1a86, 0x7523, NULL, NULL, s1, 1, l1 },
        };
        struct ports_usb serial1 = { 0x1a86, 0x7523, NULL, NULL, s1, 1, l1 };
        struct ports_usb serial2 = { 0x1a86, 0x7523, NULL, NULL, s2, 1, l1 };

        ck_assert(ports_usb_equal(&a, &a));
        ck_assert(ports_usb_equal(&a, &same));
        ck_assert(ports_usb_equal(&same, &a));
        for (size_t i = 0; i < ARRAY_SIZE(others); i++) {
                ck_assert_msg(!ports_usb_equal(&a, &others[i]), "others[%zu]", i);
                ck_assert_msg(!ports_usb_equal(&others[i], &a), "others[%zu]", i);
        }
        ck_assert(!ports_usb_equal(&serial1, &serial2));
        ck_assert(ports_usb_equal(&serial1, &others[5]));
}
END_TEST

/* The one JSON form of an identity: ids as 4 hex digits, what the device
 * does not report as null. */
START_TEST(test_usb_json)
{
        char product[] = "USB Serial", location[] = "3-2";
        struct ports_usb usb = { 0x10c4, 0xea60, NULL, product, NULL, 3, location };
        struct ports_usb unknown = { 0x0001, 0x0002, NULL, NULL, NULL, 0, NULL };
        cJSON *o = ports_usb_json(&usb);
        char *text = cJSON_PrintUnformatted(o);

        ck_assert_str_eq(text, "{\"vid\":\"10c4\",\"pid\":\"ea60\",\"manufacturer\":null,"
                         "\"product\":\"USB Serial\",\"serial\":null,\"bus\":3,\"port\":\"3-2\"}");
        free(text);
        cJSON_Delete(o);
        o = ports_usb_json(&unknown);
        text = cJSON_PrintUnformatted(o);
        ck_assert_str_eq(text, "{\"vid\":\"0001\",\"pid\":\"0002\",\"manufacturer\":null,"
                         "\"product\":null,\"serial\":null,\"bus\":null,\"port\":null}");
        free(text);
        cJSON_Delete(o);
        o = ports_usb_json(NULL);
        ck_assert(cJSON_IsNull(o));
        cJSON_Delete(o);
}
END_TEST

/* ports_natural_compare(a, b) has the sign of want; b, a the opposite. */
static const struct {
        const char *a, *b;
        int want;
} natural[] = {
        { "", "", 0 },
        { "ttyUSB0", "ttyUSB0", 0 },
        { "ttyUSB2", "ttyUSB10", -1 },
        { "ttyUSB9", "ttyUSB10", -1 },
        { "ttyACM0", "ttyUSB0", -1 },
        { "ttyS2", "ttyS10", -1 },
        { "ttyUSB1", "ttyUSB01", -1 },   /* same number, fewer zeros first */
        { "ttyUSB01", "ttyUSB2", -1 },
        { "ttyUSB", "ttyUSB0", -1 },
        { "1-1.2", "1-1.10", -1 },
        { "1-1.10", "1-2", -1 },
        { "1-1", "1-1.1", -1 },
        { "1-9", "1-10", -1 },
        { "2-1", "10-1", -1 },
        { "a0b", "a00b", -1 },
        { "a99999999999999999999", "a100000000000000000000", -1 }, /* longer than any integer */
        { "a", "b", -1 },
        { "\xff", "a", 1 },
};

START_TEST(test_natural_compare)
{
        int got = ports_natural_compare(natural[_i].a, natural[_i].b);
        int back = ports_natural_compare(natural[_i].b, natural[_i].a);

        ck_assert_msg(got == natural[_i].want, "\"%s\" vs \"%s\": %d", natural[_i].a,
                      natural[_i].b, got);
        ck_assert_int_eq(back, -natural[_i].want);
}
END_TEST

/* ports_compare(), the order of the list and so of auto's choice: USB by
 * bus and location, then path; then the others by path. */
START_TEST(test_compare)
{
        char l11[] = "1-1", l12[] = "1-1.2", l110[] = "1-1.10", l21[] = "2-1";
        struct ports_usb u11 = { 1, 1, NULL, NULL, NULL, 1, l11 };
        struct ports_usb u12 = { 1, 1, NULL, NULL, NULL, 1, l12 };
        struct ports_usb u110 = { 1, 1, NULL, NULL, NULL, 1, l110 };
        struct ports_usb u21 = { 1, 1, NULL, NULL, NULL, 2, l21 };
        char p10[] = "/dev/ttyUSB10", p11[] = "/dev/ttyUSB11", p9[] = "/dev/ttyUSB9",
             p0[] = "/dev/ttyUSB0", pacm[] = "/dev/ttyACM0", pama[] = "/dev/ttyAMA0",
             ps2[] = "/dev/ttyS2", ps10[] = "/dev/ttyS10", p1[] = "/dev/ttyUSB1";
        /* Strictly increasing in the order ports_compare() must give. */
        const struct ports_entry sorted[] = {
                { .path = p10, .usb = &u11 },   /* 1-1, two ports of one adapter: */
                { .path = p11, .usb = &u11 },   /* by path */
                { .path = p9, .usb = &u12 },    /* 1-1.2 */
                { .path = p0, .usb = &u110 },   /* 1-1.10: the lowest name, last */
                { .path = pacm, .usb = &u21 },  /* bus 2 */
                { .path = pama },               /* not USB: by path */
                { .path = ps2 },
                { .path = ps10 },
                { .path = p1 },
        };

        for (size_t i = 0; i < ARRAY_SIZE(sorted); i++)
                for (size_t j = 0; j < ARRAY_SIZE(sorted); j++) {
                        int want = i < j ? -1 : i > j ? 1 : 0;
                        int got = ports_compare(&sorted[i], &sorted[j]);

                        ck_assert_msg(got == want, "%s vs %s: %d, want %d", sorted[i].path,
                                      sorted[j].path, got, want);
                }
}
END_TEST

START_TEST(test_sp_errno)
{
        ck_assert_int_eq(ports_sp_errno(SP_OK), 0);
        ck_assert_int_eq(ports_sp_errno(SP_ERR_ARG), -EINVAL);
        ck_assert_int_eq(ports_sp_errno(SP_ERR_MEM), -ENOMEM);
        ck_assert_int_eq(ports_sp_errno(SP_ERR_SUPP), -ENOTSUP);
        ck_assert_int_lt(ports_sp_errno(SP_ERR_FAIL), 0);
}
END_TEST

/* Whatever this machine has (often no USB port at all): every entry is
 * well formed, and "known" follows the id list given. */
START_TEST(test_list)
{
        struct ports_entry *list;
        int n = ports_list(&list, ports_known_ids, ports_n_known_ids);

        ck_assert_int_ge(n, 0);
        printf("# %d port(s)\n", n);
        for (int i = 0; i < n; i++) {
                printf("#   %s usb=%s known=%d\n", list[i].path, list[i].usb ? "yes" : "no",
                       list[i].known);
                ck_assert_ptr_nonnull(list[i].path);
                ck_assert_int_eq(strncmp(list[i].path, "/dev/", 5), 0);
                if (!list[i].usb)
                        ck_assert(!list[i].known);
                else
                        ck_assert_int_eq(list[i].known,
                                         ports_id_match(list[i].usb->vid, list[i].usb->pid,
                                                        ports_known_ids, ports_n_known_ids));
        }
        ck_assert_ptr_null(ports_list_free(list, (size_t)n));

        n = ports_list(&list, NULL, 0);
        ck_assert_int_ge(n, 0);
        for (int i = 0; i < n; i++)
                ck_assert(!list[i].known);
        ports_list_free(list, (size_t)n);
        ck_assert_ptr_null(ports_list_free(NULL, 0));
}
END_TEST

int main(void)
{
        Suite *s = suite_create("ports");
        TCase *tc = tcase_create("ports");

        tcase_add_loop_test(tc, test_parse_good, 0, (int)ARRAY_SIZE(good_ids));
        tcase_add_loop_test(tc, test_parse_bad, 0, (int)ARRAY_SIZE(bad_ids));
        tcase_add_test(tc, test_parse_null);
        tcase_add_test(tc, test_known_ids);
        tcase_add_test(tc, test_usb_dup);
        tcase_add_test(tc, test_usb_json);
        tcase_add_test(tc, test_usb_equal);
        tcase_add_loop_test(tc, test_natural_compare, 0, (int)ARRAY_SIZE(natural));
        tcase_add_test(tc, test_compare);
        tcase_add_test(tc, test_sp_errno);
        tcase_add_test(tc, test_list);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

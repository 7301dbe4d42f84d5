/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the state lscd keeps across its own restarts
 * (daemon/robot/state.c): the board's remembered speeds and running group
 * and the servos' targets to JSON and back, the predicted ends converted
 * from CLOCK_MONOTONIC to CLOCK_REALTIME and back at another moment; a
 * file of another boot or version is stale, a damaged one is refused whole
 * and sets nothing; state_text() written as lscd's saver does (replace_file())
 * and state_load() through a real file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "mem.h"
#include "replace.h"
#include "state.h"
#include "lscd-check.h"

#define SEC 1000000ull
#define MS 1000ull
/* The moment of the save, on both clocks, and a moment 3 s later. */
#define MONO0 (5000 * SEC)
#define REAL0 (1763683200ull * SEC)
#define BOOT "0d3c4e5f-6a7b-4c8d-9e0f-112233445566"

static const struct state_now now0 = { .mono = MONO0, .real = REAL0 };
static const struct state_now now3 = { .mono = MONO0 + 3 * SEC, .real = REAL0 + 3 * SEC };

static const struct board_ops board_ops;        /* never called: nothing is sent */
static const struct servos_ops servos_ops;      /* never called: no move is written */

static struct board_state bs;
static struct servos sv;

static void setup(void)
{
        board_state_init(&bs, &board_ops, NULL, SEC);
        board_state_profile(&bs, &profile_lsc);
        servos_init(&sv, &servos_ops, NULL);
}

static void teardown(void)
{
        servos_done(&sv);
        board_state_done(&bs);
}

/* A state worth keeping: "all" then two single speeds, group 8 running
 * twice from lscd, three targets (one move ahead, one ended, one without
 * a predicted end). */
static void fill(void)
{
        board_state_speed(&bs, LSC_GROUP_ALL, 50);
        board_state_speed(&bs, 3, 200);
        board_state_speed(&bs, LSC_GROUP_MAX, LSC_PERCENT_MAX);
        board_state_restore_group(&bs, 8, 2, true);
        servos_restore(&sv, 1, 900, MONO0 + 500 * MS);
        servos_restore(&sv, 2, 2100, MONO0 - 2 * SEC);
        servos_restore(&sv, 32, 500, 0);
}

/* The JSON of B and S as lscd saves them (state_take(), state_to_json()). */
static cJSON *to_json(const struct board_state *b, const struct servos *s,
                      const struct state_now *now, const char *boot_id)
{
        struct state_save save;

        state_take(b, s, now, &save);
        return state_to_json(&save, boot_id);
}

/* The saved JSON as the file holds it: printed, then parsed again. */
static cJSON *saved(const struct state_now *now, const char *boot_id)
{
        cJSON *j = to_json(&bs, &sv, now, boot_id);
        char *text = cJSON_PrintUnformatted(j);
        cJSON *back = cJSON_Parse(text);

        cJSON_Delete(j);
        free(text);
        ck_assert_ptr_nonnull(back);
        return back;
}

static double number_at(const cJSON *j, const char *object, const char *member)
{
        const cJSON *o = object ? cJSON_GetObjectItemCaseSensitive(j, object) : j;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, member);

        ck_assert_msg(cJSON_IsNumber(v), "%s.%s", object ? object : "", member);
        return v->valuedouble;
}

START_TEST(test_to_json)
{
        cJSON *j, *servos;

        fill();
        j = saved(&now0, BOOT);
        ck_assert_int_eq((int) number_at(j, NULL, "version"), STATE_VERSION);
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "boot_id")->valuestring, BOOT);
        ck_assert(number_at(j, NULL, "saved") == (double) REAL0);
        ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "speeds")), 3);
        ck_assert(number_at(j, "speeds", "all") == 50);
        ck_assert(number_at(j, "speeds", "3") == 200);
        ck_assert(number_at(j, "speeds", "254") == LSC_PERCENT_MAX);
        ck_assert(number_at(j, "group", "group") == 8);
        ck_assert(number_at(j, "group", "runs") == 2);
        ck_assert(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(j, "group"), "from_lscd")));
        servos = cJSON_GetObjectItemCaseSensitive(j, "servos");
        ck_assert_int_eq(cJSON_GetArraySize(servos), 3);
        ck_assert(number_at(servos, "1", "target") == 900);
        ck_assert(number_at(servos, "1", "until") == (double) (REAL0 + 500 * MS));
        ck_assert(number_at(servos, "2", "target") == 2100);
        ck_assert(number_at(servos, "2", "until") == (double) (REAL0 - 2 * SEC));
        ck_assert(number_at(servos, "32", "target") == 500);
        ck_assert(number_at(servos, "32", "until") == 0);
        cJSON_Delete(j);
}
END_TEST

/* Nothing remembered: no speeds, group null, no servos. */
START_TEST(test_to_json_empty)
{
        cJSON *j = saved(&now0, BOOT);

        ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "speeds")), 0);
        ck_assert(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "group")));
        ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "servos")), 0);
        cJSON_Delete(j);
}
END_TEST

static struct state_snapshot read_back(const cJSON *j, const struct state_now *now)
{
        struct state_snapshot snap;

        ck_assert_int_eq(state_from_json(j, now, BOOT, "lsc", &snap), 0);
        return snap;
}

/* Saved, then read by an lscd started 3 s later: the same speeds and
 * group, and each predicted end at the same moment of the monotonic
 * clock, which the two lscd share within one boot. */
START_TEST(test_round_trip)
{
        struct state_snapshot snap;
        cJSON *j;

        fill();
        j = saved(&now0, BOOT);
        snap = read_back(j, &now3);
        cJSON_Delete(j);
        ck_assert(snap.speed_all_set);
        ck_assert_uint_eq(snap.speed_all, 50);
        for (unsigned g = 0; g <= LSC_GROUP_MAX; g++)
                ck_assert_uint_eq(snap.speeds[g], g == 3 ? 200 : g == LSC_GROUP_MAX ?
                                  LSC_PERCENT_MAX : 0);
        ck_assert(snap.running);
        ck_assert_uint_eq(snap.group, 8);
        ck_assert_uint_eq(snap.runs, 2);
        ck_assert(snap.from_lscd);
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                ck_assert_int_eq(snap.known[id], id == 1 || id == 2 || id == 32);
        ck_assert_int_eq(snap.target[1], 900);
        ck_assert_uint_eq(snap.until[1], MONO0 + 500 * MS);
        ck_assert_int_eq(snap.target[2], 2100);
        ck_assert_uint_eq(snap.until[2], MONO0 - 2 * SEC);
        ck_assert_int_eq(snap.target[32], 500);
        ck_assert_uint_eq(snap.until[32], 0);
}
END_TEST

/* Without "all", a group not started by lscd; the state of the board and
 * the servos after a run, read back into a fresh one, saves the same. */
START_TEST(test_round_trip_again)
{
        struct state_snapshot snap;
        struct board_state bs2;
        struct servos sv2;
        cJSON *j, *j2;

        board_state_speed(&bs, 0, 1);
        board_state_restore_group(&bs, 0, 0, false);
        servos_restore(&sv, 7, 2500, MONO0 + 1);
        j = saved(&now0, BOOT);
        snap = read_back(j, &now0);
        ck_assert(!snap.speed_all_set);
        ck_assert_uint_eq(snap.speeds[0], 1);
        ck_assert(snap.running);
        ck_assert_uint_eq(snap.group, 0);
        ck_assert_uint_eq(snap.runs, 0);
        ck_assert(!snap.from_lscd);

        board_state_init(&bs2, &board_ops, NULL, SEC);
        board_state_profile(&bs2, &profile_lsc);
        servos_init(&sv2, &servos_ops, NULL);
        for (unsigned g = 0; g <= LSC_GROUP_MAX; g++)
                if (snap.speeds[g])
                        board_state_speed(&bs2, g, snap.speeds[g]);
        board_state_restore_group(&bs2, snap.group, snap.runs, snap.from_lscd);
        servos_restore(&sv2, 7, snap.target[7], snap.until[7]);
        j2 = to_json(&bs2, &sv2, &now0, BOOT);
        ck_assert(cJSON_Compare(j, j2, true));
        cJSON_Delete(j);
        cJSON_Delete(j2);
        servos_done(&sv2);
        board_state_done(&bs2);
}
END_TEST

/* A predicted end from before this boot's monotonic zero is in the past,
 * not "none": it stays a moment (1 us). */
START_TEST(test_until_before_boot)
{
        static const struct state_now early = { .mono = 2 * SEC, .real = REAL0 + 10 * SEC };
        struct state_snapshot snap;
        cJSON *j;

        servos_restore(&sv, 4, 1500, MONO0 - 4 * SEC);  /* REAL0 - 4 s in the file */
        j = saved(&now0, BOOT);
        snap = read_back(j, &early);
        ck_assert(snap.known[4]);
        ck_assert_uint_eq(snap.until[4], 1);
        cJSON_Delete(j);
}
END_TEST

/* Another boot, format or board: stale, and nothing is set. */
START_TEST(test_stale)
{
        struct state_snapshot snap, before;
        cJSON *j;

        fill();
        memset(&snap, 0xa5, sizeof(snap));
        memcpy(&before, &snap, sizeof(snap));
        j = saved(&now0, "another-boot");
        ck_assert_int_eq(state_from_json(j, &now0, BOOT, "lsc", &snap), -ESTALE);
        ck_assert_int_eq(memcmp(&snap, &before, sizeof(snap)), 0);
        cJSON_Delete(j);

        j = saved(&now0, BOOT);
        for (int v = 0; v <= 2; v++) {
                if (v == STATE_VERSION)
                        continue;
                cJSON_ReplaceItemInObjectCaseSensitive(j, "version", cJSON_CreateNumber(v));
                ck_assert_int_eq(state_from_json(j, &now0, BOOT, "lsc", &snap), -ESTALE);
                ck_assert_int_eq(memcmp(&snap, &before, sizeof(snap)), 0);
        }
        cJSON_Delete(j);

        /* Another board's: positions in other units (issue 21's review). */
        j = saved(&now0, BOOT);
        ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(j, "board")->valuestring, "lsc");
        ck_assert_int_eq(state_from_json(j, &now0, BOOT, "bus", &snap), -EMEDIUMTYPE);
        ck_assert_int_eq(memcmp(&snap, &before, sizeof(snap)), 0);
        /* Saved before lscd recorded its board: whose is unknown. */
        cJSON_DeleteItemFromObjectCaseSensitive(j, "board");
        ck_assert_int_eq(state_from_json(j, &now0, BOOT, "lsc", &snap), -ESTALE);
        ck_assert_int_eq(memcmp(&snap, &before, sizeof(snap)), 0);
        cJSON_AddNumberToObject(j, "board", 1);
        ck_assert_int_eq(state_from_json(j, &now0, BOOT, "lsc", &snap), -EBADMSG);
        cJSON_Delete(j);
}
END_TEST

#define GOOD_HEAD "{\"version\":1,\"boot_id\":\"" BOOT "\",\"board\":\"lsc\",\"saved\":1,"
#define GOOD_SPEEDS "\"speeds\":{\"all\":50,\"3\":200}"
#define GOOD_GROUP "\"group\":{\"group\":8,\"runs\":2,\"from_lscd\":true}"
#define GOOD_SERVOS "\"servos\":{\"1\":{\"target\":900,\"until\":1}}"
#define GOOD GOOD_HEAD GOOD_SPEEDS "," GOOD_GROUP "," GOOD_SERVOS "}"
#define WITH_SPEEDS(s) GOOD_HEAD "\"speeds\":" s "," GOOD_GROUP "," GOOD_SERVOS "}"
#define WITH_GROUP(g) GOOD_HEAD GOOD_SPEEDS ",\"group\":" g "," GOOD_SERVOS "}"
#define WITH_SERVOS(s) GOOD_HEAD GOOD_SPEEDS "," GOOD_GROUP ",\"servos\":" s "}"

/* Each case is the good state with one thing damaged. */
static const char *const damaged[] = {
        "[]", "null", "\"state\"", "1",
        "{\"boot_id\":\"" BOOT "\"," GOOD_SPEEDS "," GOOD_GROUP "," GOOD_SERVOS "}",
        "{\"version\":\"1\",\"boot_id\":\"" BOOT "\"," GOOD_SPEEDS "," GOOD_GROUP "," GOOD_SERVOS "}",
        "{\"version\":1," GOOD_SPEEDS "," GOOD_GROUP "," GOOD_SERVOS "}",
        "{\"version\":1,\"boot_id\":7," GOOD_SPEEDS "," GOOD_GROUP "," GOOD_SERVOS "}",
        "{\"version\":1.5,\"boot_id\":\"" BOOT "\"," GOOD_SPEEDS "," GOOD_GROUP "," GOOD_SERVOS "}",
        /* speeds */
        GOOD_HEAD GOOD_GROUP "," GOOD_SERVOS "}",
        WITH_SPEEDS("[50]"),
        WITH_SPEEDS("null"),
        WITH_SPEEDS("{\"all\":0}"),
        WITH_SPEEDS("{\"3\":65536}"),
        WITH_SPEEDS("{\"3\":\"200\"}"),
        WITH_SPEEDS("{\"3\":200.5}"),
        WITH_SPEEDS("{\"all\":0.5}"),
        WITH_SPEEDS("{\"255\":100}"),
        WITH_SPEEDS("{\"-1\":100}"),
        WITH_SPEEDS("{\"x\":100}"),
        WITH_SPEEDS("{\"\":100}"),
        WITH_SPEEDS("{\"3x\":100}"),
        /* group */
        GOOD_HEAD GOOD_SPEEDS "," GOOD_SERVOS "}",
        WITH_GROUP("8"),
        WITH_GROUP("{\"runs\":2,\"from_lscd\":true}"),
        WITH_GROUP("{\"group\":255,\"runs\":2,\"from_lscd\":true}"),
        WITH_GROUP("{\"group\":8,\"runs\":65536,\"from_lscd\":true}"),
        WITH_GROUP("{\"group\":8,\"runs\":-1,\"from_lscd\":true}"),
        WITH_GROUP("{\"group\":8,\"runs\":2}"),
        WITH_GROUP("{\"group\":8.5,\"runs\":2,\"from_lscd\":true}"),
        WITH_GROUP("{\"group\":8,\"runs\":1.5,\"from_lscd\":true}"),
        WITH_GROUP("{\"group\":8,\"runs\":2,\"from_lscd\":1}"),
        /* servos */
        GOOD_HEAD GOOD_SPEEDS "," GOOD_GROUP "}",
        WITH_SERVOS("[]"),
        WITH_SERVOS("{\"0\":{\"target\":900,\"until\":1}}"),
        WITH_SERVOS("{\"33\":{\"target\":900,\"until\":1}}"),
        WITH_SERVOS("{\"one\":{\"target\":900,\"until\":1}}"),
        WITH_SERVOS("{\"1\":{\"until\":1}}"),
        WITH_SERVOS("{\"1\":{\"target\":\"900\",\"until\":1}}"),
        WITH_SERVOS("{\"1\":{\"target\":900}}"),
        WITH_SERVOS("{\"1\":{\"target\":900,\"until\":-1}}"),
        WITH_SERVOS("{\"1\":{\"target\":900,\"until\":null}}"),
        WITH_SERVOS("{\"1\":900}"),
        WITH_SERVOS("{\"1\":{\"target\":-1,\"until\":1}}"),
        WITH_SERVOS("{\"1\":{\"target\":2501,\"until\":1}}"),
        WITH_SERVOS("{\"1\":{\"target\":3500,\"until\":1}}"),
        WITH_SERVOS("{\"1\":{\"target\":900.5,\"until\":1}}"),
        WITH_SERVOS("{\"1\":{\"target\":900,\"until\":0.5}}"),
        WITH_SERVOS("{\"1\":{\"target\":900,\"until\":1e19}}"),
        /* damaged after a good part: nothing of the good part is set */
        WITH_SERVOS("{\"1\":{\"target\":900,\"until\":1},\"2\":{\"target\":900}}"),
};

START_TEST(test_damaged)
{
        cJSON *j = cJSON_Parse(damaged[_i]);
        struct state_snapshot snap, before;

        ck_assert_msg(j != NULL, "not JSON: %s", damaged[_i]);
        memset(&snap, 0x5a, sizeof(snap));
        memcpy(&before, &snap, sizeof(snap));
        ck_assert_msg(state_from_json(j, &now0, BOOT, "lsc", &snap) == -EBADMSG, "%s", damaged[_i]);
        ck_assert_int_eq(memcmp(&snap, &before, sizeof(snap)), 0);
        cJSON_Delete(j);
}
END_TEST

/* The good state the damaged ones are made from reads. */
START_TEST(test_good)
{
        cJSON *j = cJSON_Parse(GOOD);
        struct state_snapshot snap = read_back(j, &now0);

        ck_assert_uint_eq(snap.speed_all, 50);
        ck_assert_uint_eq(snap.speeds[3], 200);
        ck_assert_uint_eq(snap.group, 8);
        ck_assert_int_eq(snap.target[1], 900);
        cJSON_Delete(j);
}
END_TEST

/* Through a real file: saved and loaded by the same boot; missing,
 * damaged and too large files. */
START_TEST(test_save_load)
{
        char dir[] = "/tmp/test-state-XXXXXX", path[64], tmp[80], *text;
        struct state_save save;
        struct state_snapshot snap;
        FILE *f;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/state.json", dir);
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        ck_assert_int_eq(state_load(path, &now3, "lsc", &snap), -ENOENT);

        fill();
        state_take(&bs, &sv, &now0, &save);
        text = state_text(&save);
        ck_assert_int_eq(replace_file(path, text, strlen(text)), 0);
        free(text);
        ck_assert_int_eq(access(tmp, F_OK), -1);
        ck_assert_int_eq(state_load(path, &now3, "lsc", &snap), 0);
        ck_assert_uint_eq(snap.speed_all, 50);
        ck_assert_uint_eq(snap.group, 8);
        ck_assert_uint_eq(snap.until[1], MONO0 + 500 * MS);

        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("{\"version\":1,", f);
        fclose(f);
        ck_assert_int_eq(state_load(path, &now3, "lsc", &snap), -EBADMSG);

        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("{\"version\":1,\"boot_id\":\"" BOOT "\",\"speeds\":{},\"group\":null,"
              "\"servos\":{}}", f);
        fclose(f);
        ck_assert_int_eq(state_load(path, &now3, "lsc", &snap), -ESTALE);

        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("{\"pad\":\"", f);
        for (int i = 0; i < 70000; i++)
                fputc('x', f);
        fputs("\"}", f);
        fclose(f);
        ck_assert_int_eq(state_load(path, &now3, "lsc", &snap), -EBADMSG);

        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("state");
        TCase *tc = tcase_create("state");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_to_json);
        tcase_add_test(tc, test_to_json_empty);
        tcase_add_test(tc, test_round_trip);
        tcase_add_test(tc, test_round_trip_again);
        tcase_add_test(tc, test_until_before_boot);
        tcase_add_test(tc, test_stale);
        tcase_add_loop_test(tc, test_damaged, 0, (int) ARRAY_SIZE(damaged));
        tcase_add_test(tc, test_good);
        tcase_add_test(tc, test_save_load);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

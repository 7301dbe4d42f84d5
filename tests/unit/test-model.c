/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the robot model (daemon/robot/model.c) and of the robot
 * file (model-yaml.c): the example of lscd-robot(5) field by field with its
 * defaults and the built-in home pose, the same file as JSON, comments and
 * empty files; every validation error with its exact text and line; the
 * logical -> wire mapping and the time a speed limit needs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lscd-check.h"
#include "model-yaml.h"
#include "yamldoc.h"

#define FILE_NAME "robot.yaml"

/* The example of issue 12 and lscd-robot(5). */
static const char example_yaml[] =
        "servos:\n"
        "  shoulder: {id: 1, min: 700, max: 2300, home: 1500, trim: -20, invert: false, max_speed: 1000}\n"
        "  elbow:    {id: 2, min: 600, max: 2400, home: 1500, invert: true}\n"
        "  gripper:  {id: 6, min: 1200, max: 2000}\n"
        "poses:\n"
        "  rest: {shoulder: 900, elbow: 2100}\n"
        "groups:\n"
        "  wave: 8\n"
        "  bow: 3\n";

/* The same robot as JSON (valid YAML), one member a line. */
static const char example_json[] =
        "{\n"
        "  \"servos\": {\n"
        "    \"shoulder\": {\"id\": 1, \"min\": 700, \"max\": 2300, \"home\": 1500, \"trim\": -20,\n"
        "                 \"invert\": false, \"max_speed\": 1000},\n"
        "    \"elbow\": {\"id\": 2, \"min\": 600, \"max\": 2400, \"home\": 1500, \"invert\": true},\n"
        "    \"gripper\": {\"id\": 6, \"min\": 1200, \"max\": 2000}\n"
        "  },\n"
        "  \"poses\": {\"rest\": {\"shoulder\": 900, \"elbow\": 2100}},\n"
        "  \"groups\": {\"wave\": 8, \"bow\": 3}\n"
        "}\n";

/* The same robot again, commented everywhere YAML allows it. */
static const char example_commented[] =
        "# lscd robot file\n"
        "servos:   # by name\n"
        "  # the arm\n"
        "  shoulder: {id: 1, min: 700, max: 2300, home: 1500, trim: -20, invert: false, max_speed: 1000}  # trimmed\n"
        "  elbow:    {id: 2, min: 600, max: 2400, home: 1500, invert: true}\n"
        "  gripper:           # block style\n"
        "    id: 6            # #6\n"
        "    min: 1200\n"
        "    max: 2000\n"
        "poses:\n"
        "  rest: {shoulder: 900, elbow: 2100}   # folded\n"
        "groups:\n"
        "  wave: 8\n"
        "  # nothing here\n"
        "  bow: 3\n"
        "# end\n";

static struct model *parse_ok(const char *text)
{
        struct model *m = NULL;
        char *errors = NULL;
        int r = model_parse(text, strlen(text), FILE_NAME, &profile_lsc, &m, &errors);

        ck_assert_msg(r == 0, "%s", errors ? errors : "(no errors)");
        ck_assert_ptr_null(errors);
        ck_assert_ptr_nonnull(m);
        ck_assert_str_eq(m->path, FILE_NAME);
        return m;
}

/* The errors of TEXT (LEN bytes), which must not load. */
static char *parse_errors(const char *text, size_t len)
{
        struct model *m = NULL;
        char *errors = NULL;
        int r = model_parse(text, len, FILE_NAME, &profile_lsc, &m, &errors);

        ck_assert_int_eq(r, -EINVAL);
        ck_assert_ptr_null(m);
        ck_assert_ptr_nonnull(errors);
        return errors;
}

static void expect_servo(const struct model *m, unsigned id, const char *name, int min, int max,
                         int home, int trim, bool invert, unsigned max_speed)
{
        const struct model_servo *s = &m->servos[id];

        ck_assert_str_eq(s->name, name);
        ck_assert_int_eq(s->min, min);
        ck_assert_int_eq(s->max, max);
        ck_assert_int_eq(s->home, home);
        ck_assert_int_eq(s->trim, trim);
        ck_assert_int_eq(s->invert, invert);
        ck_assert_uint_eq(s->max_speed, max_speed);
}

static void expect_pose(const struct model *m, const char *name, size_t n,
                        const struct model_target *targets)
{
        const struct model_pose *p = model_pose(m, name);

        ck_assert_ptr_nonnull(p);
        ck_assert_str_eq(p->name, name);
        ck_assert_uint_eq(p->n, n);
        for (size_t i = 0; i < n; i++) {
                ck_assert_uint_eq(p->targets[i].id, targets[i].id);
                ck_assert_int_eq(p->targets[i].position, targets[i].position);
        }
}

static void expect_defaults(const struct model *m, unsigned id)
{
        expect_servo(m, id, "", LSC_POSITION_MIN, LSC_POSITION_MAX, MODEL_HOME_DEFAULT, 0, false, 0);
        ck_assert_uint_eq(m->servos[id].line, 0);
}

/* The example's model, whichever way it was written. */
static void expect_example(const struct model *m)
{
        static const struct model_target rest[] = { { 1, 900 }, { 2, 2100 } };
        static const struct model_target home[] = { { 1, 1500 }, { 2, 1500 }, { 6, 1500 } };

        ck_assert_uint_eq(model_n_named(m), 3);
        expect_servo(m, 1, "shoulder", 700, 2300, 1500, -20, false, 1000);
        expect_servo(m, 2, "elbow", 600, 2400, 1500, 0, true, 0);
        expect_servo(m, 6, "gripper", 1200, 2000, MODEL_HOME_DEFAULT, 0, false, 0);
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                if (id != 1 && id != 2 && id != 6)
                        expect_defaults(m, id);
        ck_assert_uint_eq(model_servo_id(m, "shoulder"), 1);
        ck_assert_uint_eq(model_servo_id(m, "elbow"), 2);
        ck_assert_uint_eq(model_servo_id(m, "gripper"), 6);
        ck_assert_uint_eq(model_servo_id(m, "wrist"), 0);
        ck_assert_uint_eq(model_servo_id(m, ""), 0);

        ck_assert_uint_eq(m->n_poses, 2);
        expect_pose(m, "rest", ARRAY_SIZE(rest), rest);
        expect_pose(m, "home", ARRAY_SIZE(home), home);
        ck_assert_ptr_null(model_pose(m, "wave"));

        ck_assert_uint_eq(m->n_groups, 2);
        ck_assert_str_eq(m->groups[0].name, "wave");
        ck_assert_str_eq(m->groups[1].name, "bow");
        ck_assert_int_eq(model_group(m, "wave"), 8);
        ck_assert_int_eq(model_group(m, "bow"), 3);
        ck_assert_int_eq(model_group(m, "rest"), -1);
}

START_TEST(test_example)
{
        struct model *m = parse_ok(example_yaml);

        expect_example(m);
        ck_assert_uint_eq(m->servos[1].line, 2);
        ck_assert_uint_eq(m->servos[2].line, 3);
        ck_assert_uint_eq(m->servos[6].line, 4);
        model_free(m);
}
END_TEST

START_TEST(test_example_json)
{
        struct model *m = parse_ok(example_json);

        expect_example(m);
        ck_assert_uint_eq(m->servos[1].line, 3);
        ck_assert_uint_eq(m->servos[6].line, 6);
        model_free(m);
}
END_TEST

START_TEST(test_example_commented)
{
        struct model *m = parse_ok(example_commented);

        expect_example(m);
        ck_assert_uint_eq(m->servos[6].line, 6);
        model_free(m);
}
END_TEST

/* Files that name nothing: every servo at its defaults, an empty home. */
static const char *const empty_files[] = {
        "",
        "\n",
        "# nothing yet\n",
        "---\n",
        "--- # explicit start, no content\n...\n",
        "servos:\nposes:\ngroups:\n",
        "servos: {}\nposes: {}\ngroups: {}\n",
        "{}",
};

START_TEST(test_empty)
{
        struct model *m = parse_ok(empty_files[_i]);

        ck_assert_uint_eq(model_n_named(m), 0);
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                expect_defaults(m, id);
        ck_assert_uint_eq(m->n_poses, 1);
        expect_pose(m, "home", 0, NULL);
        ck_assert_uint_eq(m->n_groups, 0);
        model_free(m);
}
END_TEST

/* What model_new(&profile_lsc) and model_add_home() give lscd without a file. */
START_TEST(test_no_file)
{
        struct model *m = model_new(&profile_lsc);

        ck_assert_uint_eq(m->n_poses, 0);
        model_add_home(m);
        model_add_home(m);
        ck_assert_uint_eq(m->n_poses, 1);
        expect_pose(m, "home", 0, NULL);
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                expect_defaults(m, id);
        ck_assert_ptr_null(m->path);
        ck_assert_ptr_null(model_free(m));
        ck_assert_ptr_null(model_free(NULL));
}
END_TEST

/* A bus board (the file's "board", or lscd's --board): positions 0..1000,
 * home 500 by default, inversion within 0..1000, and its limits checked
 * against its range (profile.h; bus-servo-and-d6a.md, "CMD 21"). */
START_TEST(test_bus_board)
{
        static const char bad[] = "board: bus\nservos:\n  a: {id: 1, max: 1001}\n";
        struct model *m = parse_ok("board: bus\nservos:\n  a: {id: 1, min: 10, trim: 10, invert: true}\n"
                                   "  b: {id: 2, min: 0, max: 1000, home: 0}\n");
        char *errors;

        ck_assert_ptr_eq(m->profile, &profile_bus);
        expect_servo(m, 1, "a", 10, 1000, 500, 10, true, 0);
        ck_assert_int_eq(m->servos[1].wire_max, LSC_BUS_POSITION_MAX);
        ck_assert_int_eq(model_wire(&m->servos[1], 100), 910);
        ck_assert_int_eq(model_logical(&m->servos[1], 910), 100);
        expect_servo(m, 2, "b", 0, 1000, 0, 0, false, 0);
        expect_servo(m, 3, "", 0, 1000, 500, 0, false, 0);
        model_free(m);
        m = parse_ok("servos:\n  a: {id: 1}\n");
        ck_assert_ptr_eq(m->profile, &profile_lsc);
        model_free(m);
        errors = parse_errors(bad, sizeof(bad) - 1);
        ck_assert_str_eq(errors, "robot.yaml:3: servo a: max must be an integer from 0 to 1000\n");
        free(errors);
        errors = parse_errors("board: pwm\n", 11);
        ck_assert_str_eq(errors, "robot.yaml:1: board must be one of lsc, bus, not \"pwm\"\n");
        free(errors);
}
END_TEST

/* A pose named home replaces the built-in one; the sections may come in
 * any order; a pose may name a servo the file does not, by id, also as a
 * JSON key (a string); every bound is accepted. */
START_TEST(test_explicit_home_and_ids)
{
        static const char text[] =
                "groups: {first: 0, last: 254}\n"
                "poses:\n"
                "  home: {a: 1000, 7: 600}\n"
                "  raw: {\"8\": 2500, 32: 1000}\n"
                "servos:\n"
                "  a: {id: 1, home: 1200, max_speed: 31}\n"
                "  abcdefghijklmnopqrstuvwxyz_ABC12: {id: 32, min: 1000, max: 2000, trim: 500}\n"
                "  _: {id: 3, min: 1500, max: 1500, trim: -1000, invert: true, max_speed: 1000000}\n";
        static const struct model_target home[] = { { 1, 1000 }, { 7, 600 } };
        static const struct model_target raw[] = { { 8, 2500 }, { 32, 1000 } };
        struct model *m = parse_ok(text);

        expect_servo(m, 1, "a", 500, 2500, 1200, 0, false, 31);
        expect_servo(m, 32, "abcdefghijklmnopqrstuvwxyz_ABC12", 1000, 2000, 1500, 500, false, 0);
        expect_servo(m, 3, "_", 1500, 1500, 1500, -1000, true, 1000000);
        ck_assert_uint_eq(m->n_poses, 2);
        expect_pose(m, "home", ARRAY_SIZE(home), home);
        expect_pose(m, "raw", ARRAY_SIZE(raw), raw);
        ck_assert_int_eq(model_group(m, "first"), 0);
        ck_assert_int_eq(model_group(m, "last"), 254);
        model_free(m);
}
END_TEST

struct error_case {
        const char *name;
        const char *text;
        const char *errors;     /* exactly, one line each */
};

#define SERVO_FIELDS "(known: id, min, max, home, trim, invert, max_speed)"
#define NOT_IDENT "is not an identifier ([A-Za-z_][A-Za-z0-9_]*, at most 32 bytes)"

static const struct error_case error_cases[] = {
        /* Names and ids that repeat. */
        { "id twice", "servos:\n  a: {id: 1}\n  b: {id: 1}\n",
          "robot.yaml:3: servo b: id 1 is also servo a (line 2)\n" },
        { "servo name twice", "servos:\n  a: {id: 1}\n  a: {id: 2}\n",
          "robot.yaml:3: servo \"a\" appears twice (first on line 2)\n" },
        { "pose name twice", "servos:\n  a: {id: 1}\nposes:\n  p: {a: 900}\n\n  p: {a: 1000}\n",
          "robot.yaml:6: pose \"p\" appears twice (first on line 4)\n" },
        { "group name twice", "groups:\n  g: 1\n  h: 2\n  g: 3\n",
          "robot.yaml:4: group \"g\" appears twice (first on line 2)\n" },
        /* Names that are not identifiers. */
        { "name starts with a digit", "servos:\n  1a: {id: 1}\n",
          "robot.yaml:2: servo name \"1a\" " NOT_IDENT "\n" },
        { "name with a dash", "servos:\n  left-arm: {id: 1}\n",
          "robot.yaml:2: servo name \"left-arm\" " NOT_IDENT "\n" },
        { "name with a space", "servos:\n  \"left arm\": {id: 1}\n",
          "robot.yaml:2: servo name \"left arm\" " NOT_IDENT "\n" },
        { "name not ASCII", "servos:\n  \xc3\xa9paule: {id: 1}\n",
          "robot.yaml:2: servo name \"\xc3\xa9paule\" " NOT_IDENT "\n" },
        { "empty name", "servos:\n  \"\": {id: 1}\n",
          "robot.yaml:2: servo name \"\" " NOT_IDENT "\n" },
        { "name of 33 bytes", "servos:\n  abcdefghijklmnopqrstuvwxyz_ABC123: {id: 1}\n",
          "robot.yaml:2: servo name \"abcdefghijklmnopqrstuvwxyz_ABC123\" " NOT_IDENT "\n" },
        { "name with a NUL", "servos:\n  \"a\\0b\": {id: 1}\n",
          "robot.yaml:2: servo name \"a\" " NOT_IDENT "\n" },
        /* The file's text in a message: one printable line that cannot be
         * taken for another error, at most 40 bytes of whole characters. */
        { "name with a newline", "servos:\n  \"a\\nrobot.yaml:1: b\": {id: 1}\n",
          "robot.yaml:2: servo name \"a\\x0arobot.yaml:1: b\" " NOT_IDENT "\n" },
        { "name with quote, backslash, escape", "poses:\n  \"a\\\"b\\\\c\\e[31m\\x7f\": {1: 900}\n",
          "robot.yaml:2: pose name \"a\\x22b\\x5cc\\x1b[31m\\x7f\" " NOT_IDENT "\n" },
        { "long name cut at 40 bytes",
          "groups:\n  abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLMNOPQRSTUVWXYZ: 1\n",
          "robot.yaml:2: group name \"abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKLM\" " NOT_IDENT "\n" },
        { "long name not cut in a character",
          "groups:\n  abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJK\xc3\xa9\xc3\xa9: 1\n",
          "robot.yaml:2: group name \"abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJK\xc3\xa9\" "
          NOT_IDENT "\n" },
        { "long name cut before a character",
          "groups:\n  abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKL\xc3\xa9: 1\n",
          "robot.yaml:2: group name \"abcdefghijklmnopqrstuvwxyz_ABCDEFGHIJKL\" " NOT_IDENT "\n" },
        { "section with a tab", "\"serv\\tos\": {}\n",
          "robot.yaml:1: unknown section \"serv\\x09os\" (known: board, servos, poses, groups)\n" },
        { "pose servo with a newline", "poses:\n  p: {\"a\\nb\": 900}\n",
          "robot.yaml:2: pose p: no servo is named \"a\\x0ab\"\n" },
        { "longest message, whole",
          "servos:\n  abcdefghijklmnopqrstuvwxyz_ABC12: {id: 1, \"\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t"
          "\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t\\t"
          "\\t\\t\\t\": 1}\n",
          "robot.yaml:2: servo abcdefghijklmnopqrstuvwxyz_ABC12: unknown field \""
          "\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09"
          "\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09\\x09"
          "\" " SERVO_FIELDS "\n" },
        { "name is a sequence", "servos:\n  ? [a]\n  : {id: 1}\n",
          "robot.yaml:2: servo name \"\" " NOT_IDENT "\n" },
        { "pose name", "poses:\n  2x: {1: 900}\n",
          "robot.yaml:2: pose name \"2x\" " NOT_IDENT "\n" },
        { "group name", "groups:\n  wave.1: 8\n",
          "robot.yaml:2: group name \"wave.1\" " NOT_IDENT "\n" },
        { "group named all", "groups:\n  wave: 8\n  all: 3\n",
          "robot.yaml:3: group name \"all\" is reserved: group.speed's \"all\" is every group\n" },
        /* Limits. */
        { "min above max", "servos:\n  a: {id: 1, min: 2000, max: 1000}\n",
          "robot.yaml:2: servo a: min 2000 is above max 1000\n" },
        { "home above max", "servos:\n  a: {id: 1, max: 2000, home: 2001}\n",
          "robot.yaml:2: servo a: home 2001 is outside its limits 500..2000\n" },
        { "home below min", "servos:\n  a: {id: 1, min: 700, home: 699}\n",
          "robot.yaml:2: servo a: home 699 is outside its limits 700..2500\n" },
        { "home 1500 given", "servos:\n  a: {id: 1, min: 1600, home: 1500}\n",
          "robot.yaml:2: servo a: home 1500 is outside its limits 1600..2500\n" },
        { "default home below min", "servos:\n  a: {id: 1, min: 1600}\n",
          "robot.yaml:2: servo a: home 1500 is outside its limits 1600..2500 "
          "(1500 is the default; give \"home\")\n" },
        { "default home above max", "servos:\n\n  a:\n    id: 1\n    max: 1499\n",
          "robot.yaml:3: servo a: home 1500 is outside its limits 500..1499 "
          "(1500 is the default; give \"home\")\n" },
        { "pose above max", "servos:\n  a: {id: 1, max: 2000}\nposes:\n  p: {a: 2001}\n",
          "robot.yaml:4: pose p: servo a (id 1) must be an integer from 500 to 2000\n" },
        { "pose below min, second line", "servos:\n  a: {id: 1}\n  b: {id: 2, min: 1000}\n"
          "poses:\n  p: {a: 900,\n      b: 999}\n",
          "robot.yaml:6: pose p: servo b (id 2) must be an integer from 1000 to 2500\n" },
        { "pose of an unnamed servo", "poses:\n  p:\n    7: 2501\n",
          "robot.yaml:3: pose p: servo 7 must be an integer from 500 to 2500\n" },
        /* The wire range: (invert ? 3000 - p : p) + trim within 500..2500. */
        { "trim above", "servos:\n  a: {id: 1, trim: 1}\n",
          "robot.yaml:2: servo a: max 2500 is 2501 on the wire (trim 1), outside 500..2500\n" },
        { "trim below", "servos:\n  a: {id: 1, max: 2000, trim: -1}\n",
          "robot.yaml:2: servo a: min 500 is 499 on the wire (trim -1), outside 500..2500\n" },
        { "inverted, trim above", "servos:\n  a: {id: 1, min: 600, max: 2400, invert: true, trim: 200}\n",
          "robot.yaml:2: servo a: min 600 is 2600 on the wire (trim 200, inverted), "
          "outside 500..2500\n" },
        { "inverted, trim below", "servos:\n  a: {id: 1, min: 600, max: 2400, invert: true, trim: -101}\n",
          "robot.yaml:2: servo a: max 2400 is 499 on the wire (trim -101, inverted), "
          "outside 500..2500\n" },
        /* Unknown and repeated fields and sections. */
        { "unknown field", "servos:\n  a: {id: 1,\n      speed: 10}\n",
          "robot.yaml:3: servo a: unknown field \"speed\" " SERVO_FIELDS "\n" },
        { "field twice", "servos:\n  a: {id: 1, min: 600, min: 700}\n",
          "robot.yaml:2: servo a: field \"min\" appears twice\n" },
        { "merge key", "servos:\n  a: &a {id: 1}\n  b: {<<: *a, id: 2}\n",
          "robot.yaml:3: servo b: unknown field \"<<\" " SERVO_FIELDS "\n" },
        { "unknown section", "servos: {}\nservo:\n  a: {id: 1}\n",
          "robot.yaml:2: unknown section \"servo\" (known: board, servos, poses, groups)\n" },
        { "section twice", "groups: {a: 1}\nposes: {}\ngroups: {b: 2}\n",
          "robot.yaml:3: section groups appears twice\n" },
        /* Types. */
        { "quoted id", "servos:\n  a: {id: \"1\"}\n",
          "robot.yaml:2: servo a: id must be an integer from 1 to 32\n" },
        { "single-quoted home", "servos:\n  a: {id: 1, home: '1500'}\n",
          "robot.yaml:2: servo a: home must be an integer from 500 to 2500\n" },
        { "float min", "servos:\n  a: {id: 1, min: 700.0}\n",
          "robot.yaml:2: servo a: min must be an integer from 500 to 2500\n" },
        { "exponent trim", "servos:\n  a: {id: 1, trim: 1e2}\n",
          "robot.yaml:2: servo a: trim must be an integer from -1000 to 1000\n" },
        { "hexadecimal max", "servos:\n  a: {id: 1, max: 0x7d0}\n",
          "robot.yaml:2: servo a: max must be an integer from 500 to 2500\n" },
        { "boolean max", "servos:\n  a: {id: 1, max: true}\n",
          "robot.yaml:2: servo a: max must be an integer from 500 to 2500\n" },
        { "null id", "servos:\n  a: {id: ~}\n",
          "robot.yaml:2: servo a: id must be an integer from 1 to 32\n" },
        { "empty id", "servos:\n  a:\n    id:\n    min: 600\n",
          "robot.yaml:3: servo a: id must be an integer from 1 to 32\n" },
        { "sequence id", "servos:\n  a: {id: [1]}\n",
          "robot.yaml:2: servo a: id must be an integer from 1 to 32\n" },
        { "id 0", "servos:\n  a: {id: 0}\n",
          "robot.yaml:2: servo a: id must be an integer from 1 to 32\n" },
        { "id 33", "servos:\n  a: {id: 33}\n",
          "robot.yaml:2: servo a: id must be an integer from 1 to 32\n" },
        { "huge id", "servos:\n  a: {id: 99999999999999999999}\n",
          "robot.yaml:2: servo a: id must be an integer from 1 to 32\n" },
        { "min 499", "servos:\n  a: {id: 1, min: 499}\n",
          "robot.yaml:2: servo a: min must be an integer from 500 to 2500\n" },
        { "trim 1001", "servos:\n  a: {id: 1, min: 1600, max: 1600, home: 1600, trim: 1001}\n",
          "robot.yaml:2: servo a: trim must be an integer from -1000 to 1000\n" },
        { "max_speed 30", "servos:\n  a: {id: 1, max_speed: 30}\n",
          "robot.yaml:2: servo a: max_speed must be an integer from 31 to 1000000\n" },
        { "max_speed 0", "servos:\n  a: {id: 1, max_speed: 0}\n",
          "robot.yaml:2: servo a: max_speed must be an integer from 31 to 1000000\n" },
        { "invert 1", "servos:\n  a: {id: 1, invert: 1}\n",
          "robot.yaml:2: servo a: invert must be true or false\n" },
        { "invert yes", "servos:\n  a: {id: 1, invert: yes}\n",
          "robot.yaml:2: servo a: invert must be true or false\n" },
        { "quoted invert", "servos:\n  a: {id: 1, invert: \"true\"}\n",
          "robot.yaml:2: servo a: invert must be true or false\n" },
        { "no id", "servos:\n  a:\n    min: 700\n    max: 2000\n",
          "robot.yaml:2: servo a needs an id (1..32)\n" },
        { "no id, flow", "servos:\n  a: {}\n",
          "robot.yaml:2: servo a needs an id (1..32)\n" },
        { "root a sequence", "- servos\n", "robot.yaml:1: the robot file must be a mapping\n" },
        { "root a scalar", "\n\nservos\n", "robot.yaml:3: the robot file must be a mapping\n" },
        { "servos a sequence", "servos:\n  - a\n", "robot.yaml:2: servos must be a mapping\n" },
        { "servos null", "servos: ~\n", "robot.yaml:1: servos must be a mapping\n" },
        { "servo a scalar", "servos:\n  a: 1\n", "robot.yaml:2: a servo must be a mapping\n" },
        { "pose a sequence", "poses:\n  p: [1, 2]\n", "robot.yaml:2: a pose must be a mapping\n" },
        { "pose names nothing", "poses:\n  p: {}\n", "robot.yaml:2: pose p names no servo\n" },
        { "group a mapping", "groups:\n  g: {number: 1}\n",
          "robot.yaml:2: group g must be an integer from 0 to 254\n" },
        /* Poses. */
        { "pose, unknown servo", "servos:\n  a: {id: 1}\nposes:\n  p: {a: 900, b: 900}\n",
          "robot.yaml:4: pose p: no servo is named \"b\"\n" },
        { "pose, servo of a bad entry", "servos:\n  a: {id: 1, min: 2000, max: 1000}\n"
          "poses:\n  p: {a: 1500}\n",
          "robot.yaml:2: servo a: min 2000 is above max 1000\n"
          "robot.yaml:4: pose p: no servo is named \"a\"\n" },
        { "pose, servo id 33", "poses:\n  p: {33: 900}\n",
          "robot.yaml:2: pose p: servo id must be a servo id from 1 to 32, or a servo's name\n" },
        { "pose, servo id 0x1", "poses:\n  p: {0x1: 900}\n",
          "robot.yaml:2: pose p: servo id must be a servo id from 1 to 32, or a servo's name\n" },
        { "pose, name twice", "servos:\n  a: {id: 1}\nposes:\n  p: {a: 900,\n      a: 1000}\n",
          "robot.yaml:5: pose p: servo 1 appears twice\n" },
        { "pose, name and id", "servos:\n  a: {id: 1}\nposes:\n  p: {a: 900, 1: 1000}\n",
          "robot.yaml:4: pose p: servo 1 appears twice\n" },
        { "pose, id and quoted id", "poses:\n  p: {7: 900, \"7\": 1000}\n",
          "robot.yaml:2: pose p: servo 7 appears twice\n" },
        { "pose, quoted id 33", "poses:\n  p: {\"33\": 900}\n",
          "robot.yaml:2: pose p: servo id must be a servo id from 1 to 32, or a servo's name\n" },
        { "pose, quoted position", "poses:\n  p: {7: \"900\"}\n",
          "robot.yaml:2: pose p: servo 7 must be an integer from 500 to 2500\n" },
        /* Groups. */
        { "group 255", "groups:\n  g: 255\n", "robot.yaml:2: group g must be an integer from 0 to 254\n" },
        { "group -1", "groups:\n  g: -1\n", "robot.yaml:2: group g must be an integer from 0 to 254\n" },
        { "group quoted", "groups:\n  g: \"8\"\n", "robot.yaml:2: group g must be an integer from 0 to 254\n" },
        { "group float", "groups:\n  g: 8.0\n", "robot.yaml:2: group g must be an integer from 0 to 254\n" },
        /* YAML itself. */
        { "unclosed flow mapping", "servos:\n  a: {id: 1}\n  b: {id: 2\nposes:\n  p: {a: 900}\n",
          "robot.yaml:4: YAML: did not find expected ',' or '}' while parsing a flow mapping\n" },
        /* The end of the file is on the line after the last line break. */
        { "unclosed at the end, no final newline", "servos:\n  a: {id: 1",
          "robot.yaml:3: YAML: did not find expected ',' or '}' while parsing a flow mapping\n" },
        { "mapping in a plain value", "servos:\n  a: {id: 1}\n  b: c: d\n",
          "robot.yaml:3: YAML: mapping values are not allowed in this context\n" },
        { "tab indentation", "servos:\n  a: {id: 1}\n\tb: {id: 2}\n",
          "robot.yaml:3: YAML: found character that cannot start any token while scanning for "
          "the next token\n" },
        { "undefined alias", "servos:\n  a: *x\n",
          "robot.yaml:2: YAML: found undefined alias\n" },
        { "two documents", "servos: {}\n---\nposes: {}\n",
          "robot.yaml:3: the file holds more than one YAML document\n" },
        { "second document empty", "servos: {}\n---\n",
          "robot.yaml:3: the file holds more than one YAML document\n" },
        { "error in the second document", "servos: {}\n---\n  a: b: c\n",
          "robot.yaml:3: YAML: mapping values are not allowed in this context\n" },
        /* Several errors, each on its own line, in the order of the file
         * within each section, sections in the order servos, poses, groups. */
        { "several", "groups:\n  g: 300\nservos:\n  a: {id: 1, min: 2000, max: 1000}\n"
          "  b: {id: 2, oops: 1}\nposes:\n  p: {c: 900}\n",
          "robot.yaml:4: servo a: min 2000 is above max 1000\n"
          "robot.yaml:5: servo b: unknown field \"oops\" " SERVO_FIELDS "\n"
          "robot.yaml:7: pose p: no servo is named \"c\"\n"
          "robot.yaml:2: group g must be an integer from 0 to 254\n" },
};

START_TEST(test_error)
{
        const struct error_case *c = &error_cases[_i];
        char *errors = parse_errors(c->text, strlen(c->text));

        ck_assert_msg(strcmp(errors, c->errors) == 0, "%s: got\n%sexpected\n%s", c->name, errors,
                      c->errors);
        free(errors);
}
END_TEST

/* libyaml's reader (encoding, control characters) gives an offset, not a
 * line: the error still names the line of the byte at fault. */
struct reader_case {
        const char *text;
        size_t len;
        const char *errors;
};

#define READER_CASE(text, errors) { text, sizeof(text) - 1, errors }

static const struct reader_case reader_cases[] = {
        READER_CASE("servos:\n  a: {id: 1}\n  b: {id: 2}\n  c: {id: 3, min: 600, \xff}\n",
                    "robot.yaml:4: YAML: invalid leading UTF-8 octet\n"),
        READER_CASE("\xc3", "robot.yaml:1: YAML: incomplete UTF-8 octet sequence\n"),
        READER_CASE("# \xc3\xa9\n\n\xc3", "robot.yaml:3: YAML: incomplete UTF-8 octet sequence\n"),
        READER_CASE("servos:\n  a: {id: 1}\n\n\n  c: {id: 3}\0\n",
                    "robot.yaml:5: YAML: control characters are not allowed\n"),
        READER_CASE("servos:\r\n  a: {id: 1}\r\n\x01\r\n",
                    "robot.yaml:3: YAML: control characters are not allowed\n"),
        READER_CASE("groups:\r  g: 1\r  h: \x7f\r",
                    "robot.yaml:3: YAML: control characters are not allowed\n"),
        READER_CASE("# NEL\xc2\x85# LS\xe2\x80\xa8# PS\xe2\x80\xa9\x02",
                    "robot.yaml:4: YAML: control characters are not allowed\n"),
};

START_TEST(test_reader_error)
{
        const struct reader_case *c = &reader_cases[_i];
        char *errors = parse_errors(c->text, c->len);

        ck_assert_msg(strcmp(errors, c->errors) == 0, "case %d: got\n%sexpected\n%s", _i, errors,
                      c->errors);
        free(errors);
}
END_TEST

/* Past YAMLDOC_ERRORS_MAX errors, one line says there are more. */
START_TEST(test_error_cap)
{
        char text[4096], expected[8192];
        size_t n = 0, e = 0;
        char *errors;

        n += (size_t) snprintf(text + n, sizeof(text) - n, "servos:\n");
        for (int i = 0; i < YAMLDOC_ERRORS_MAX + 5; i++) {
                n += (size_t) snprintf(text + n, sizeof(text) - n, "  s%d: {id: %d}\n", i, 40 + i);
                if (i < YAMLDOC_ERRORS_MAX)
                        e += (size_t) snprintf(expected + e, sizeof(expected) - e,
                                               "robot.yaml:%d: servo s%d: id must be an integer "
                                               "from 1 to 32\n", i + 2, i);
        }
        ck_assert_uint_lt(n, sizeof(text) - 1);
        snprintf(expected + e, sizeof(expected) - e, "robot.yaml: more errors not shown\n");
        errors = parse_errors(text, n);
        ck_assert_str_eq(errors, expected);
        free(errors);
}
END_TEST

/* Exactly YAMLDOC_ERRORS_MAX errors: no "more errors" line. */
START_TEST(test_error_cap_exact)
{
        char text[4096];
        size_t n = (size_t) snprintf(text, sizeof(text), "groups:\n");
        char *errors, *last;

        for (int i = 0; i < YAMLDOC_ERRORS_MAX; i++)
                n += (size_t) snprintf(text + n, sizeof(text) - n, "  g%d: 255\n", i);
        errors = parse_errors(text, n);
        last = strrchr(errors, '\n');
        ck_assert_ptr_nonnull(last);
        ck_assert_ptr_null(strstr(errors, "more errors"));
        ck_assert_int_eq(strncmp(errors, "robot.yaml:2: group g0 ", 23), 0);
        *last = '\0';
        ck_assert_ptr_nonnull(strstr(errors, "\nrobot.yaml:21: group g19 must be an integer "
                                     "from 0 to 254"));
        free(errors);
}
END_TEST

/* model_load(): a file read whole, or an error naming it. */
START_TEST(test_load)
{
        char dir[] = "/tmp/test-model-XXXXXX", path[64];
        struct model *m = NULL;
        char *errors = NULL;
        FILE *f;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        snprintf(path, sizeof(path), "%s/robot.yaml", dir);
        ck_assert_int_eq(model_load(path, &profile_lsc, &m, &errors), -ENOENT);
        ck_assert_ptr_null(m);
        ck_assert_ptr_nonnull(strstr(errors, ": cannot read: "));
        ck_assert_int_eq(strncmp(errors, path, strlen(path)), 0);
        free(errors);

        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(example_yaml, f);
        fclose(f);
        ck_assert_int_eq(model_load(path, &profile_lsc, &m, &errors), 0);
        ck_assert_ptr_null(errors);
        expect_example(m);
        ck_assert_str_eq(m->path, path);
        model_free(m);

        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs("servos:\n  a: {id: 1}\n  b: {id: 1}\n", f);
        fclose(f);
        ck_assert_int_eq(model_load(path, &profile_lsc, &m, &errors), -EINVAL);
        ck_assert_ptr_null(m);
        ck_assert_ptr_nonnull(strstr(errors, "/robot.yaml:3: servo b: id 1 is also servo a"));
        free(errors);
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* What is not a regular file is refused unread; so is a file too large. */
START_TEST(test_load_not_a_file)
{
        char dir[] = "/tmp/test-model-XXXXXX", path[64], expected[128];
        struct model *m = NULL;
        char *errors = NULL;
        FILE *f;

        ck_assert_ptr_nonnull(mkdtemp(dir));
        ck_assert_int_eq(model_load(dir, &profile_lsc, &m, &errors), -EISDIR);
        snprintf(expected, sizeof(expected), "%s: cannot read: Is a directory\n", dir);
        ck_assert_str_eq(errors, expected);
        free(errors);

        snprintf(path, sizeof(path), "%s/fifo", dir);
        ck_assert_int_eq(mkfifo(path, 0600), 0);
        ck_assert_int_eq(model_load(path, &profile_lsc, &m, &errors), -EINVAL);   /* never blocks */
        snprintf(expected, sizeof(expected), "%s: not a regular file\n", path);
        ck_assert_str_eq(errors, expected);
        free(errors);
        ck_assert_int_eq(unlink(path), 0);

        snprintf(path, sizeof(path), "%s/robot.yaml", dir);
        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        for (int i = 0; i < MODEL_FILE_MAX; i++)
                fputc(i % 64 ? ' ' : '\n', f);
        fclose(f);
        ck_assert_int_eq(model_load(path, &profile_lsc, &m, &errors), 0);            /* exactly the limit */
        model_free(m);
        f = fopen(path, "a");
        ck_assert_ptr_nonnull(f);
        fputc('\n', f);
        fclose(f);
        ck_assert_int_eq(model_load(path, &profile_lsc, &m, &errors), -EFBIG);
        ck_assert_ptr_null(m);
        snprintf(expected, sizeof(expected), "%s: larger than %d bytes\n", path, MODEL_FILE_MAX);
        ck_assert_str_eq(errors, expected);
        free(errors);
        ck_assert_int_eq(unlink(path), 0);
        ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* A section holds at most as many entries as lscd can use: 32 servos, 256
 * poses, 255 groups; one more is an error on the section's first line. */
enum bound_section { BOUND_SERVOS, BOUND_POSES, BOUND_GROUPS };

struct bound_case {
        enum bound_section section;
        const char *name;
        size_t max;
};

static const struct bound_case bound_cases[] = {
        { BOUND_SERVOS, "servos", LSC_SERVO_ID_MAX },
        { BOUND_POSES, "poses", MODEL_POSES_MAX },
        { BOUND_GROUPS, "groups", LSC_GROUP_MAX + 1 },
};

/* The section of case C with N entries, ids and numbers in range. */
static char *bound_text(const struct bound_case *c, size_t n)
{
        size_t size = 64 + n * 32, len;
        char *text = malloc(size);

        ck_assert_ptr_nonnull(text);
        len = (size_t) snprintf(text, size, "%s:\n", c->name);
        for (size_t i = 0; i < n; i++) {
                char *at = text + len;
                size_t left = size - len;

                if (c->section == BOUND_SERVOS)
                        len += (size_t) snprintf(at, left, "  s%zu: {id: %zu}\n", i, i + 1);
                else if (c->section == BOUND_POSES)
                        len += (size_t) snprintf(at, left, "  p%zu: {%zu: 1500}\n", i, i % 32 + 1);
                else
                        len += (size_t) snprintf(at, left, "  g%zu: %zu\n", i, i % 255);
        }
        ck_assert_uint_lt(len, size);
        return text;
}

START_TEST(test_section_bounds)
{
        const struct bound_case *c = &bound_cases[_i];
        char *text = bound_text(c, c->max), *errors, expected[64];
        struct model *m = parse_ok(text);

        ck_assert_uint_eq(c->section == BOUND_SERVOS ? model_n_named(m) :
                          c->section == BOUND_POSES ? m->n_poses - 1 : m->n_groups, c->max);
        model_free(m);
        free(text);
        text = bound_text(c, c->max + 1);
        errors = parse_errors(text, strlen(text));
        snprintf(expected, sizeof(expected), "robot.yaml:2: %s: more than %zu entries\n",
                 c->name, c->max);
        ck_assert_str_eq(errors, expected);
        free(errors);
        free(text);
}
END_TEST

struct name_case {
        const char *name;
        bool valid;
};

static const struct name_case name_cases[] = {
        { "a", true }, { "_", true }, { "Shoulder_2", true }, { "_9", true },
        { "abcdefghijklmnopqrstuvwxyz_ABC12", true },
        { "abcdefghijklmnopqrstuvwxyz_ABC123", false },
        { "", false }, { "9a", false }, { "a-b", false }, { "a b", false }, { "a.b", false },
        { "\xc3\xa9", false }, { "a\n", false }, { "-", false },
};

START_TEST(test_name_valid)
{
        ck_assert_msg(model_name_valid(name_cases[_i].name) == name_cases[_i].valid, "\"%s\"",
                      name_cases[_i].name);
}
END_TEST

struct wire_case {
        int min, max, trim;
        bool invert;
        int logical, wire;
        bool in_limits, wire_valid;
};

static const struct wire_case wire_cases[] = {
        /* Neither trim nor inversion: the wire is the logical position. */
        { 500, 2500, 0, false, 500, 500, true, true },
        { 500, 2500, 0, false, 2500, 2500, true, true },
        { 500, 2500, 0, false, 2501, 2501, false, false },
        /* Trim adds. */
        { 700, 2300, -20, false, 1500, 1480, true, true },
        { 700, 2300, -20, false, 700, 680, true, true },
        { 700, 2300, 250, false, 2300, 2550, true, false },
        /* Inversion mirrors about 1500. */
        { 600, 2400, 0, true, 1500, 1500, true, true },
        { 600, 2400, 0, true, 2100, 900, true, true },
        { 600, 2400, 0, true, 600, 2400, true, true },
        { 600, 2400, 0, true, 599, 2401, false, true },
        /* Both: the trim applies after the mirror. */
        { 700, 2300, 50, true, 1000, 2050, true, true },
        { 700, 2300, -50, true, 2300, 650, true, true },
        { 500, 2500, 10, true, 500, 2510, true, false },
        { 500, 2500, -10, true, 2500, 490, true, false },
};

START_TEST(test_wire)
{
        const struct wire_case *c = &wire_cases[_i];
        struct model_servo s = { .min = c->min, .max = c->max, .home = c->min, .trim = c->trim,
                                 .invert = c->invert, .wire_min = LSC_POSITION_MIN,
                                 .wire_max = LSC_POSITION_MAX };

        ck_assert_int_eq(model_wire(&s, c->logical), c->wire);
        ck_assert_int_eq(model_logical(&s, c->wire), c->logical);
        ck_assert_int_eq(model_in_limits(&s, c->logical), c->in_limits);
        ck_assert_int_eq(model_wire_valid(&s, c->logical), c->wire_valid);
}
END_TEST

/* The example's shoulder (trim -20) and elbow (inverted) on the wire. */
START_TEST(test_wire_example)
{
        struct model *m = parse_ok(example_yaml);

        ck_assert_int_eq(model_wire(&m->servos[1], 900), 880);
        ck_assert_int_eq(model_wire(&m->servos[2], 2100), 900);
        ck_assert_int_eq(model_wire(&m->servos[6], 1500), 1500);
        ck_assert_int_eq(model_wire(&m->servos[5], 1234), 1234);
        model_free(m);
}
END_TEST

struct time_case {
        unsigned max_speed;
        int from, to;
        unsigned ms;
};

static const struct time_case time_cases[] = {
        { 0, 500, 2500, 0 },                    /* no limit */
        { 1000, 1500, 1500, 0 },
        { 1000, 1000, 1500, 500 },
        { 1000, 1500, 1000, 500 },              /* either direction */
        { 1000, 1500, 1501, 1 },                /* rounded up */
        { 3000, 1500, 1501, 1 },
        { 3000, 1500, 1503, 1 },
        { 3000, 1500, 1504, 2 },
        { 31, 500, 2500, 64517 },               /* the slowest limit, the longest move */
        { 31, 2500, 500, 64517 },
        { MODEL_SPEED_MAX, 500, 2500, 2 },
        { MODEL_SPEED_MAX, 500, 501, 1 },
};

START_TEST(test_min_time)
{
        const struct time_case *c = &time_cases[_i];
        struct model_servo s = { .min = 500, .max = 2500, .home = 1500,
                                 .max_speed = c->max_speed };

        ck_assert_uint_eq(model_min_time_ms(&s, c->from, c->to), c->ms);
}
END_TEST

/* The least speed limit lets the longest move fit in one frame's time. */
START_TEST(test_speed_min)
{
        struct model_servo s = { .max_speed = MODEL_SPEED_MIN };

        ck_assert_uint_le(model_min_time_ms(&s, LSC_POSITION_MIN, LSC_POSITION_MAX), LSC_TIME_MAX);
        s.max_speed = MODEL_SPEED_MIN - 1;
        ck_assert_uint_gt(model_min_time_ms(&s, LSC_POSITION_MIN, LSC_POSITION_MAX), LSC_TIME_MAX);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("model");
        TCase *tc = tcase_create("model");

        tcase_add_test(tc, test_example);
        tcase_add_test(tc, test_example_json);
        tcase_add_test(tc, test_example_commented);
        tcase_add_loop_test(tc, test_empty, 0, (int) ARRAY_SIZE(empty_files));
        tcase_add_test(tc, test_no_file);
        tcase_add_test(tc, test_bus_board);
        tcase_add_test(tc, test_explicit_home_and_ids);
        tcase_add_loop_test(tc, test_error, 0, (int) ARRAY_SIZE(error_cases));
        tcase_add_loop_test(tc, test_reader_error, 0, (int) ARRAY_SIZE(reader_cases));
        tcase_add_test(tc, test_error_cap);
        tcase_add_test(tc, test_error_cap_exact);
        tcase_add_test(tc, test_load);
        tcase_add_test(tc, test_load_not_a_file);
        tcase_add_loop_test(tc, test_section_bounds, 0, (int) ARRAY_SIZE(bound_cases));
        tcase_add_loop_test(tc, test_name_valid, 0, (int) ARRAY_SIZE(name_cases));
        tcase_add_loop_test(tc, test_wire, 0, (int) ARRAY_SIZE(wire_cases));
        tcase_add_test(tc, test_wire_example);
        tcase_add_loop_test(tc, test_min_time, 0, (int) ARRAY_SIZE(time_cases));
        tcase_add_test(tc, test_speed_min);
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of sequence files (daemon/robot/sequence-yaml.c): the steps
 * read from YAML in block and flow style and from the inline JSON form
 * that sequence.run wraps as {"steps":[...]}; every error the file can
 * cause, each with its line ("FILE:LINE: what"), several in one file in
 * order, at most YAMLDOC_ERRORS_MAX of them; the step and servo limits;
 * sequence_load() naming the sequence after its file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sequence-yaml.h"
#include "yamldoc.h"
/* After fail.h: check.h defines fail() as a macro. */
#include "lscd-check.h"

#define FILE_NAME "wave.yaml"

/* Parse TEXT as wave.yaml: the sequence, or NULL with *errors. */
static struct sequence *parse(const char *text, char **errors)
{
        struct sequence *seq = (struct sequence *) 1;
        int r;

        *errors = (char *) 1;
        r = sequence_parse(text, strlen(text), FILE_NAME, "wave", &seq, errors);
        ck_assert(r == 0 || r == -EINVAL);
        ck_assert((r == 0) == (seq != NULL));
        ck_assert((r == 0) == (*errors == NULL));
        return seq;
}

/* ---- refused files: every error, with its line ---- */

struct error_case {
        const char *what;
        const char *text;
        /* The error text; a line ending in '*' only has to start so (the
         * wording of libyaml's own messages is libyaml's). */
        const char *errors;
};

#define SECTION_HINT "(a sequence file has steps)"
#define FIELDS_HINT "(known: pose, servos, time_ms, hold_ms)"
#define STEPS_MSG "steps must be a list of 1 to 10000 steps"
#define ID_MSG "must be a servo id from 1 to 32, or a servo's name"
#define NAME_HINT "is not an identifier ([A-Za-z_][A-Za-z0-9_]*, at most 32 bytes)"
#define TIME_MSG "time_ms must be an integer from 0 to 65535"
/* Any board's positions (a bus board's 0..1000, an LSC board's 500..2500);
 * planning checks the robot's board. */
#define POSITION_MSG "must be an integer from 0 to 2500"

static const struct error_case error_cases[] = {
        { "an empty file", "",
          "wave.yaml:1: the file is empty: a sequence needs steps\n" },
        { "only a comment", "# nothing yet\n",
          "wave.yaml:1: the file is empty: a sequence needs steps\n" },
        { "a list at the top", "- {pose: rest, time_ms: 1}\n",
          "wave.yaml:1: a sequence file must be a mapping\n" },
        { "a scalar at the top", "\nsteps\n",
          "wave.yaml:2: a sequence file must be a mapping\n" },
        { "no steps section", "\n\nother: 1\n",
          "wave.yaml:3: unknown or repeated section \"other\" " SECTION_HINT "\n"
          "wave.yaml:3: " STEPS_MSG "\n" },
        { "an empty list of steps", "steps: []\n", "wave.yaml:1: " STEPS_MSG "\n" },
        { "steps without a value", "# wave\nsteps:\n", "wave.yaml:2: " STEPS_MSG "\n" },
        { "steps a mapping", "steps:\n  pose: rest\n  time_ms: 10\n",
          "wave.yaml:2: " STEPS_MSG "\n" },
        { "steps twice: the second is refused, the first is read",
          "steps:\n  - {pose: a, time_ms: 1}\nsteps:\n  - {pose: b}\n",
          "wave.yaml:3: unknown or repeated section \"steps\" " SECTION_HINT "\n" },
        { "a key that is not a scalar", "steps: [{pose: a, time_ms: 1}]\n? [1]\n: 2\n",
          "wave.yaml:2: unknown or repeated section \"\" " SECTION_HINT "\n" },
        { "steps that are not mappings", "steps:\n  - rest\n  - [1, 2]\n  - {pose: a, time_ms: 1}\n",
          "wave.yaml:2: step 0 must be a mapping\n"
          "wave.yaml:3: step 1 must be a mapping\n" },
        { "an unknown field, on its own line",
          "steps:\n  - pose: rest\n    time_ms: 10\n    speed: 2\n",
          "wave.yaml:4: step 0: unknown field \"speed\" " FIELDS_HINT "\n" },
        { "a field that is not a scalar", "steps:\n  - {pose: rest, time_ms: 10, [a]: 1}\n",
          "wave.yaml:2: step 0: unknown field \"\" " FIELDS_HINT "\n" },
        { "no time_ms, on the step's line", "steps:\n  - {pose: a, time_ms: 1}\n  - {pose: rest}\n",
          "wave.yaml:3: step 1 needs time_ms\n" },
        { "a pose and servos", "steps:\n  - {pose: rest, servos: {1: 900}, time_ms: 1}\n",
          "wave.yaml:2: step 0 needs a pose or servos, not both\n" },
        { "neither a pose nor servos", "steps:\n  - {time_ms: 1, hold_ms: 2}\n",
          "wave.yaml:2: step 0 needs a pose or servos, not both\n" },
        { "time_ms out of range or not a plain integer",
          "steps:\n"
          "  - {pose: a, time_ms: 65536}\n"
          "  - {pose: a, time_ms: -1}\n"
          "  - {pose: a, time_ms: 1.5}\n"
          "  - {pose: a, time_ms: \"10\"}\n"
          "  - {pose: a, time_ms: 10ms}\n"
          "  - {pose: a, time_ms: 1e3}\n"
          "  - {pose: a,\n     time_ms: }\n"
          "  - {pose: a, time_ms: [10]}\n",
          "wave.yaml:2: step 0: " TIME_MSG "\n"
          "wave.yaml:3: step 1: " TIME_MSG "\n"
          "wave.yaml:4: step 2: " TIME_MSG "\n"
          "wave.yaml:5: step 3: " TIME_MSG "\n"
          "wave.yaml:6: step 4: " TIME_MSG "\n"
          "wave.yaml:7: step 5: " TIME_MSG "\n"
          "wave.yaml:9: step 6: " TIME_MSG "\n"
          "wave.yaml:10: step 7: " TIME_MSG "\n" },
        { "hold_ms above an hour", "steps:\n  - {pose: a, time_ms: 1, hold_ms: 3600001}\n",
          "wave.yaml:2: step 0: hold_ms must be an integer from 0 to 3600000\n" },
        { "a pose that is not a name",
          "steps:\n  - {pose: 3rest, time_ms: 1}\n  - {pose: [a], time_ms: 1}\n"
          "  - {pose: 'a b', time_ms: 1}\n  - {pose: , time_ms: 1}\n",
          "wave.yaml:2: step 0: pose must be a pose's name\n"
          "wave.yaml:3: step 1: pose must be a pose's name\n"
          "wave.yaml:4: step 2: pose must be a pose's name\n"
          "wave.yaml:5: step 3: pose must be a pose's name\n" },
        { "servos that are not a mapping, or empty",
          "steps:\n  - {servos: [1, 2], time_ms: 1}\n  - {servos: {}, time_ms: 1}\n",
          "wave.yaml:2: step 0: servos must be a mapping\n"
          "wave.yaml:3: step 1: servos names no servo\n" },
        { "servo ids out of range",
          "steps:\n  - servos: {0: 900, 33: 900, 1a: 900, 32: 900}\n    time_ms: 1\n",
          "wave.yaml:2: step 0: servo id " ID_MSG "\n"
          "wave.yaml:2: step 0: servo id " ID_MSG "\n"
          "wave.yaml:2: step 0: servo id " ID_MSG "\n" },
        { "servo names that are not identifiers, with the step",
          "steps:\n  - {pose: a, time_ms: 1}\n  - servos:\n      -1: 900\n"
          "      a_very_long_servo_name_of_33_bytes: 900\n    time_ms: 1\n",
          "wave.yaml:4: step 1: servo name \"-1\" " NAME_HINT "\n"
          "wave.yaml:5: step 1: servo name \"a_very_long_servo_name_of_33_bytes\" " NAME_HINT
          "\n" },
        { "a step's field twice: refused, never the last one winning",
          "steps:\n  - {servos: {shoulder: 900}, time_ms: 1, time_ms: 2}\n"
          "  - pose: rest\n    hold_ms: 1\n    pose: up\n    hold_ms: 2\n    time_ms: 3\n"
          "  - {servos: {elbow: 900}, servos: {elbow: 1000}, time_ms: 1}\n",
          "wave.yaml:2: step 0: field \"time_ms\" appears twice\n"
          "wave.yaml:5: step 1: field \"pose\" appears twice\n"
          "wave.yaml:6: step 1: field \"hold_ms\" appears twice\n"
          "wave.yaml:8: step 2: field \"servos\" appears twice\n" },
        { "a servo name twice in a step, with the step",
          "steps:\n  - servos:\n      shoulder: 900\n      elbow: 900\n      shoulder: 1000\n"
          "    time_ms: 1\n",
          "wave.yaml:5: step 0: servo \"shoulder\" appears twice (first on line 3)\n" },
        { "positions out of range or not plain integers, each named",
          "steps:\n  - servos: {shoulder: -1, 2: 2501}\n    time_ms: 1\n"
          "  - servos: {3: abc, wrist: \"1500\"}\n    time_ms: 1\n",
          "wave.yaml:2: step 0: shoulder " POSITION_MSG "\n"
          "wave.yaml:2: step 0: servo 2 " POSITION_MSG "\n"
          "wave.yaml:4: step 1: servo 3 " POSITION_MSG "\n"
          "wave.yaml:4: step 1: wrist " POSITION_MSG "\n" },
        { "the position of a servo that is no name does not repeat the key",
          "steps:\n  - {servos: {a-b: 3000}, time_ms: 1}\n",
          "wave.yaml:2: step 0: servo name \"a-b\" " NAME_HINT "\n"
          "wave.yaml:2: step 0: servo " POSITION_MSG "\n" },
        { "errors in several steps, in order",
          "steps:\n"
          "  - pose: rest\n"
          "    time_ms: 100\n"
          "  - pose: 9\n"
          "    time_ms: 100\n"
          "  - servos: {shoulder: 1200}\n"
          "    time_ms: 100\n"
          "    hold: 10\n"
          "  - servos: {shoulder: 1200}\n",
          "wave.yaml:4: step 1: pose must be a pose's name\n"
          "wave.yaml:8: step 2: unknown field \"hold\" " FIELDS_HINT "\n"
          "wave.yaml:9: step 3 needs time_ms\n" },
        { "CR LF line ends", "steps:\r\n  - {pose: a, time_ms: 1}\r\n  - {pose: b}\r\n",
          "wave.yaml:3: step 1 needs time_ms\n" },
        { "two documents", "steps: [{pose: a, time_ms: 1}]\n---\nsteps: []\n",
          "wave.yaml:3: the file holds more than one YAML document\n" },
        { "a flow mapping left open", "steps:\n  - {pose: a, time_ms: 1\n",
          "wave.yaml:3: YAML: *\n" },
        { "a tab as indentation", "steps:\n\t- {pose: a, time_ms: 1}\n",
          "wave.yaml:2: YAML: *\n" },
        { "an undefined alias", "steps:\n  - {pose: a, time_ms: 1}\n  - *nothing\n",
          "wave.yaml:3: YAML: *\n" },
        { "inline JSON: a position as a string",
          "{\"steps\":[{\"pose\":\"rest\",\"time_ms\":100},"
          "{\"servos\":{\"shoulder\":\"1200\"},\"time_ms\":1}]}",
          "wave.yaml:1: step 1: shoulder " POSITION_MSG "\n" },
        { "inline JSON: no steps", "{\"steps\":[]}", "wave.yaml:1: " STEPS_MSG "\n" },
        { "inline JSON: a step with an unknown field and one without time",
          "{\"steps\":[{\"pose\":\"rest\",\"time_ms\":1,\"speed\":2},{\"pose\":\"rest\"}]}",
          "wave.yaml:1: step 0: unknown field \"speed\" " FIELDS_HINT "\n"
          "wave.yaml:1: step 1 needs time_ms\n" },
};

/* Whether LINE (LEN bytes) is WANT, or starts as it does when WANT ends in '*'. */
static bool line_matches(const char *line, size_t len, const char *want, size_t want_len)
{
        if (want_len > 0 && want[want_len - 1] == '*')
                return len >= want_len - 1 && memcmp(line, want, want_len - 1) == 0;
        return len == want_len && memcmp(line, want, len) == 0;
}

static void check_errors(const char *what, const char *errors, const char *want)
{
        const char *a = errors, *w = want;

        while (*a && *w) {
                size_t alen = strcspn(a, "\n"), wlen = strcspn(w, "\n");

                ck_assert_msg(line_matches(a, alen, w, wlen), "%s: got\n%s\nwanted\n%s", what,
                              errors, want);
                a += alen + (a[alen] == '\n');
                w += wlen + (w[wlen] == '\n');
        }
        ck_assert_msg(!*a && !*w, "%s: got\n%s\nwanted\n%s", what, errors, want);
        ck_assert(errors[strlen(errors) - 1] == '\n');
}

START_TEST(test_refused)
{
        const struct error_case *c = &error_cases[_i];
        char *errors;

        ck_assert_ptr_null(parse(c->text, &errors));
        check_errors(c->what, errors, c->errors);
        free(errors);
}
END_TEST

/* ---- accepted files: the steps read ---- */

struct target_want {
        unsigned id;
        const char *name;
        int value;
};

struct step_want {
        const char *pose;               /* NULL: servos */
        size_t n;
        struct target_want targets[3];
        unsigned time_ms, hold_ms, line;
};

struct accepted_case {
        const char *what;
        const char *text;
        size_t n_steps;
        struct step_want steps[3];
};

static const struct accepted_case accepted_cases[] = {
        { "flow and block style, names and ids, holds, comments",
          "# a comment\n"
          "steps:\n"
          "  - {pose: rest, time_ms: 100}\n"
          "  - {servos: {shoulder: 1200, 3: 1500}, time_ms: 150, hold_ms: 50}\n"
          "  - servos: {elbow: 1000}   # a comment\n"
          "    time_ms: 0\n", 3,
          { { "rest", 0, { { 0 } }, 100, 0, 3 },
            { NULL, 2, { { 0, "shoulder", 1200 }, { 3, "", 1500 } }, 150, 50, 4 },
            { NULL, 1, { { 0, "elbow", 1000 } }, 0, 0, 5 } } },
        { "the inline JSON form of sequence.run",
          "{\"steps\":[{\"pose\":\"rest\",\"time_ms\":100},"
          "{\"servos\":{\"shoulder\":1200,\"3\":1500},\"time_ms\":150,\"hold_ms\":50},"
          "{\"time_ms\":0,\"servos\":{\"elbow\":1000}}]}", 3,
          { { "rest", 0, { { 0 } }, 100, 0, 1 },
            { NULL, 2, { { 0, "shoulder", 1200 }, { 3, "", 1500 } }, 150, 50, 1 },
            { NULL, 1, { { 0, "elbow", 1000 } }, 0, 0, 1 } } },
        { "the limits: times, holds, positions, ids, a name of 32 bytes",
          "steps:\n"
          "  - servos: {1: 500, '32': 2500, a_servo_name_of_exactly_32_bytes: 1500}\n"
          "    time_ms: 65535\n"
          "    hold_ms: 3600000\n"
          "  - {pose: _, time_ms: 0, hold_ms: 0}\n", 2,
          { { NULL, 3, { { 1, "", 500 }, { 32, "", 2500 },
                         { 0, "a_servo_name_of_exactly_32_bytes", 1500 } }, 65535, 3600000, 2 },
            { "_", 0, { { 0 } }, 0, 0, 5 } } },
        { "an alias repeats a step", "steps:\n  - &s {pose: rest, time_ms: 10}\n  - *s\n", 2,
          { { "rest", 0, { { 0 } }, 10, 0, 2 }, { "rest", 0, { { 0 } }, 10, 0, 2 } } },
        { "CR LF line ends and a document marker",
          "---\r\nsteps:\r\n  - pose: rest\r\n    time_ms: 7\r\n", 1,
          { { "rest", 0, { { 0 } }, 7, 0, 3 } } },
};

static void check_step(const char *what, size_t i, const struct sequence_step *st,
                       const struct step_want *w)
{
        ck_assert_msg(strcmp(st->pose, w->pose ? w->pose : "") == 0, "%s: step %zu pose %s",
                      what, i, st->pose);
        ck_assert_uint_eq(st->n, w->n);
        for (size_t k = 0; k < w->n; k++) {
                ck_assert_uint_eq(st->targets[k].id, w->targets[k].id);
                ck_assert_str_eq(st->targets[k].name, w->targets[k].name);
                ck_assert_int_eq(st->targets[k].value, w->targets[k].value);
                ck_assert(!st->targets[k].delta);
        }
        ck_assert_uint_eq(st->time_ms, w->time_ms);
        ck_assert_uint_eq(st->hold_ms, w->hold_ms);
        ck_assert_msg(st->line == w->line, "%s: step %zu on line %u", what, i, st->line);
}

START_TEST(test_accepted)
{
        const struct accepted_case *c = &accepted_cases[_i];
        char *errors;
        struct sequence *seq = parse(c->text, &errors);

        ck_assert_msg(seq, "%s: %s", c->what, errors);
        ck_assert_str_eq(seq->name, "wave");
        ck_assert_ptr_null(seq->path);
        ck_assert_uint_eq(seq->n_steps, c->n_steps);
        for (size_t i = 0; i < c->n_steps; i++)
                check_step(c->what, i, &seq->steps[i], &c->steps[i]);
        sequence_free(seq);
}
END_TEST

/* ---- limits of size: steps, servos of a step, errors reported ---- */

/* "steps:\n" and N steps "  - {pose: p, time_ms: 1}", or with BAD, N
 * steps that lack time_ms. */
static char *steps_text(size_t n, bool bad)
{
        const char *step = bad ? "  - {pose: p}\n" : "  - {pose: p, time_ms: 1}\n";
        size_t len = strlen(step);
        char *text = malloc(8 + n * len), *p = text;

        ck_assert_ptr_nonnull(text);
        p += sprintf(p, "steps:\n");
        for (size_t i = 0; i < n; i++, p += len)
                memcpy(p, step, len + 1);
        return text;
}

START_TEST(test_steps_max)
{
        char *text = steps_text(SEQUENCE_STEPS_MAX, false), *errors;
        struct sequence *seq = parse(text, &errors);

        ck_assert_ptr_nonnull(seq);
        ck_assert_uint_eq(seq->n_steps, SEQUENCE_STEPS_MAX);
        ck_assert_uint_eq(seq->steps[SEQUENCE_STEPS_MAX - 1].line, SEQUENCE_STEPS_MAX + 1);
        sequence_free(seq);
        free(text);
        text = steps_text(SEQUENCE_STEPS_MAX + 1, false);
        ck_assert_ptr_null(parse(text, &errors));
        ck_assert_str_eq(errors, "wave.yaml:2: more than 10000 steps\n");
        free(errors);
        free(text);
}
END_TEST

/* A step naming every servo id, then one more servo. */
START_TEST(test_servos_max)
{
        char text[1024], *p = text, *errors;
        struct sequence *seq;

        p += sprintf(p, "steps:\n  - time_ms: 1\n    servos:\n");
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                p += sprintf(p, "      %u: %u\n", id, 500 + id);
        seq = parse(text, &errors);
        ck_assert_ptr_nonnull(seq);
        ck_assert_uint_eq(seq->steps[0].n, LSC_MOVE_MAX_SERVOS);
        ck_assert_uint_eq(seq->steps[0].targets[31].id, 32);
        ck_assert_int_eq(seq->steps[0].targets[31].value, 532);
        sequence_free(seq);
        sprintf(p, "      shoulder: 900\n      elbow: 900\n");
        ck_assert_ptr_null(parse(text, &errors));
        ck_assert_str_eq(errors, "wave.yaml:36: step 0: more than 32 servos\n");
        free(errors);
}
END_TEST

START_TEST(test_errors_max)
{
        char *text = steps_text(YAMLDOC_ERRORS_MAX + 5, true), *errors, *p;
        size_t lines = 0;

        ck_assert_ptr_null(parse(text, &errors));
        for (p = errors; (p = strchr(p, '\n')); p++)
                lines++;
        ck_assert_uint_eq(lines, YAMLDOC_ERRORS_MAX + 1);
        ck_assert(strncmp(errors, "wave.yaml:2: step 0 needs time_ms\n", 34) == 0);
        ck_assert_ptr_nonnull(strstr(errors, "wave.yaml:21: step 19 needs time_ms\n"
                                             "wave.yaml: more errors not shown\n"));
        ck_assert(strcmp(strstr(errors, "wave.yaml: more"), "wave.yaml: more errors not shown\n")
                  == 0);
        free(errors);
        free(text);
}
END_TEST

/* ---- sequence_load: the file's name, and what cannot be read ---- */

static char dir[] = "/tmp/test-sequence-yaml-XXXXXX";

static void setup(void)
{
        ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
        char cmd[64];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
        ck_assert_int_eq(system(cmd), 0);
        strcpy(dir, "/tmp/test-sequence-yaml-XXXXXX");
}

static char *write_file(const char *name, const char *text)
{
        char *path;
        FILE *f;

        ck_assert_int_gt(asprintf(&path, "%s/%s", dir, name), 0);
        f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(text, f);
        ck_assert_int_eq(fclose(f), 0);
        return path;
}

START_TEST(test_load_names_it_after_its_file)
{
        char *path = write_file("wave.yaml", "steps:\n  - {pose: rest, time_ms: 10}\n");
        struct sequence *seq = NULL;
        char *errors = NULL;

        ck_assert_int_eq(sequence_load(path, &seq, &errors), 0);
        ck_assert_ptr_null(errors);
        ck_assert_str_eq(seq->name, "wave");
        ck_assert_str_eq(seq->path, path);
        ck_assert_uint_eq(seq->n_steps, 1);
        sequence_free(seq);
        free(path);
}
END_TEST

START_TEST(test_load_errors_name_the_path)
{
        char *path = write_file("bad.yaml", "steps:\n  - {pose: rest}\n"), *want;
        struct sequence *seq = (struct sequence *) 1;
        char *errors = NULL;

        ck_assert_int_eq(sequence_load(path, &seq, &errors), -EINVAL);
        ck_assert_ptr_null(seq);
        ck_assert_int_gt(asprintf(&want, "%s:2: step 0 needs time_ms\n", path), 0);
        ck_assert_str_eq(errors, want);
        free(want);
        free(errors);
        free(path);
}
END_TEST

struct unreadable_case {
        const char *what;
        int (*make)(const char *path);
        int error;
        const char *message;            /* after "PATH: " */
};

static int make_nothing(const char *path)
{
        (void) path;
        return 0;
}

static int make_directory(const char *path)
{
        return mkdir(path, 0700);
}

static int make_too_large(const char *path)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int r = fd < 0 ? -1 : ftruncate(fd, SEQUENCE_FILE_MAX + 1);

        if (fd >= 0)
                close(fd);
        return r;
}

static const struct unreadable_case unreadable_cases[] = {
        { "no such file", make_nothing, -ENOENT, "cannot read: No such file or directory" },
        { "a directory", make_directory, -EISDIR, "cannot read: Is a directory" },
        { "larger than SEQUENCE_FILE_MAX", make_too_large, -EFBIG, "larger than 262144 bytes" },
};

START_TEST(test_load_unreadable)
{
        const struct unreadable_case *c = &unreadable_cases[_i];
        struct sequence *seq = (struct sequence *) 1;
        char *path, *want, *errors = NULL;

        ck_assert_int_gt(asprintf(&path, "%s/x.yaml", dir), 0);
        ck_assert_int_eq(c->make(path), 0);
        ck_assert_int_eq(sequence_load(path, &seq, &errors), c->error);
        ck_assert_ptr_null(seq);
        ck_assert_int_gt(asprintf(&want, "%s: %s\n", path, c->message), 0);
        ck_assert_str_eq(errors, want);
        free(want);
        free(errors);
        free(path);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("sequence-yaml");
        TCase *tc = tcase_create("parse"), *load = tcase_create("load");

        tcase_add_loop_test(tc, test_refused, 0, (int) ARRAY_SIZE(error_cases));
        tcase_add_loop_test(tc, test_accepted, 0, (int) ARRAY_SIZE(accepted_cases));
        tcase_add_test(tc, test_steps_max);
        tcase_add_test(tc, test_servos_max);
        tcase_add_test(tc, test_errors_max);
        suite_add_tcase(s, tc);
        tcase_add_checked_fixture(load, setup, teardown);
        tcase_add_test(load, test_load_names_it_after_its_file);
        tcase_add_test(load, test_load_errors_name_the_path);
        tcase_add_loop_test(load, test_load_unreadable, 0, (int) ARRAY_SIZE(unreadable_cases));
        suite_add_tcase(s, load);
        return lscd_check_run(s);
}

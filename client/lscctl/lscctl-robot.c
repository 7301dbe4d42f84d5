/* SPDX-License-Identifier: MIT */
/*
 * lscctl-robot.c: the subcommands of the robot model (lscd-robot(5)):
 * servos, robot, reload; and the names completion offers, asked of lscd.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lscctl.h"

static const cJSON *robot_member(const cJSON *object, const char *name)
{
        return cJSON_GetObjectItemCaseSensitive(object, name);
}

/* A section of the model (servos, poses, groups): an object, whose members
 * all have names; NULL when lscd sent something else. */
static const cJSON *robot_section(const cJSON *model, const char *name)
{
        const cJSON *section = robot_member(model, name);

        return cJSON_IsObject(section) ? section : NULL;
}

/* A cell of the servos table: a number, yes or no, "-" for null, or a
 * name (JSON-quoted unless it is one, cut to fit). */
static const char *robot_cell(const cJSON *item, char *buf, size_t size)
{
        char *text;

        if (!item || cJSON_IsNull(item))
                return "-";
        if (cJSON_IsNumber(item))
                snprintf(buf, size, "%.0f", item->valuedouble);
        else if (cJSON_IsBool(item))
                snprintf(buf, size, "%s", cJSON_IsTrue(item) ? "yes" : "no");
        else if (cJSON_IsString(item) && lscctl_is_name(item->valuestring, strlen(item->valuestring)))
                snprintf(buf, size, "%s", item->valuestring);
        else {
                text = cJSON_PrintUnformatted(item);
                snprintf(buf, size, "%s", text ? text : "?");
                free(text);
        }
        return buf;
}

/* One column of the servos table: its heading, the member it shows (as
 * "member..until" when until is set) and its width, negative when it is
 * left-aligned, 0 for the width of its longest cell. */
struct robot_column {
        const char *heading, *member, *until;
        int width;
};

static const struct robot_column robot_columns[] = {
        { "ID",        "id",        NULL,  2 },
        { "NAME",      "name",      NULL,  0 },
        { "TARGET",    "target",    NULL,  6 },
        { "MOVING",    "moving",    NULL, -6 },
        { "LIMITS",    "min",       "max", -10 },
        { "HOME",      "home",      NULL,  4 },
        { "TRIM",      "trim",      NULL,  5 },
        { "INVERT",    "invert",    NULL, -6 },
        { "MAX_SPEED", "max_speed", NULL,  9 },
};

/* The text of column c of servo s, in buf. */
static const char *robot_column_text(const struct robot_column *c, const cJSON *s, char *buf, size_t size)
{
        char from[LSCCTL_NAME_MAX + 3], to[LSCCTL_NAME_MAX + 3];

        if (!c->until)
                return robot_cell(robot_member(s, c->member), buf, size);
        snprintf(buf, size, "%s..%s", robot_cell(robot_member(s, c->member), from, sizeof(from)),
                 robot_cell(robot_member(s, c->until), to, sizeof(to)));
        return buf;
}

/* The width of each column: its own, or (0) that of its longest cell,
 * left-aligned. */
static void robot_widths(const cJSON *servos, int widths[ELEMENTSOF(robot_columns)])
{
        char buf[2 * LSCCTL_NAME_MAX + 8];
        const cJSON *s;

        for (size_t i = 0; i < ELEMENTSOF(robot_columns); i++) {
                const struct robot_column *c = &robot_columns[i];
                int width = (int)strlen(c->heading);

                cJSON_ArrayForEach(s, servos) {
                        int n = (int)strlen(robot_column_text(c, s, buf, sizeof(buf)));

                        width = c->width == 0 && n > width ? n : width;
                }
                widths[i] = c->width ? c->width : -width;
        }
}

/* The heading (s NULL) or one servo's row. */
static void robot_print_row(const cJSON *s, const int widths[ELEMENTSOF(robot_columns)])
{
        char buf[2 * LSCCTL_NAME_MAX + 8];

        for (size_t i = 0; i < ELEMENTSOF(robot_columns); i++) {
                const struct robot_column *c = &robot_columns[i];
                bool last = i + 1 == ELEMENTSOF(robot_columns);

                /* No blanks at the end of a line. */
                printf("%s%*s", i ? "  " : "", last && widths[i] < 0 ? 0 : widths[i],
                       s ? robot_column_text(c, s, buf, sizeof(buf)) : c->heading);
        }
        putchar('\n');
}

static void robot_print_servos(const cJSON *response)
{
        const cJSON *servos = robot_member(response, "servos"), *s;
        int widths[ELEMENTSOF(robot_columns)];

        if (cJSON_GetArraySize(servos) == 0) {
                printf("no servos: the robot file names none, and lscd has moved none\n");
                return;
        }
        robot_widths(servos, widths);
        robot_print_row(NULL, widths);
        cJSON_ArrayForEach(s, servos)
                robot_print_row(s, widths);
}

int lscctl_robot_servos(struct lscctl *ctl, int argc, char **argv)
{
        return lscctl_query(ctl, "servos", robot_print_servos);
}

/* The members of object as a YAML flow mapping, "{a: 1, b: true}",
 * leaving out those that are null. */
static void robot_print_flow(const cJSON *object)
{
        const cJSON *item;
        bool first = true;

        putchar('{');
        cJSON_ArrayForEach(item, object) {
                if (cJSON_IsNull(item))
                        continue;
                printf("%s", first ? "" : ", ");
                lscctl_print_text(item->string);
                printf(": ");
                lscctl_print_value(item);
                first = false;
        }
        putchar('}');
}

/* A section of the model, as in the robot file: "NAME:" then one line a
 * member, "  name: value", names aligned; "NAME: {}" when it is empty.
 * Poses that move no servo (home without servos) are left out. */
static void robot_print_section(const cJSON *model, const char *name)
{
        const cJSON *section = robot_section(model, name), *item;
        int width = 0, n = 0;

        cJSON_ArrayForEach(item, section) {
                int len = (int)strlen(item->string);

                if (!cJSON_IsObject(item) || item->child) {
                        width = len > width ? len : width;
                        n++;
                }
        }
        printf("%s:%s\n", name, n ? "" : " {}");
        cJSON_ArrayForEach(item, section) {
                if (cJSON_IsObject(item) && !item->child)
                        continue;
                printf("  ");
                lscctl_print_text(item->string);
                printf(":%*s ", width - (int)strlen(item->string), "");
                if (cJSON_IsObject(item))
                        robot_print_flow(item);
                else
                        lscctl_print_value(item);
                putchar('\n');
        }
}

/* What a model without a file means. */
#define ROBOT_NO_NAMES "no names: servos are channels 1..32, over the board's whole range"

/* The robot file's path, and " not found" when lscd found none there; or
 * "no robot file" when lscd has no path. */
static void robot_print_path(const cJSON *model)
{
        const cJSON *path = robot_member(model, "path");

        if (!cJSON_IsString(path)) {
                printf("no robot file");
                return;
        }
        lscctl_print_text(path->valuestring);
        if (!cJSON_IsTrue(robot_member(model, "file")))
                printf(" not found");
}

/* "# ..." lines: where the model comes from, and when it was loaded. */
static void robot_print_origin(const cJSON *model)
{
        bool file = cJSON_IsTrue(robot_member(model, "file"));
        char loaded[64];

        lscctl_format_time(robot_member(model, "loaded"), loaded, sizeof(loaded));
        printf("# lscd's robot model, loaded %s%s", loaded, file ? " from " : ": ");
        robot_print_path(model);
        printf("\n%s", file ? "" : "# " ROBOT_NO_NAMES "\n");
}

static void robot_print_model(const cJSON *model)
{
        robot_print_origin(model);
        robot_print_section(model, "servos");
        robot_print_section(model, "poses");
        robot_print_section(model, "groups");
}

int lscctl_robot_show(struct lscctl *ctl, int argc, char **argv)
{
        return lscctl_query(ctl, "robot", robot_print_model);
}

/* The strings of the errors array of an error response, or NULL. */
static const cJSON *robot_config_errors(const cJSON *response)
{
        const cJSON *errors = robot_member(robot_member(response, "error"), "errors");

        return cJSON_IsArray(errors) && errors->child ? errors : NULL;
}

/* lscd refused the file: print each of its errors ("FILE:LINE: what") on
 * stderr, then what it means. Consumes response; returns 1. */
static int robot_reload_refused(struct lscctl *ctl, cJSON *response, const cJSON *errors)
{
        const cJSON *e;
        int n = cJSON_GetArraySize(errors);

        if (ctl->json)
                lscctl_print_json(response);
        cJSON_ArrayForEach(e, errors)
                fprintf(stderr, "%s\n", cJSON_IsString(e) ? e->valuestring : "?");
        fprintf(stderr, "lscctl reload: the robot file has %d error%s: lscd keeps the model it had "
                "(invalid_config)\n", n, n == 1 ? "" : "s");
        cJSON_Delete(response);
        return LSCCTL_EXIT_DAEMON;
}

/* How many members of a section of the model name something (the pose home
 * of a file without servos does not). */
static int robot_count(const cJSON *model, const char *section)
{
        const cJSON *items = robot_section(model, section), *item;
        int n = 0;

        cJSON_ArrayForEach(item, items)
                n += !cJSON_IsObject(item) || item->child;
        return n;
}

/* "reloaded PATH: N servos, N poses, N groups", or what a model without
 * a file means. */
static void robot_print_reloaded(const cJSON *model)
{
        static const char *const sections[][2] = {
                { "servos", "servo" }, { "poses", "pose" }, { "groups", "group" },
        };
        if (!cJSON_IsTrue(robot_member(model, "file"))) {
                printf("reloaded: ");
                robot_print_path(model);
                printf(", " ROBOT_NO_NAMES "\n");
                return;
        }
        printf("reloaded ");
        robot_print_path(model);
        for (size_t i = 0; i < ELEMENTSOF(sections); i++) {
                int n = robot_count(model, sections[i][0]);

                printf("%s %d %s%s", i ? "," : ":", n, sections[i][1], n == 1 ? "" : "s");
        }
        putchar('\n');
}

int lscctl_robot_reload(struct lscctl *ctl, int argc, char **argv)
{
        const cJSON *errors;
        cJSON *response;
        int error, r = lscctl_exchange(ctl, lsc_client_request_new("config.reload"), &error, &response);

        if (r)
                return r;
        errors = error == -EREMOTEIO ? robot_config_errors(response) : NULL;
        if (errors)
                return robot_reload_refused(ctl, response, errors);
        r = lscctl_answer(ctl, error, response, &response);
        return r ? r : lscctl_show(ctl, response, robot_print_reloaded);
}

/* The robot model, asked of lscd without a word on failure: completion
 * offers no names then. NULL when lscd does not answer in time. */
static cJSON *robot_model_quietly(struct lscctl *ctl)
{
        cJSON *request, *response = NULL;

        if (lsc_client_connect(ctl->socket, &ctl->client) < 0)
                return NULL;
        lsc_client_set_timeout(ctl->client, ctl->call_timeout_ms);
        request = lsc_client_request_new("robot");
        if (!request || lsc_client_call(ctl->client, request, &response) < 0) {
                cJSON_Delete(response);
                response = NULL;
        }
        cJSON_Delete(request);
        return response;
}

/* The names of a section of lscd's model, one a line, each followed by
 * suffix; names that are not identifiers are left out. */
static void robot_words(struct lscctl *ctl, const char *section, const char *suffix)
{
        cJSON *model = robot_model_quietly(ctl);
        const cJSON *items = robot_section(model, section), *item;

        cJSON_ArrayForEach(item, items)
                if (lscctl_is_name(item->string, strlen(item->string)) &&
                    (!cJSON_IsObject(item) || item->child))
                        printf("%s%s\n", item->string, suffix);
        cJSON_Delete(model);
}

void lscctl_robot_servo_words(struct lscctl *ctl)
{
        robot_words(ctl, "servos", ":");
}

/* claim takes servo names without a position, or all. */
void lscctl_robot_claim_words(struct lscctl *ctl)
{
        printf("all\n");
        robot_words(ctl, "servos", "");
}

void lscctl_robot_pose_words(struct lscctl *ctl)
{
        robot_words(ctl, "poses", "");
}

void lscctl_robot_group_words(struct lscctl *ctl)
{
        robot_words(ctl, "groups", "");
}

/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "fail.h"
#include "json.h"
#include "mem.h"
#include "request.h"

/* An integer field: -EINVAL with *err naming FIELD unless within MIN..MAX. */
static int request_integer(const cJSON *item, const char *field, long min, long max,
                           long *ret, struct fail *err)
{
        if (json_get_integer(item, min, max, ret) < 0)
                return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, field,
                                    "%s must be an integer from %ld to %ld", field, min, max);
        return 0;
}

/* A name argument: an identifier string, copied into RET. */
static int request_name(const cJSON *item, const char *field, char ret[MODEL_NAME_MAX + 1],
                        struct fail *err)
{
        if (!cJSON_IsString(item) || !model_name_valid(item->valuestring))
                return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, field, "%s must be a name "
                            "([A-Za-z_][A-Za-z0-9_]*, at most %d bytes)", field, MODEL_NAME_MAX);
        strcpy(ret, item->valuestring);
        return 0;
}

/* Exactly one of the members A and B of ITEM: its index (0 or 1). */
static int request_one_of(const cJSON *item, const char *at, const char *a, const char *b,
                          const cJSON **ret, struct fail *err)
{
        const cJSON *va = cJSON_GetObjectItemCaseSensitive(item, a);
        const cJSON *vb = cJSON_GetObjectItemCaseSensitive(item, b);

        if (va && vb)
                return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, at, "%s takes \"%s\" or \"%s\", "
                            "not both", at, a, b);
        if (!va && !vb) {
                char field[64];

                /* The field of the usual choice, as before names existed. */
                snprintf(field, sizeof(field), "%s.%s", at, a);
                return fail(err, LSC_ERRCODE_MISSING_ARGUMENT, field, "%s needs \"%s\" or \"%s\"",
                            at, a, b);
        }
        *ret = va ? va : vb;
        return va ? 0 : 1;
}

static int request_servo_fields(const cJSON *item, const char *at, struct fail *err)
{
        static const char *const known[] = { "id", "name", "position", "delta" };
        char field[64];

        if (!cJSON_IsObject(item))
                return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, at, "%s must be an object "
                            "{\"id\":N or \"name\":S, \"position\":N or \"delta\":N}", at);
        for (const cJSON *m = item->child; m; m = m->next) {
                size_t i = 0;

                while (i < 4 && strcmp(m->string, known[i]) != 0)
                        i++;
                if (i == 4) {
                        snprintf(field, sizeof(field), "%s.%.*s", at,
                                 json_utf8_prefix(m->string, 40), m->string);
                        return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, field,
                                    "unknown field %s", field);
                }
        }
        return 0;
}

static int request_servo(const cJSON *item, size_t index, struct cmd_args *args, uint64_t *ids,
                         struct fail *err)
{
        struct servos_spec *spec = &args->specs[index];
        const cJSON *who, *where;
        char at[32], field[64];
        long v;
        int which, r;

        snprintf(at, sizeof(at), "servos[%zu]", index);
        r = request_servo_fields(item, at, err);
        which = r < 0 ? r : request_one_of(item, at, "id", "name", &who, err);
        if (which < 0)
                return which;
        snprintf(field, sizeof(field), "%s.%s", at, which ? "name" : "id");
        r = which ? request_name(who, field, spec->name, err)
                  : request_integer(who, field, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX, &v, err);
        if (r < 0)
                return r;
        if (!which) {
                if (*ids & (UINT64_C(1) << v))
                        return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, field,
                                    "servo %ld appears more than once", v);
                *ids |= UINT64_C(1) << v;
                spec->id = (unsigned) v;
        }
        which = request_one_of(item, at, "position", "delta", &where, err);
        if (which < 0)
                return which;
        spec->delta = which == 1;
        snprintf(field, sizeof(field), "%s.%s", at, which ? "delta" : "position");
        r = which ? request_integer(where, field, -SERVOS_DELTA_MAX, SERVOS_DELTA_MAX, &v, err)
                  : request_integer(where, field, LSC_BUS_POSITION_MIN, LSC_POSITION_MAX, &v, err);
        spec->value = (int) v;
        return r;
}

static int request_servos(const cJSON *item, struct cmd_args *args, struct fail *err)
{
        int n = cJSON_GetArraySize(item), r;
        uint64_t ids = 0;
        size_t i = 0;

        if (!cJSON_IsArray(item) || n < 1 || n > LSC_MOVE_MAX_SERVOS)
                return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, "servos",
                                    "servos must be an array of 1 to %d servos",
                                    LSC_MOVE_MAX_SERVOS);
        for (const cJSON *s = item->child; s; s = s->next, i++) {
                r = request_servo(s, i, args, &ids, err);
                if (r < 0)
                        return r;
        }
        args->n_specs = i;
        return 0;
}

static int request_events(const cJSON *item, struct cmd_args *args, struct fail *err)
{
        size_t i = 0;

        if (!cJSON_IsArray(item))
                return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, "events",
                                    "events must be an array of event names or prefixes");
        args->has_events = true;
        for (const cJSON *e = item->child; e; e = e->next, i++) {
                unsigned mask = cJSON_IsString(e) ? lsc_event_mask_from_pattern(e->valuestring) : 0;
                char field[32];

                if (mask == 0) {
                        snprintf(field, sizeof(field), "events[%zu]", i);
                        return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, field,
                                            "%s is not an event name or prefix", field);
                }
                args->events |= mask;
        }
        return 0;
}

/* A group: a number within the arg's range, a name, or (GROUP_OR_ALL) "all". */
static int request_group(const cJSON *item, const struct cmd_arg *a, struct cmd_args *args,
                         struct fail *err)
{
        long *slot = (long *) ((char *) args + a->offset);
        bool all = a->type == CMD_ARG_GROUP_OR_ALL;

        if (all && cJSON_IsString(item) && strcmp(item->valuestring, "all") == 0) {
                *slot = LSC_GROUP_ALL;
                return 0;
        }
        if (cJSON_IsString(item) && model_name_valid(item->valuestring) &&
            strcmp(item->valuestring, "all") != 0) {
                strcpy(args->group_name, item->valuestring);
                return 0;
        }
        if (json_get_integer(item, a->min, a->max, slot) < 0)
                return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, a->name,
                            "%s must be an integer from %ld to %ld, a group's name%s",
                            a->name, a->min, a->max, all ? ", or \"all\"" : "");
        return 0;
}

/* Whether the UTF-8 at S (valid: JSON scanning checked it) begins with a
 * character a name shown to others must not hold: a C0 or C1 control,
 * DEL, a line or paragraph separator, or a bidirectional control (which
 * could make "claimed by X" read as something else). */
static bool request_text_forbidden(const unsigned char *s)
{
        if (s[0] < 0x20 || s[0] == 0x7f || (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f))
                return true;
        if (s[0] == 0xe2 && s[1] == 0x80)
                return (s[2] >= 0x8e && s[2] <= 0x8f) || (s[2] >= 0xa8 && s[2] <= 0xae);
        return s[0] == 0xe2 && s[1] == 0x81 && s[2] >= 0xa6 && s[2] <= 0xa9;
}

/* A name for others to read: printable UTF-8, not only blanks. */
static int request_text(const cJSON *item, const char *field, char ret[CMD_TEXT_MAX + 1],
                        struct fail *err)
{
        size_t len = cJSON_IsString(item) ? strlen(item->valuestring) : 0;
        const unsigned char *s = len ? (const unsigned char *) item->valuestring : NULL;

        if (s && strspn((const char *) s, " ") == len)
                len = 0;
        for (size_t i = 0; i < len; i++)
                if (request_text_forbidden(s + i))
                        len = 0;
        if (len == 0 || len > CMD_TEXT_MAX)
                return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, field, "%s must be a string of 1 "
                            "to %d bytes, not only blanks, without control or bidirectional "
                            "characters", field, CMD_TEXT_MAX);
        strcpy(ret, item->valuestring);
        return 0;
}

static int request_choice(const cJSON *item, const struct cmd_arg *a, long *ret,
                          struct fail *err)
{
        char known[128] = "";

        for (long i = 0; a->choices[i]; i++) {
                if (cJSON_IsString(item) && strcmp(item->valuestring, a->choices[i]) == 0) {
                        *ret = i;
                        return 0;
                }
                snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s\"%s\"",
                         i ? ", " : "", a->choices[i]);
        }
        return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, a->name, "%s must be one of %s", a->name,
                    known);
}

/* "all", or an array of servo ids and names, each at most once. */
static int request_servo_set(const cJSON *item, const char *field, struct cmd_args *args,
                             struct fail *err)
{
        char at[64];
        size_t i = 0;
        long id;

        if (cJSON_IsString(item) && strcmp(item->valuestring, "all") == 0) {
                args->all = true;
                return 0;
        }
        if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) > LSC_MOVE_MAX_SERVOS)
                return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, field, "%s must be \"all\" or an "
                            "array of at most %d servo ids and names", field, LSC_MOVE_MAX_SERVOS);
        for (const cJSON *s = item->child; s; s = s->next, i++) {
                struct servos_spec *spec = &args->specs[i];
                int r;

                snprintf(at, sizeof(at), "%s[%zu]", field, i);
                *spec = (struct servos_spec) { .id = 0 };
                r = cJSON_IsString(s) ? request_name(s, at, spec->name, err)
                                      : request_integer(s, at, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX,
                                                        &id, err);
                if (r < 0)
                        return r;
                if (!cJSON_IsString(s))
                        spec->id = (unsigned) id;
        }
        args->n_specs = i;
        return 0;
}

/* "none", "stop", "home" or "pose:NAME". */
static int request_safe(const cJSON *item, const char *field, struct cmd_args *args,
                        struct fail *err)
{
        const char *v = cJSON_IsString(item) ? item->valuestring : "";

        if (strcmp(v, "none") == 0 || strcmp(v, "stop") == 0) {
                args->safe = v[0] == 'n' ? CLAIMS_SAFE_NONE : CLAIMS_SAFE_STOP;
                return 0;
        }
        if (strcmp(v, "home") == 0)
                v = "pose:home";
        if (strncmp(v, "pose:", 5) != 0 || !model_name_valid(v + 5))
                return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, field, "%s must be \"none\", "
                            "\"stop\", \"home\" or \"pose:NAME\"", field);
        args->safe = CLAIMS_SAFE_POSE;
        strcpy(args->safe_pose, v + 5);
        return 0;
}

static int request_arg(const cJSON *item, const struct cmd_arg *a, struct cmd_args *args,
                       struct fail *err)
{
        char *slot = (char *) args + a->offset;

        switch (a->type) {
        case CMD_ARG_INT:
                return request_integer(item, a->name, a->min, a->max, (long *) slot, err);
        case CMD_ARG_GROUP:
        case CMD_ARG_GROUP_OR_ALL:
                return request_group(item, a, args, err);
        case CMD_ARG_NAME:
                return request_name(item, a->name, args->name, err);
        case CMD_ARG_BOOL:
                if (!cJSON_IsBool(item))
                        return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, a->name,
                                            "%s must be true or false", a->name);
                *(bool *) slot = cJSON_IsTrue(item);
                return 0;
        case CMD_ARG_SERVOS:
                return request_servos(item, args, err);
        case CMD_ARG_EVENTS:
                return request_events(item, args, err);
        case CMD_ARG_TEXT:
                return request_text(item, a->name, args->text, err);
        case CMD_ARG_CHOICE:
                return request_choice(item, a, (long *) slot, err);
        case CMD_ARG_SERVO_SET:
                return request_servo_set(item, a->name, args, err);
        case CMD_ARG_SAFE:
                return request_safe(item, a->name, args, err);
        case CMD_ARG_TIME:
                if (!cJSON_IsNumber(item) || !(item->valuedouble > 0 && item->valuedouble < 1e11))
                        return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, a->name, "%s must be a "
                                    "time in seconds since the epoch, as events' \"time\"",
                                    a->name);
                args->at = (uint64_t) (item->valuedouble * 1e6 + 0.5);
                return 0;
        case CMD_ARG_ANY:
                args->any_text = mem_check(cJSON_PrintUnformatted(item));
                return 0;
        case CMD_ARG_STEPS:
                /* Kept as text: a sequence file's parser reads it (JSON is
                 * YAML), so inline steps and files are checked alike. */
                if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) < 1)
                        return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, a->name,
                                    "steps must be an array of 1 or more steps");
                {
                        char *steps = mem_check(cJSON_PrintUnformatted(item));

                        args->steps_text = mem_printf("{\"steps\":%s}", steps);
                        free(steps);
                }
                return 0;
        }
        return -EINVAL;
}

static void request_default(const struct cmd_arg *a, struct cmd_args *args)
{
        char *slot = (char *) args + a->offset;

        if (a->type == CMD_ARG_INT || a->type == CMD_ARG_GROUP || a->type == CMD_ARG_GROUP_OR_ALL ||
            a->type == CMD_ARG_CHOICE)
                *(long *) slot = a->def;
        else if (a->type == CMD_ARG_BOOL)
                *(bool *) slot = a->def != 0;
}

static const struct cmd_arg *request_find_arg(const struct cmd *cmd, const char *name)
{
        for (const struct cmd_arg *a = cmd->args; a && a->name; a++)
                if (strcmp(a->name, name) == 0)
                        return a;
        return NULL;
}

static int request_args(const cJSON *root, const struct cmd *cmd, struct cmd_args *args,
                        struct fail *err)
{
        for (const cJSON *m = root->child; m; m = m->next)
                if (strcmp(m->string, "cmd") != 0 && strcmp(m->string, "id") != 0 &&
                    !request_find_arg(cmd, m->string))
                        return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, m->string,
                                            "%s takes no argument \"%.*s\"", cmd->name,
                                            json_utf8_prefix(m->string, 60), m->string);
        for (const struct cmd_arg *a = cmd->args; a && a->name; a++) {
                const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, a->name);
                int r;

                if (!item) {
                        if (a->required)
                                return fail(err, LSC_ERRCODE_MISSING_ARGUMENT, a->name,
                                                    "%s needs \"%s\"", cmd->name, a->name);
                        request_default(a, args);
                        continue;
                }
                r = request_arg(item, a, args, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int request_cmd(struct request *req, struct fail *err)
{
        const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(req->root, "cmd");
        const char *dup;

        if (!cJSON_IsObject(req->root))
                return fail(err, LSC_ERRCODE_INVALID_REQUEST, NULL,
                                    "a request must be a JSON object");
        req->id = cJSON_GetObjectItemCaseSensitive(req->root, "id");
        dup = json_find_duplicate_key(req->root);
        if (dup)
                return fail(err, LSC_ERRCODE_INVALID_REQUEST, NULL,
                                    "duplicate key \"%.*s\"", json_utf8_prefix(dup, 60), dup);
        if (!cmd)
                return fail(err, LSC_ERRCODE_MISSING_ARGUMENT, "cmd",
                                    "a request needs \"cmd\"");
        if (!cJSON_IsString(cmd))
                return fail(err, LSC_ERRCODE_INVALID_ARGUMENT, "cmd",
                                    "cmd must be a string");
        req->cmd = cmd_find(cmd->valuestring);
        if (!req->cmd)
                return fail(err, LSC_ERRCODE_UNKNOWN_COMMAND, NULL,
                                    "unknown command \"%.*s\" (known: %s)",
                                    json_utf8_prefix(cmd->valuestring, 60), cmd->valuestring,
                                    cmd_names());
        return request_args(req->root, req->cmd, &req->args, err);
}

/* Point id_text at the id as the client wrote it: 2^53 + 1 or "\u00e9"
 * come back unchanged, which cJSON's printing would not do. */
static void request_id_text(struct request *req, const char *line, size_t len)
{
        size_t index = 0, start, size;
        int r;

        for (const cJSON *m = req->root->child; m != req->id; m = m->next)
                index++;
        r = json_member_text(line, len, index, &start, &size);
        assert(r == 0);
        req->id_text = line + start;
        req->id_len = size;
}

int request_parse(const char *line, size_t len, struct request *req, struct fail *err)
{
        enum json_scan_error scan = json_scan(line, len, JSON_MAX_DEPTH);
        const char *end = NULL;
        size_t at;
        char *copy;
        int r;

        *req = (struct request) { 0 };
        if (scan != JSON_SCAN_OK)
                return fail(err, LSC_ERRCODE_INVALID_JSON, NULL, "%s",
                                    json_scan_strerror(scan));
        /* cJSON takes 01, "\q" or a control byte as JSON: refuse them first,
         * so that an id echoed as sent is always JSON. */
        if (json_lex(line, len, &at) < 0)
                return fail(err, LSC_ERRCODE_INVALID_JSON, NULL,
                                    "not valid JSON (at byte %zu)", at);
        /* cJSON 1.7.15's cJSON_ParseWithLength can read past the end of a
         * buffer that is not NUL-terminated, so it always gets a terminated
         * copy, and must find that NUL right after the value (no trailing
         * garbage after the object). */
        copy = mem_alloc(len + 1);
        memcpy(copy, line, len);
        copy[len] = '\0';
        req->root = cJSON_ParseWithLengthOpts(copy, len + 1, &end, true);
        if (!req->root)
                r = fail(err, LSC_ERRCODE_INVALID_JSON, NULL, "not valid JSON (at byte %td)",
                                 end ? end - copy : 0);
        else
                r = request_cmd(req, err);
        if (req->id)
                request_id_text(req, line, len);
        free(copy);
        return r;
}

void request_done(struct request *req)
{
        cmd_args_free(&req->args);
        cJSON_Delete(req->root);
        *req = (struct request) { 0 };
}

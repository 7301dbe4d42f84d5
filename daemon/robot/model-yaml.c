/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#include "mem.h"
#include "model-yaml.h"

/* One parse. Invariant: errors holds n_errors lines (at most
 * MODEL_ERRORS_MAX, then one "..."). */
struct model_yaml {
        yaml_document_t doc;
        const char *file;
        struct model *model;
        char *errors;
        size_t n_errors;
};

static void model_yaml_error(struct model_yaml *y, const yaml_node_t *at, const char *format, ...)
        __attribute__((format(printf, 3, 4)));

static void model_yaml_append(struct model_yaml *y, const char *line)
{
        char *joined = mem_printf("%s%s\n", y->errors ? y->errors : "", line);

        free(y->errors);
        y->errors = joined;
}

static void model_yaml_error(struct model_yaml *y, const yaml_node_t *at, const char *format, ...)
{
        char message[256], line[512];
        va_list ap;

        if (y->n_errors++ >= MODEL_ERRORS_MAX) {
                if (y->n_errors == MODEL_ERRORS_MAX + 1) {
                        snprintf(line, sizeof(line), "%s: more errors not shown", y->file);
                        model_yaml_append(y, line);
                }
                return;
        }
        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        snprintf(line, sizeof(line), "%s:%lu: %s", y->file,
                 at ? (unsigned long) at->start_mark.line + 1 : 1UL, message);
        model_yaml_append(y, line);
}

static yaml_node_t *model_yaml_node(struct model_yaml *y, int index)
{
        return yaml_document_get_node(&y->doc, index);
}

static const char *model_yaml_scalar(const yaml_node_t *n)
{
        return n && n->type == YAML_SCALAR_NODE ? (const char *) n->data.scalar.value : NULL;
}

/* An integer scalar within MIN..MAX, or an error naming WHAT. */
static bool model_yaml_int(struct model_yaml *y, const yaml_node_t *n, const char *what,
                           long min, long max, long *ret)
{
        const char *text = model_yaml_scalar(n);
        char *end;
        long v;

        if (text && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && text[0] != '\0') {
                errno = 0;
                v = strtol(text, &end, 10);
                if (errno == 0 && *end == '\0' && strlen(text) == n->data.scalar.length &&
                    v >= min && v <= max) {
                        *ret = v;
                        return true;
                }
        }
        model_yaml_error(y, n, "%s must be an integer from %ld to %ld", what, min, max);
        return false;
}

static bool model_yaml_bool(struct model_yaml *y, const yaml_node_t *n, const char *what,
                            bool *ret)
{
        const char *text = model_yaml_scalar(n);

        if (text && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)) {
                *ret = strcmp(text, "true") == 0;
                return true;
        }
        model_yaml_error(y, n, "%s must be true or false", what);
        return false;
}

/* The key of PAIR as a name: a scalar that is an identifier, not seen in
 * PAIRS before PAIR. NULL after reporting the error. */
static const char *model_yaml_name(struct model_yaml *y, const yaml_node_t *mapping,
                                   const yaml_node_pair_t *pair, const char *what)
{
        const yaml_node_t *key = model_yaml_node(y, pair->key);
        const char *name = model_yaml_scalar(key);

        if (!name || strlen(name) != key->data.scalar.length || !model_name_valid(name)) {
                model_yaml_error(y, key, "%s name \"%.40s\" is not an identifier "
                                 "([A-Za-z_][A-Za-z0-9_]*, at most %d bytes)", what,
                                 name ? name : "", MODEL_NAME_MAX);
                return NULL;
        }
        for (const yaml_node_pair_t *p = mapping->data.mapping.pairs.start; p < pair; p++) {
                const char *other = model_yaml_scalar(model_yaml_node(y, p->key));

                if (other && strcmp(other, name) == 0) {
                        model_yaml_error(y, key, "%s \"%s\" appears twice (first on line %lu)",
                                         what, name,
                                         (unsigned long) model_yaml_node(y, p->key)->start_mark.line + 1);
                        return NULL;
                }
        }
        return name;
}

static bool model_yaml_mapping(struct model_yaml *y, const yaml_node_t *n, const char *what)
{
        if (n && n->type == YAML_MAPPING_NODE)
                return true;
        model_yaml_error(y, n, "%s must be a mapping", what);
        return false;
}

#define MODEL_YAML_FOREACH(pair, node) \
        for (const yaml_node_pair_t *pair = (node)->data.mapping.pairs.start; \
             pair < (node)->data.mapping.pairs.top; pair++)

enum { FIELD_ID, FIELD_MIN, FIELD_MAX, FIELD_HOME, FIELD_TRIM, FIELD_INVERT, FIELD_SPEED,
       _FIELD_MAX };

static const struct {
        const char *name;
        long min, max;
} model_yaml_fields[_FIELD_MAX] = {
        [FIELD_ID]     = { "id", LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX },
        [FIELD_MIN]    = { "min", LSC_POSITION_MIN, LSC_POSITION_MAX },
        [FIELD_MAX]    = { "max", LSC_POSITION_MIN, LSC_POSITION_MAX },
        [FIELD_HOME]   = { "home", LSC_POSITION_MIN, LSC_POSITION_MAX },
        [FIELD_TRIM]   = { "trim", -MODEL_TRIM_MAX, MODEL_TRIM_MAX },
        [FIELD_INVERT] = { "invert", 0, 1 },
        [FIELD_SPEED]  = { "max_speed", MODEL_SPEED_MIN, MODEL_SPEED_MAX },
};

/* The fields of one servo's mapping into VALUES (SET: which were given). */
static bool model_yaml_servo_fields(struct model_yaml *y, const char *name, const yaml_node_t *n,
                                    long values[_FIELD_MAX], bool set[_FIELD_MAX])
{
        bool ok = true;
        char what[96];

        MODEL_YAML_FOREACH(pair, n) {
                const yaml_node_t *key = model_yaml_node(y, pair->key);
                const yaml_node_t *value = model_yaml_node(y, pair->value);
                const char *field = model_yaml_scalar(key);
                int f = 0;

                while (f < _FIELD_MAX && !(field && strcmp(field, model_yaml_fields[f].name) == 0))
                        f++;
                if (f == _FIELD_MAX || set[f]) {
                        model_yaml_error(y, key, f == _FIELD_MAX ?
                                         "servo %s: unknown field \"%.40s\" (known: id, min, max, "
                                         "home, trim, invert, max_speed)" :
                                         "servo %s: field \"%.40s\" appears twice",
                                         name, field ? field : "");
                        ok = false;
                        continue;
                }
                snprintf(what, sizeof(what), "servo %s: %s", name, model_yaml_fields[f].name);
                if (f == FIELD_INVERT) {
                        bool b = false;

                        ok = model_yaml_bool(y, value, what, &b) && ok;
                        values[f] = b;
                } else {
                        ok = model_yaml_int(y, value, what, model_yaml_fields[f].min,
                                            model_yaml_fields[f].max, &values[f]) && ok;
                }
                set[f] = true;
        }
        if (!set[FIELD_ID]) {
                model_yaml_error(y, n, "servo %s needs an id (1..32)", name);
                ok = false;
        }
        return ok;
}

/* Limits, home and the wire range of a servo whose fields parsed. */
static bool model_yaml_servo_check(struct model_yaml *y, const yaml_node_t *at,
                                   const struct model_servo *s)
{
        if (s->min > s->max) {
                model_yaml_error(y, at, "servo %s: min %d is above max %d", s->name, s->min, s->max);
                return false;
        }
        if (!model_in_limits(s, s->home)) {
                model_yaml_error(y, at, "servo %s: home %d is outside its limits %d..%d%s",
                                 s->name, s->home, s->min, s->max,
                                 s->home == MODEL_HOME_DEFAULT ? " (1500 is the default; "
                                 "give \"home\")" : "");
                return false;
        }
        for (int i = 0; i < 2; i++) {
                int p = i ? s->max : s->min;

                if (!model_wire_valid(s, p)) {
                        model_yaml_error(y, at, "servo %s: %s %d is %d on the wire (trim %d%s), "
                                         "outside %d..%d", s->name, i ? "max" : "min", p,
                                         model_wire(s, p), s->trim,
                                         s->invert ? ", inverted" : "", LSC_POSITION_MIN,
                                         LSC_POSITION_MAX);
                        return false;
                }
        }
        return true;
}

static void model_yaml_servo(struct model_yaml *y, const yaml_node_t *servos,
                             const yaml_node_pair_t *pair)
{
        const char *name = model_yaml_name(y, servos, pair, "servo");
        const yaml_node_t *key = model_yaml_node(y, pair->key);
        const yaml_node_t *n = model_yaml_node(y, pair->value);
        long v[_FIELD_MAX] = {
                [FIELD_MIN] = LSC_POSITION_MIN, [FIELD_MAX] = LSC_POSITION_MAX,
                [FIELD_HOME] = MODEL_HOME_DEFAULT,
        };
        bool set[_FIELD_MAX] = { false };
        struct model_servo s, *slot;

        if (!name || !model_yaml_mapping(y, n, "a servo") ||
            !model_yaml_servo_fields(y, name, n, v, set))
                return;
        s = (struct model_servo) {
                .min = (int) v[FIELD_MIN], .max = (int) v[FIELD_MAX], .home = (int) v[FIELD_HOME],
                .trim = (int) v[FIELD_TRIM], .invert = v[FIELD_INVERT] != 0,
                .max_speed = (unsigned) v[FIELD_SPEED], .line = (unsigned) key->start_mark.line + 1,
        };
        strcpy(s.name, name);
        slot = &y->model->servos[v[FIELD_ID]];
        if (slot->name[0]) {
                model_yaml_error(y, key, "servo %s: id %ld is also servo %s (line %u)", name,
                                 v[FIELD_ID], slot->name, slot->line);
                return;
        }
        if (model_yaml_servo_check(y, key, &s))
                *slot = s;
}

/* A servo of a pose, by name or id: its id, or 0 after reporting. */
static unsigned model_yaml_pose_servo(struct model_yaml *y, const char *pose, const yaml_node_t *key)
{
        const char *ref = model_yaml_scalar(key);
        unsigned id = ref ? model_servo_id(y->model, ref) : 0;
        long number;

        if (id)
                return id;
        if (ref && ref[0] >= '0' && ref[0] <= '9') {
                char what[96];

                snprintf(what, sizeof(what), "pose %s: servo id", pose);
                return model_yaml_int(y, key, what, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX, &number)
                       ? (unsigned) number : 0;
        }
        model_yaml_error(y, key, "pose %s: no servo is named \"%.40s\"", pose, ref ? ref : "");
        return 0;
}

static bool model_yaml_pose_target(struct model_yaml *y, struct model_pose *p,
                                   const yaml_node_pair_t *pair)
{
        const yaml_node_t *key = model_yaml_node(y, pair->key);
        unsigned id = model_yaml_pose_servo(y, p->name, key);
        const struct model_servo *s = &y->model->servos[id];
        char what[128];
        long position;

        if (!id)
                return false;
        for (size_t i = 0; i < p->n; i++)
                if (p->targets[i].id == id) {
                        model_yaml_error(y, key, "pose %s: servo %u appears twice", p->name, id);
                        return false;
                }
        snprintf(what, sizeof(what), "pose %s: servo %s%s%u", p->name, s->name,
                 s->name[0] ? " (id " : "", id);
        if (s->name[0])
                strcat(what, ")");
        if (!model_yaml_int(y, model_yaml_node(y, pair->value), what, s->min, s->max, &position))
                return false;
        p->targets[p->n++] = (struct model_target) { .id = id, .position = (int) position };
        return true;
}

static void model_yaml_pose(struct model_yaml *y, const yaml_node_t *poses,
                            const yaml_node_pair_t *pair)
{
        const char *name = model_yaml_name(y, poses, pair, "pose");
        const yaml_node_t *n = model_yaml_node(y, pair->value);
        struct model_pose p = { .n = 0 };
        bool ok = true;

        if (!name || !model_yaml_mapping(y, n, "a pose"))
                return;
        strcpy(p.name, name);
        MODEL_YAML_FOREACH(target, n)
                ok = model_yaml_pose_target(y, &p, target) && ok;
        if (ok && p.n == 0) {
                model_yaml_error(y, n, "pose %s names no servo", name);
                ok = false;
        }
        if (!ok)
                return;
        y->model->poses = mem_realloc_array(y->model->poses, y->model->n_poses + 1,
                                            sizeof(*y->model->poses));
        y->model->poses[y->model->n_poses++] = p;
}

static void model_yaml_group(struct model_yaml *y, const yaml_node_t *groups,
                             const yaml_node_pair_t *pair)
{
        const char *name = model_yaml_name(y, groups, pair, "group");
        char what[96];
        long number;

        if (!name)
                return;
        snprintf(what, sizeof(what), "group %s", name);
        if (!model_yaml_int(y, model_yaml_node(y, pair->value), what, 0, LSC_GROUP_MAX, &number))
                return;
        y->model->groups = mem_realloc_array(y->model->groups, y->model->n_groups + 1,
                                             sizeof(*y->model->groups));
        y->model->groups[y->model->n_groups] = (struct model_group) { .number = (unsigned) number };
        strcpy(y->model->groups[y->model->n_groups++].name, name);
}

typedef void (*model_yaml_entry_fn)(struct model_yaml *y, const yaml_node_t *section,
                                    const yaml_node_pair_t *pair);

/* The sections, in the order they are read: poses name servos. */
static const struct {
        const char *name;
        model_yaml_entry_fn entry;
} model_yaml_sections[] = {
        { "servos", model_yaml_servo },
        { "poses", model_yaml_pose },
        { "groups", model_yaml_group },
};

#define MODEL_YAML_N_SECTIONS (sizeof(model_yaml_sections) / sizeof(model_yaml_sections[0]))

static void model_yaml_root(struct model_yaml *y, const yaml_node_t *root)
{
        const yaml_node_t *sections[MODEL_YAML_N_SECTIONS] = { NULL };

        if (!model_yaml_mapping(y, root, "the robot file"))
                return;
        MODEL_YAML_FOREACH(pair, root) {
                const yaml_node_t *key = model_yaml_node(y, pair->key);
                const char *name = model_yaml_scalar(key);
                size_t i = 0;

                while (i < MODEL_YAML_N_SECTIONS && !(name && strcmp(name, model_yaml_sections[i].name) == 0))
                        i++;
                if (i == MODEL_YAML_N_SECTIONS)
                        model_yaml_error(y, key, "unknown section \"%.40s\" (known: servos, poses, "
                                         "groups)", name ? name : "");
                else if (sections[i])
                        model_yaml_error(y, key, "section %s appears twice", name);
                else
                        sections[i] = model_yaml_node(y, pair->value);
        }
        for (size_t i = 0; i < MODEL_YAML_N_SECTIONS; i++) {
                const yaml_node_t *section = sections[i];

                /* "poses:" with nothing after it is an empty section. */
                if (!section || (model_yaml_scalar(section) && section->data.scalar.length == 0))
                        continue;
                if (!model_yaml_mapping(y, section, model_yaml_sections[i].name))
                        continue;
                MODEL_YAML_FOREACH(pair, section)
                        model_yaml_sections[i].entry(y, section, pair);
        }
}

/* The parser's own error (syntax), with its line. */
static void model_yaml_syntax(struct model_yaml *y, const yaml_parser_t *parser)
{
        yaml_node_t at = { .start_mark = parser->problem_mark };

        model_yaml_error(y, &at, "YAML: %s%s%s", parser->problem ? parser->problem : "error",
                         parser->context ? " " : "", parser->context ? parser->context : "");
}

/* Load the one document of TEXT into y->doc. */
static bool model_yaml_load(struct model_yaml *y, const char *text, size_t len)
{
        yaml_parser_t parser;
        yaml_document_t extra;
        bool ok = false;

        if (!yaml_parser_initialize(&parser))
                mem_oom();
        yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
        if (!yaml_parser_load(&parser, &y->doc)) {
                model_yaml_syntax(y, &parser);
                yaml_parser_delete(&parser);
                return false;
        }
        if (!yaml_parser_load(&parser, &extra)) {
                model_yaml_syntax(y, &parser);
        } else {
                if (yaml_document_get_root_node(&extra))
                        model_yaml_error(y, yaml_document_get_root_node(&extra),
                                         "a robot file holds one YAML document");
                else
                        ok = true;
                yaml_document_delete(&extra);
        }
        if (!ok)
                yaml_document_delete(&y->doc);
        yaml_parser_delete(&parser);
        return ok;
}

int model_parse(const char *text, size_t len, const char *file, struct model **ret, char **errors)
{
        struct model_yaml y = { .file = file, .model = model_new() };
        const yaml_node_t *root;

        if (model_yaml_load(&y, text, len)) {
                root = yaml_document_get_root_node(&y.doc);
                /* An empty file is a robot without names. */
                if (root && !(model_yaml_scalar(root) && root->data.scalar.length == 0))
                        model_yaml_root(&y, root);
                yaml_document_delete(&y.doc);
        }
        *ret = NULL;
        *errors = NULL;
        if (y.errors) {
                model_free(y.model);
                *errors = y.errors;
                return -EINVAL;
        }
        model_add_home(y.model);
        y.model->path = mem_strdup(file);
        *ret = y.model;
        return 0;
}

/* Read PATH whole, at most MODEL_FILE_MAX bytes. */
static int model_read(const char *path, char **text, size_t *len)
{
        char *buf = mem_alloc(MODEL_FILE_MAX + 1);
        size_t n = 0;
        ssize_t r = 0;
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0) {
                free(buf);
                return -errno;
        }
        while (n <= MODEL_FILE_MAX && (r = read(fd, buf + n, MODEL_FILE_MAX + 1 - n)) > 0)
                n += (size_t) r;
        r = r < 0 ? -errno : n > MODEL_FILE_MAX ? -EFBIG : 0;
        close(fd);
        if (r < 0) {
                free(buf);
                return (int) r;
        }
        *text = buf;
        *len = n;
        return 0;
}

int model_load(const char *path, struct model **ret, char **errors)
{
        char *text = NULL;
        size_t len = 0;
        int r = model_read(path, &text, &len);

        if (r < 0) {
                *ret = NULL;
                *errors = r == -EFBIG ? mem_printf("%s: larger than %d bytes\n", path, MODEL_FILE_MAX)
                                      : mem_printf("%s: cannot read: %s\n", path, strerror(-r));
                return r;
        }
        r = model_parse(text, len, path, ret, errors);
        free(text);
        return r;
}

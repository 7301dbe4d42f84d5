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
#include "yamldoc-robot.h"

/* One parse: the document, and the model it fills in. */
struct model_yaml {
        struct yamldoc d;
        struct model *model;
};

enum { FIELD_ID, FIELD_MIN, FIELD_MAX, FIELD_HOME, FIELD_TRIM, FIELD_INVERT, FIELD_SPEED,
       _FIELD_MAX };

static const struct {
        const char *name;
        long min, max;
} model_yaml_fields[_FIELD_MAX] = {
        [FIELD_ID]     = { "id", LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX },
        /* min, max and home: the board's range (profile.h) */
        [FIELD_MIN]    = { "min", 0, 0 },
        [FIELD_MAX]    = { "max", 0, 0 },
        [FIELD_HOME]   = { "home", 0, 0 },
        [FIELD_TRIM]   = { "trim", -MODEL_TRIM_MAX, MODEL_TRIM_MAX },
        [FIELD_INVERT] = { "invert", 0, 1 },
        [FIELD_SPEED]  = { "max_speed", MODEL_SPEED_MIN, MODEL_SPEED_MAX },
};

/* The fields of servo NAME's mapping N into VALUES (SET: which were given);
 * a missing id is reported AT its name. */
static bool model_yaml_servo_fields(struct model_yaml *y, const char *name, const yaml_node_t *at,
                                    const yaml_node_t *n, long values[_FIELD_MAX],
                                    bool set[_FIELD_MAX])
{
        bool ok = true;
        char what[96], quoted[YAMLDOC_QUOTED_SIZE];

        YAMLDOC_FOREACH(pair, n) {
                const yaml_node_t *key = yamldoc_node(&y->d, pair->key);
                const yaml_node_t *value = yamldoc_node(&y->d, pair->value);
                const char *field = yamldoc_scalar(key);
                int f = 0;

                while (f < _FIELD_MAX && !(field && strcmp(field, model_yaml_fields[f].name) == 0))
                        f++;
                if (f == _FIELD_MAX || set[f]) {
                        yamldoc_error(&y->d, key, f == _FIELD_MAX ?
                                         "servo %s: unknown field \"%s\" (known: id, min, max, "
                                         "home, trim, invert, max_speed)" :
                                         "servo %s: field \"%s\" appears twice",
                                         name, yamldoc_quote(quoted, field ? field : ""));
                        ok = false;
                        continue;
                }
                snprintf(what, sizeof(what), "servo %s: %s", name, model_yaml_fields[f].name);
                if (f == FIELD_INVERT) {
                        bool b = false;

                        ok = yamldoc_bool(&y->d, value, what, &b) && ok;
                        values[f] = b;
                } else {
                        long min = model_yaml_fields[f].min, max = model_yaml_fields[f].max;

                        if (f == FIELD_MIN || f == FIELD_MAX || f == FIELD_HOME) {
                                min = y->model->profile->position_min;
                                max = y->model->profile->position_max;
                        }
                        ok = yamldoc_int(&y->d, value, what, min, max, &values[f]) && ok;
                }
                set[f] = true;
        }
        if (!set[FIELD_ID]) {
                yamldoc_error(&y->d, at, "servo %s needs an id (1..32)", name);
                ok = false;
        }
        return ok;
}

/* Limits, home (HOME_SET: given, not the default) and the wire range of a
 * servo whose fields parsed. */
static bool model_yaml_servo_check(struct model_yaml *y, const yaml_node_t *at,
                                   const struct model_servo *s, bool home_set)
{
        if (s->min > s->max) {
                yamldoc_error(&y->d, at, "servo %s: min %d is above max %d", s->name, s->min, s->max);
                return false;
        }
        if (!model_in_limits(s, s->home)) {
                char why[64];

                snprintf(why, sizeof(why), " (%d is the default; give \"home\")",
                         (s->wire_min + s->wire_max) / 2);
                yamldoc_error(&y->d, at, "servo %s: home %d is outside its limits %d..%d%s",
                                 s->name, s->home, s->min, s->max, home_set ? "" : why);
                return false;
        }
        for (int i = 0; i < 2; i++) {
                int p = i ? s->max : s->min;

                if (!model_wire_valid(s, p)) {
                        yamldoc_error(&y->d, at, "servo %s: %s %d is %d on the wire (trim %d%s), "
                                         "outside %d..%d", s->name, i ? "max" : "min", p,
                                         model_wire(s, p), s->trim,
                                         s->invert ? ", inverted" : "", s->wire_min,
                                         s->wire_max);
                        return false;
                }
        }
        return true;
}

static void model_yaml_servo(struct model_yaml *y, const yaml_node_t *servos,
                             const yaml_node_pair_t *pair)
{
        const char *name = yamldoc_name(&y->d, servos, pair, "servo");
        const yaml_node_t *key = yamldoc_node(&y->d, pair->key);
        const yaml_node_t *n = yamldoc_node(&y->d, pair->value);
        const struct profile *p = y->model->profile;
        long v[_FIELD_MAX] = {
                [FIELD_MIN] = p->position_min, [FIELD_MAX] = p->position_max,
                [FIELD_HOME] = (p->position_min + p->position_max) / 2,
        };
        bool set[_FIELD_MAX] = { false };
        struct model_servo s, *slot;

        if (!name || !yamldoc_mapping(&y->d, n, "a servo") ||
            !model_yaml_servo_fields(y, name, key, n, v, set))
                return;
        s = (struct model_servo) {
                .min = (int) v[FIELD_MIN], .max = (int) v[FIELD_MAX], .home = (int) v[FIELD_HOME],
                .trim = (int) v[FIELD_TRIM], .invert = v[FIELD_INVERT] != 0,
                .max_speed = (unsigned) v[FIELD_SPEED], .line = (unsigned) key->start_mark.line + 1,
                .wire_min = p->position_min, .wire_max = p->position_max,
        };
        strcpy(s.name, name);
        slot = &y->model->servos[v[FIELD_ID]];
        if (slot->name[0]) {
                yamldoc_error(&y->d, key, "servo %s: id %ld is also servo %s (line %u)", name,
                                 v[FIELD_ID], slot->name, slot->line);
                return;
        }
        if (model_yaml_servo_check(y, key, &s, set[FIELD_HOME]))
                *slot = s;
}

/* A servo of a pose, by name or id: its id, or 0 after reporting. */
static unsigned model_yaml_pose_servo(struct model_yaml *y, const char *pose, const yaml_node_t *key)
{
        const char *ref = yamldoc_scalar(key);
        unsigned id = ref ? model_servo_id(y->model, ref) : 0;
        char quoted[YAMLDOC_QUOTED_SIZE];

        if (id)
                return id;
        if (ref && ref[0] >= '0' && ref[0] <= '9') {
                char what[96];

                snprintf(what, sizeof(what), "pose %s: servo id", pose);
                return yamldoc_servo_id(&y->d, key, what, &id) ? id : 0;
        }
        yamldoc_error(&y->d, key, "pose %s: no servo is named \"%s\"", pose,
                      yamldoc_quote(quoted, ref ? ref : ""));
        return 0;
}

static bool model_yaml_pose_target(struct model_yaml *y, struct model_pose *p,
                                   const yaml_node_pair_t *pair)
{
        const yaml_node_t *key = yamldoc_node(&y->d, pair->key);
        unsigned id = model_yaml_pose_servo(y, p->name, key);
        const struct model_servo *s = &y->model->servos[id];
        char what[128];
        long position;

        if (!id)
                return false;
        for (size_t i = 0; i < p->n; i++)
                if (p->targets[i].id == id) {
                        yamldoc_error(&y->d, key, "pose %s: servo %u appears twice", p->name, id);
                        return false;
                }
        snprintf(what, sizeof(what), "pose %s: servo %s%s%u", p->name, s->name,
                 s->name[0] ? " (id " : "", id);
        if (s->name[0])
                strcat(what, ")");
        if (!yamldoc_int(&y->d, yamldoc_node(&y->d, pair->value), what, s->min, s->max, &position))
                return false;
        p->targets[p->n++] = (struct model_target) { .id = id, .position = (int) position };
        return true;
}

static void model_yaml_pose(struct model_yaml *y, const yaml_node_t *poses,
                            const yaml_node_pair_t *pair)
{
        const char *name = yamldoc_name(&y->d, poses, pair, "pose");
        const yaml_node_t *n = yamldoc_node(&y->d, pair->value);
        struct model_pose p = { .n = 0 };
        bool ok = true;

        if (!name || !yamldoc_mapping(&y->d, n, "a pose"))
                return;
        strcpy(p.name, name);
        YAMLDOC_FOREACH(target, n)
                ok = model_yaml_pose_target(y, &p, target) && ok;
        if (ok && p.n == 0) {
                yamldoc_error(&y->d, n, "pose %s names no servo", name);
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
        const char *name = yamldoc_name(&y->d, groups, pair, "group");
        char what[96];
        long number;

        if (!name)
                return;
        if (strcmp(name, "all") == 0) {
                yamldoc_error(&y->d, yamldoc_node(&y->d, pair->key), "group name \"all\" is "
                              "reserved: group.speed's \"all\" is every group");
                return;
        }
        snprintf(what, sizeof(what), "group %s", name);
        if (!yamldoc_int(&y->d, yamldoc_node(&y->d, pair->value), what, 0, LSC_GROUP_MAX, &number))
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
        size_t max;                     /* entries; checking names is quadratic */
} model_yaml_sections[] = {
        { "servos", model_yaml_servo, LSC_SERVO_ID_MAX },
        { "poses", model_yaml_pose, MODEL_POSES_MAX },
        { "groups", model_yaml_group, LSC_GROUP_MAX + 1 },
};

#define MODEL_YAML_N_SECTIONS (sizeof(model_yaml_sections) / sizeof(model_yaml_sections[0]))

/* The board's profile, "board: lsc|bus" (read before the servos, whose
 * units it sets): the model is made for it. */
static void model_yaml_board(struct model_yaml *y, const yaml_node_t *value)
{
        const char *name = yamldoc_scalar(value);
        const struct profile *p = name ? profile_find(name) : NULL;
        char quoted[YAMLDOC_QUOTED_SIZE];

        if (!p) {
                yamldoc_error(&y->d, value, "board must be one of " PROFILE_NAMES ", not \"%s\"",
                              yamldoc_quote(quoted, name ? name : ""));
                return;
        }
        model_free(y->model);
        y->model = model_new(p);
}

static void model_yaml_root(struct model_yaml *y, const yaml_node_t *root)
{
        const yaml_node_t *sections[MODEL_YAML_N_SECTIONS] = { NULL };
        char quoted[YAMLDOC_QUOTED_SIZE];
        bool board = false;

        if (!yamldoc_mapping(&y->d, root, "the robot file"))
                return;
        YAMLDOC_FOREACH(pair, root) {
                const yaml_node_t *key = yamldoc_node(&y->d, pair->key);
                const char *name = yamldoc_scalar(key);
                size_t i = 0;

                if (name && strcmp(name, "board") == 0) {
                        if (board)
                                yamldoc_error(&y->d, key, "board appears twice");
                        else
                                model_yaml_board(y, yamldoc_node(&y->d, pair->value));
                        board = true;
                        continue;
                }
                while (i < MODEL_YAML_N_SECTIONS && !(name && strcmp(name, model_yaml_sections[i].name) == 0))
                        i++;
                if (i == MODEL_YAML_N_SECTIONS)
                        yamldoc_error(&y->d, key, "unknown section \"%s\" (known: board, servos, "
                                         "poses, groups)", yamldoc_quote(quoted, name ? name : ""));
                else if (sections[i])
                        yamldoc_error(&y->d, key, "section %s appears twice", name);
                else
                        sections[i] = yamldoc_node(&y->d, pair->value);
        }
        for (size_t i = 0; i < MODEL_YAML_N_SECTIONS; i++) {
                const yaml_node_t *section = sections[i];

                /* "poses:" with nothing after it is an empty section. */
                if (!section || (yamldoc_scalar(section) && section->data.scalar.length == 0))
                        continue;
                if (!yamldoc_mapping(&y->d, section, model_yaml_sections[i].name))
                        continue;
                if ((size_t) (section->data.mapping.pairs.top - section->data.mapping.pairs.start) >
                    model_yaml_sections[i].max) {
                        yamldoc_error(&y->d, section, "%s: more than %zu entries",
                                      model_yaml_sections[i].name, model_yaml_sections[i].max);
                        continue;
                }
                YAMLDOC_FOREACH(pair, section)
                        model_yaml_sections[i].entry(y, section, pair);
        }
}

int model_parse(const char *text, size_t len, const char *file, const struct profile *board,
                struct model **ret, char **errors)
{
        struct model_yaml y = { .d.file = file, .model = model_new(board) };
        const yaml_node_t *root;

        if (yamldoc_load(&y.d, text, len)) {
                root = yaml_document_get_root_node(&y.d.doc);
                /* An empty file is a robot without names. */
                if (root && !(yamldoc_scalar(root) && root->data.scalar.length == 0))
                        model_yaml_root(&y, root);
                yaml_document_delete(&y.d.doc);
        }
        *ret = NULL;
        *errors = NULL;
        if (y.d.errors) {
                model_free(y.model);
                *errors = y.d.errors;
                return -EINVAL;
        }
        model_add_home(y.model);
        y.model->path = mem_strdup(file);
        *ret = y.model;
        return 0;
}

int model_load(const char *path, const struct profile *board, struct model **ret, char **errors)
{
        char *text = NULL;
        size_t len = 0;
        int r = yamldoc_read(path, MODEL_FILE_MAX, &text, &len);

        if (r < 0) {
                *ret = NULL;
                *errors = yamldoc_read_error(path, MODEL_FILE_MAX, r);
                return r;
        }
        r = model_parse(text, len, path, board, ret, errors);
        free(text);
        return r;
}

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "sequence-yaml.h"
#include "yamldoc-robot.h"

/* How step I's errors name target T, after WHAT's "step I: " (PREFIX
 * bytes): its name, "servo ID", or "servo" when its key is neither (the
 * key's text, which the file chose, never goes into an error unquoted).
 * Built for every target, so no printf but for an id. */
static void sequence_yaml_label(char *what, size_t size, size_t prefix,
                                const struct servos_spec *t)
{
        if (t->name[0])
                snprintf(what + prefix, size - prefix, "%s", t->name);
        else if (t->id)
                snprintf(what + prefix, size - prefix, "servo %u", t->id);
        else
                snprintf(what + prefix, size - prefix, "servo");
}

/* The targets of a step's "servos": name or id to position. */
static bool sequence_yaml_targets(struct yamldoc *y, size_t i, const yaml_node_t *n,
                                  struct sequence_step *st)
{
        char what[64];
        size_t prefix = (size_t) snprintf(what, sizeof(what), "step %zu: ", i);
        bool ok = true;

        strcpy(what + prefix, "servos");
        if (!yamldoc_mapping(y, n, what))
                return false;
        YAMLDOC_FOREACH(pair, n) {
                const yaml_node_t *key = yamldoc_node(y, pair->key);
                const char *ref = yamldoc_scalar(key);
                struct servos_spec *t = &st->targets[st->n];
                long v = 0;

                if (st->n == LSC_MOVE_MAX_SERVOS) {
                        yamldoc_error(y, key, "step %zu: more than %d servos", i, LSC_MOVE_MAX_SERVOS);
                        return false;
                }
                *t = (struct servos_spec) { .id = 0 };
                if (ref && ref[0] >= '0' && ref[0] <= '9') {
                        strcpy(what + prefix, "servo id");
                        ok = yamldoc_servo_id(y, key, what, &t->id) && ok;
                } else {
                        const char *name;

                        strcpy(what + prefix, "servo");
                        name = yamldoc_name(y, n, pair, what);
                        ok = name && ok;
                        if (name)
                                strcpy(t->name, name);
                }
                /* Any board's positions; planning checks the robot's. */
                sequence_yaml_label(what, sizeof(what), prefix, t);
                ok = yamldoc_int(y, yamldoc_node(y, pair->value), what, LSC_BUS_POSITION_MIN,
                                 LSC_POSITION_MAX, &v) && ok;
                t->value = (int) v;
                st->n++;
        }
        if (ok && st->n == 0) {
                yamldoc_error(y, n, "step %zu: servos names no servo", i);
                ok = false;
        }
        return ok;
}

/* One field of a step; false after an error. */
static bool sequence_yaml_field(struct yamldoc *y, size_t i, const char *field,
                                const yaml_node_t *key, const yaml_node_t *value,
                                struct sequence_step *st)
{
        char what[64], quoted[YAMLDOC_QUOTED_SIZE];
        long v;

        snprintf(what, sizeof(what), "step %zu: %s", i, field);
        if (strcmp(field, "pose") == 0) {
                const char *name = yamldoc_scalar(value);

                if (!name || !model_name_valid(name)) {
                        yamldoc_error(y, value, "%s must be a pose's name", what);
                        return false;
                }
                strcpy(st->pose, name);
                return true;
        }
        if (strcmp(field, "servos") == 0)
                return sequence_yaml_targets(y, i, value, st);
        if (strcmp(field, "time_ms") == 0 || strcmp(field, "hold_ms") == 0) {
                bool hold = field[0] == 'h';

                if (!yamldoc_int(y, value, what, 0, hold ? SEQUENCE_HOLD_MAX : LSC_TIME_MAX, &v))
                        return false;
                *(hold ? &st->hold_ms : &st->time_ms) = (unsigned) v;
                return true;
        }
        yamldoc_error(y, key, "step %zu: unknown field \"%s\" (known: pose, servos, time_ms, "
                      "hold_ms)", i, yamldoc_quote(quoted, field));
        return false;
}

enum { SEQUENCE_YAML_POSE, SEQUENCE_YAML_SERVOS, SEQUENCE_YAML_TIME, SEQUENCE_YAML_HOLD };

/* The index of FIELD among a step's fields, or -1 for none of them. */
static int sequence_yaml_field_index(const char *field)
{
        static const char *const fields[] = {
                [SEQUENCE_YAML_POSE] = "pose", [SEQUENCE_YAML_SERVOS] = "servos",
                [SEQUENCE_YAML_TIME] = "time_ms", [SEQUENCE_YAML_HOLD] = "hold_ms",
        };

        for (size_t f = 0; f < sizeof(fields) / sizeof(fields[0]); f++)
                if (field && strcmp(field, fields[f]) == 0)
                        return (int) f;
        return -1;
}

static bool sequence_yaml_step(struct yamldoc *y, size_t i, const yaml_node_t *n,
                               struct sequence_step *st)
{
        char what[32];
        bool ok = true, has_time;
        unsigned seen = 0;      /* bit F: field F was given */

        snprintf(what, sizeof(what), "step %zu", i);
        /* Not the whole step: its targets past n are never read, and
         * zeroing them would write 1.4 KB a step. */
        st->pose[0] = '\0';
        st->n = 0;
        st->time_ms = st->hold_ms = 0;
        st->line = (unsigned) n->start_mark.line + 1;
        if (!yamldoc_mapping(y, n, what))
                return false;
        YAMLDOC_FOREACH(pair, n) {
                const yaml_node_t *key = yamldoc_node(y, pair->key);
                const char *field = yamldoc_scalar(key);
                int f = sequence_yaml_field_index(field);

                if (f >= 0 && (seen & 1u << f)) {
                        yamldoc_error(y, key, "step %zu: field \"%s\" appears twice", i, field);
                        ok = false;
                        continue;
                }
                if (f >= 0)
                        seen |= 1u << f;
                ok = sequence_yaml_field(y, i, field ? field : "", key,
                                         yamldoc_node(y, pair->value), st) && ok;
        }
        has_time = seen & 1u << SEQUENCE_YAML_TIME;
        if (ok && !has_time)
                yamldoc_error(y, n, "step %zu needs time_ms", i);
        if (ok && (st->pose[0] != '\0') == (st->n > 0))
                yamldoc_error(y, n, "step %zu needs a pose or servos, not both", i);
        return ok && has_time && (st->pose[0] != '\0') != (st->n > 0);
}

static void sequence_yaml_root(struct yamldoc *y, const yaml_node_t *root, struct sequence *seq)
{
        const yaml_node_t *steps = NULL;
        char quoted[YAMLDOC_QUOTED_SIZE];

        if (!yamldoc_mapping(y, root, "a sequence file"))
                return;
        YAMLDOC_FOREACH(pair, root) {
                const yaml_node_t *key = yamldoc_node(y, pair->key);
                const char *name = yamldoc_scalar(key);

                if (!name || strcmp(name, "steps") != 0 || steps)
                        yamldoc_error(y, key, "unknown or repeated section \"%s\" (a sequence "
                                      "file has steps)", yamldoc_quote(quoted, name ? name : ""));
                else
                        steps = yamldoc_node(y, pair->value);
        }
        if (!steps || steps->type != YAML_SEQUENCE_NODE ||
            steps->data.sequence.items.top == steps->data.sequence.items.start) {
                yamldoc_error(y, steps ? steps : root, "steps must be a list of 1 to %d steps",
                              SEQUENCE_STEPS_MAX);
                return;
        }
        seq->n_steps = (size_t) (steps->data.sequence.items.top - steps->data.sequence.items.start);
        if (seq->n_steps > SEQUENCE_STEPS_MAX) {
                yamldoc_error(y, steps, "more than %d steps", SEQUENCE_STEPS_MAX);
                seq->n_steps = 0;
                return;
        }
        seq->steps = mem_realloc_array(NULL, seq->n_steps, sizeof(*seq->steps));
        for (size_t i = 0; i < seq->n_steps; i++)
                sequence_yaml_step(y, i, yamldoc_node(y, steps->data.sequence.items.start[i]),
                                   &seq->steps[i]);
}

int sequence_parse(const char *text, size_t len, const char *file, const char *name,
                   struct sequence **ret, char **errors)
{
        struct yamldoc y = { .file = file };
        struct sequence *seq = mem_new0(struct sequence);
        const yaml_node_t *root;

        snprintf(seq->name, sizeof(seq->name), "%s", name);
        if (yamldoc_load(&y, text, len)) {
                root = yaml_document_get_root_node(&y.doc);
                if (root)
                        sequence_yaml_root(&y, root, seq);
                else
                        yamldoc_error(&y, NULL, "the file is empty: a sequence needs steps");
                yaml_document_delete(&y.doc);
        }
        *ret = NULL;
        *errors = y.errors;
        if (y.errors) {
                sequence_free(seq);
                return -EINVAL;
        }
        *ret = seq;
        return 0;
}

int sequence_load(const char *path, struct sequence **ret, char **errors)
{
        char *text = NULL, *copy = mem_strdup(path), *base = basename(copy), *dot;
        size_t len = 0;
        int r = yamldoc_read(path, SEQUENCE_FILE_MAX, &text, &len);

        dot = strrchr(base, '.');
        if (dot)
                *dot = '\0';
        if (r < 0) {
                *ret = NULL;
                *errors = yamldoc_read_error(path, SEQUENCE_FILE_MAX, r);
        } else {
                r = sequence_parse(text, len, path, base, ret, errors);
        }
        if (r == 0)
                (*ret)->path = mem_strdup(path);
        free(text);
        free(copy);
        return r;
}

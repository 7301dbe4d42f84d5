/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "yamldoc-robot.h"

bool yamldoc_servo_id(struct yamldoc *y, const yaml_node_t *key, const char *what, unsigned *ret)
{
        const char *text = yamldoc_scalar(key);
        char *end;
        long v = text ? strtol(text, &end, 10) : 0;

        if (text && text[0] >= '0' && text[0] <= '9' && *end == '\0' &&
            v >= LSC_SERVO_ID_MIN && v <= LSC_SERVO_ID_MAX) {
                *ret = (unsigned) v;
                return true;
        }
        yamldoc_error(y, key, "%s must be a servo id from %d to %d, or a servo's name", what,
                      LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX);
        return false;
}

/* The key of PAIR as a name: a scalar that is an identifier, not seen in
 * PAIRS before PAIR. NULL after reporting the error. */
const char *yamldoc_name(struct yamldoc *y, const yaml_node_t *mapping,
                                   const yaml_node_pair_t *pair, const char *what)
{
        const yaml_node_t *key = yamldoc_node(y, pair->key);
        const char *name = yamldoc_scalar(key);
        char quoted[YAMLDOC_QUOTED_SIZE];

        if (!name || strlen(name) != key->data.scalar.length || !model_name_valid(name)) {
                yamldoc_error(y, key, "%s name \"%s\" is not an identifier "
                                 "([A-Za-z_][A-Za-z0-9_]*, at most %d bytes)", what,
                                 yamldoc_quote(quoted, name ? name : ""), MODEL_NAME_MAX);
                return NULL;
        }
        for (const yaml_node_pair_t *p = mapping->data.mapping.pairs.start; p < pair; p++) {
                const char *other = yamldoc_scalar(yamldoc_node(y, p->key));

                if (other && strcmp(other, name) == 0) {
                        yamldoc_error(y, key, "%s \"%s\" appears twice (first on line %lu)",
                                         what, name,
                                         (unsigned long) yamldoc_node(y, p->key)->start_mark.line + 1);
                        return NULL;
                }
        }
        return name;
}

/* SPDX-License-Identifier: MIT */
/*
 * yamldoc-robot.h: what lscd's own YAML files (the robot file, sequence
 * files) read beyond common/yamldoc.h: servo ids and names.
 */
#ifndef LSCD_YAMLDOC_ROBOT_H
#define LSCD_YAMLDOC_ROBOT_H

#include "yamldoc.h"

/* A key that is a servo id, plain or quoted (JSON keys are strings). */
bool yamldoc_servo_id(struct yamldoc *y, const yaml_node_t *key, const char *what, unsigned *ret);
/* The key of PAIR of MAPPING as a name (model_name_valid), not seen
 * before PAIR; NULL after the error. */
const char *yamldoc_name(struct yamldoc *y, const yaml_node_t *mapping,
                         const yaml_node_pair_t *pair, const char *what);

#endif

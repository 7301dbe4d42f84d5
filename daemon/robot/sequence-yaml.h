/* SPDX-License-Identifier: MIT */
/*
 * sequence-yaml.h: a sequence file (YAML, see lscd-robot(5)) into a
 * sequence, its shape checked: steps of a pose or servo targets, time_ms
 * and hold_ms. Names are checked against the robot model later, when the
 * sequence is played (sequence_plan). sequence_parse() is pure.
 *
 *   steps:
 *     - {pose: rest, time_ms: 1000, hold_ms: 500}
 *     - {servos: {shoulder: 1200, 3: 1500}, time_ms: 800}
 */
#ifndef LSCD_SEQUENCE_YAML_H
#define LSCD_SEQUENCE_YAML_H

#include <stddef.h>

#include "sequence.h"

#define SEQUENCE_FILE_MAX (256 * 1024)          /* bytes of a sequence file (lscd-robot(5)) */

/* Parse TEXT (LEN bytes, named FILE in errors) into *RET (named NAME):
 * 0, or -EINVAL with *errors, one "FILE:LINE: what" per line. */
int sequence_parse(const char *text, size_t len, const char *file, const char *name,
                   struct sequence **ret, char **errors);
/* Read and parse PATH; the sequence is named after its file (NAME.yaml). */
int sequence_load(const char *path, struct sequence **ret, char **errors);

#endif

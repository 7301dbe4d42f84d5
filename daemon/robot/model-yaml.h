/* SPDX-License-Identifier: MIT */
/*
 * model-yaml.h: the robot file (YAML, through libyaml) into a model, with
 * every error as "FILE:LINE: what is wrong". model_parse() is pure (text
 * in, model out), so that the unit tests and the fuzz target drive all of
 * it; model_load() only reads the file first.
 */
#ifndef LSCD_MODEL_YAML_H
#define LSCD_MODEL_YAML_H

#include <stddef.h>

#include "model.h"

#define MODEL_FILE_MAX (1024 * 1024)    /* bytes of a robot file */

/* Parse TEXT (LEN bytes, from FILE, which names it in errors), for BOARD
 * unless the file names its own "board". Returns 0 with *ret set, or
 * -EINVAL with *errors set to one error per line (free it). Either way
 * only one of them is set. */
int model_parse(const char *text, size_t len, const char *file, const struct profile *board,
                struct model **ret, char **errors);
/* Read and parse PATH; a file that cannot be read is an error too. */
int model_load(const char *path, const struct profile *board, struct model **ret,
               char **errors);

#endif

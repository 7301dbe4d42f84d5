/* SPDX-License-Identifier: MIT */
/*
 * yamldoc.h: what the YAML files of lscd and its programs (the robot file,
 * sequence files, lscd-mqtt's configuration) share: one document loaded
 * with libyaml, typed scalars, and errors as "FILE:LINE: what is wrong",
 * collected rather than stopping at the first. The robot's own names and
 * servo ids are in daemon/robot/yamldoc-robot.h.
 */
#ifndef LSCD_YAMLDOC_H
#define LSCD_YAMLDOC_H

#include <stdbool.h>
#include <stddef.h>
#include <yaml.h>

#define YAMLDOC_ERRORS_MAX 20           /* errors reported, then "more errors" */
#define YAMLDOC_QUOTE_MAX 40            /* bytes of the file's text quoted in an error */
#define YAMLDOC_QUOTED_SIZE (4 * YAMLDOC_QUOTE_MAX + 1)

/* One file being read. Invariant: errors holds n_errors lines (at most
 * YAMLDOC_ERRORS_MAX, then one "more errors not shown"), NULL for none. */
struct yamldoc {
        yaml_document_t doc;
        const char *file;
        char *errors;
        size_t n_errors;
};

#define YAMLDOC_FOREACH(pair, node) \
        for (const yaml_node_pair_t *pair = (node)->data.mapping.pairs.start; \
             pair < (node)->data.mapping.pairs.top; pair++)

void yamldoc_error(struct yamldoc *y, const yaml_node_t *at, const char *format, ...)
        __attribute__((format(printf, 3, 4)));

/* TEXT of the file as an error quotes it, in OUT: at most YAMLDOC_QUOTE_MAX
 * bytes, not cutting a UTF-8 character (libyaml's text is valid UTF-8),
 * with each control character, quote and backslash as \xNN, so that an
 * error stays one line of UTF-8 that the file cannot forge. */
const char *yamldoc_quote(char out[YAMLDOC_QUOTED_SIZE], const char *text);

yaml_node_t *yamldoc_node(struct yamldoc *y, int index);
/* The text of a scalar node, or NULL for another node. */
const char *yamldoc_scalar(const yaml_node_t *n);
/* An integer scalar within MIN..MAX, or false after an error naming WHAT. */
bool yamldoc_int(struct yamldoc *y, const yaml_node_t *n, const char *what, long min, long max,
                 long *ret);
bool yamldoc_bool(struct yamldoc *y, const yaml_node_t *n, const char *what, bool *ret);
/* Whether N is a mapping; false after an error naming WHAT. */
bool yamldoc_mapping(struct yamldoc *y, const yaml_node_t *n, const char *what);
/* Load the one document of TEXT into y->doc: false after the error
 * (syntax, or a second document). yaml_document_delete() it when true. */
bool yamldoc_load(struct yamldoc *y, const char *text, size_t len);
/* Read PATH whole, at most MAX bytes: 0, -EFBIG or -errno. */
int yamldoc_read(const char *path, size_t max, char **text, size_t *len);
/* "PATH: why it cannot be read\n" for the error of yamldoc_read(). */
char *yamldoc_read_error(const char *path, size_t max, int error);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * fuzz-yamldoc.h: what the targets of lscd's YAML files (yamldoc.c) check
 * of a refused file: its error text, as yamldoc.h promises it.
 */
#ifndef LSCD_FUZZ_YAMLDOC_H
#define LSCD_FUZZ_YAMLDOC_H

#include <stddef.h>
#include <stdint.h>

/* At least as many lines as libyaml can count in DATA: one, plus one for
 * each byte that ends or may end a line (LF, CR, and the last byte of NEL,
 * LS and PS). */
unsigned long fuzz_yamldoc_lines(const uint8_t *data, size_t size);

/* ERRORS, of a file named FILE that has at most LINES lines: 1 to
 * YAMLDOC_ERRORS_MAX + 1 lines, each "FILE:N: MESSAGE" with N from 1 to
 * LINES + 1 (libyaml's end of a file that does not end with a line break
 * is on the next line), except that line YAMLDOC_ERRORS_MAX + 1 may be
 * "FILE: more errors not shown"; no control character in any line, and
 * the text UTF-8 (lscd sends it in JSON). */
void fuzz_yamldoc_check_errors(const char *errors, const char *file, unsigned long lines);

#endif

/* SPDX-License-Identifier: MIT */
/* replace.h: write a file whole, so that a reader sees the old or the new,
 * and make the directories it goes in. */
#ifndef LSC_REPLACE_H
#define LSC_REPLACE_H

#include <stddef.h>

/* Write LEN bytes of TEXT to PATH.tmp (mode 0644) and rename it over PATH.
 * Returns 0 or a negative errno; the temporary file is removed on failure. */
int replace_file(const char *path, const char *text, size_t len);

/* mkdir -p DIR, mode 0755: 0 or a negative errno. */
int replace_mkdirs(const char *dir);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * number.h: numbers from command lines, strictly.
 */
#ifndef LSC_NUMBER_H
#define LSC_NUMBER_H

/* An unsigned number within MIN..MAX in BASE (0: 0x.., 0..), digits only:
 * no sign, no blanks, nothing after. 0, or -EINVAL. */
int number_parse(const char *text, int base, unsigned long min, unsigned long max,
                 unsigned long *ret);

#endif

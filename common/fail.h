/* SPDX-License-Identifier: MIT */
/*
 * fail.h: an error to answer a request with: the protocol's code, the
 * argument at fault ("" for none) and a message. Pure layers (request
 * parsing, the robot model) fill it in; the protocol layer answers it.
 */
#ifndef LSC_FAIL_H
#define LSC_FAIL_H

#include "lsc/protocol.h"

struct fail {
        enum lsc_errcode code;
        char field[64];         /* "" unless an argument is at fault */
        char message[256];
};

/* Fill in F; FIELD may be NULL. Returns -EINVAL, for "return fail(...)". */
int fail(struct fail *f, enum lsc_errcode code, const char *field, const char *format, ...)
        __attribute__((format(printf, 4, 5)));

#endif

/* SPDX-License-Identifier: MIT */
/*
 * frame-check.h: frames for unit tests, decoded from their bytes as lscd
 * and lsc-sim decode them.
 */
#ifndef LSCD_FRAME_CHECK_H
#define LSCD_FRAME_CHECK_H

#include <check.h>
#include <lsc/frame.h>

/* Decode exactly one frame from BYTES, N of them. */
static inline struct lsc_frame frame_check_decode(const uint8_t *bytes, size_t n)
{
        struct lsc_decoder d;
        struct lsc_frame f;
        const uint8_t *p = bytes;

        lsc_decoder_init(&d);
        ck_assert_int_eq(lsc_decoder_next(&d, &p, &n, &f), 1);
        ck_assert_uint_eq(n, 0);
        return f;
}

#endif

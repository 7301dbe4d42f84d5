/* SPDX-License-Identifier: MIT */
/* check-tap.h: the older name of lscd-check.h, still used by
 * test-sim-board.c; new tests include lscd-check.h directly. */
#ifndef LSC_CHECK_TAP_H
#define LSC_CHECK_TAP_H

#include "lscd-check.h"

static inline int check_tap_run(Suite *s)
{
        return lscd_check_run(s);
}

#endif

/* SPDX-License-Identifier: MIT */
/* check-tap.h: run a Check suite with TAP output, the way every unit test
 * of the tree reports; returns the process exit status. */
#ifndef LSC_CHECK_TAP_H
#define LSC_CHECK_TAP_H

#include <check.h>
#include <stdlib.h>

static inline int check_tap_run(Suite *s)
{
        SRunner *sr = srunner_create(s);
        int failed;

        srunner_set_tap(sr, "-");
        srunner_run_all(sr, CK_SILENT);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif

/* SPDX-License-Identifier: MIT */
/*
 * lscd-check.h: the shared main() of lscd's Check unit tests: run one
 * suite, print TAP on stdout, exit non-zero when a test failed.
 */
#ifndef LSCD_CHECK_H
#define LSCD_CHECK_H

#include <check.h>
#include <stdlib.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline int lscd_check_run(Suite *s)
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

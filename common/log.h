/* SPDX-License-Identifier: MIT */
/*
 * log.h: lscd's logging. One line per message on stderr, prefixed with the
 * sd-daemon priority ("<3>"), so that journald keeps each line's level.
 * Messages below the configured level are dropped before formatting.
 */
#ifndef LSCD_LOG_H
#define LSCD_LOG_H

#include <syslog.h>

/* Set the most verbose priority still printed (LOG_ERR .. LOG_DEBUG). */
void log_set_max_level(int level);

/* "err", "warning", "notice", "info", "debug" (or 3..7) -> priority;
 * -EINVAL for anything else. */
int log_level_from_string(const char *text);

/* Print one message; returns -ERROR when ERROR != 0, so a caller can write
 * "return log_error_errno(r, ...)". %m is not available: use ERROR. */
int log_full_errno(int priority, int error, const char *format, ...)
        __attribute__((format(printf, 3, 4)));

#define log_full(p, ...)            log_full_errno((p), 0, __VA_ARGS__)
#define log_debug(...)              log_full(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)               log_full(LOG_INFO, __VA_ARGS__)
#define log_notice(...)             log_full(LOG_NOTICE, __VA_ARGS__)
#define log_warning(...)            log_full(LOG_WARNING, __VA_ARGS__)
#define log_error(...)              log_full(LOG_ERR, __VA_ARGS__)
#define log_warning_errno(e, ...)   log_full_errno(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...)     log_full_errno(LOG_ERR, (e), __VA_ARGS__)
#define log_debug_errno(e, ...)     log_full_errno(LOG_DEBUG, (e), __VA_ARGS__)

#endif

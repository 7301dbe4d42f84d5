/* SPDX-License-Identifier: MIT */
/*
 * log.h: lscd's logging. One line per message on stderr, prefixed with the
 * sd-daemon priority ("<3>"), so that journald keeps each line's level.
 * Messages below the configured level are dropped before formatting.
 * Every message is escaped as a whole (log_escape()), so that a client's
 * string in it can neither start a line nor reach a terminal raw.
 */
#ifndef LSCD_LOG_H
#define LSCD_LOG_H

#include <stddef.h>
#include <syslog.h>

/* Set the most verbose priority still printed (LOG_ERR .. LOG_DEBUG). */
void log_set_max_level(int level);

/* "err", "warning", "notice", "info", "debug" (or 3..7) -> priority;
 * -EINVAL for anything else. */
int log_level_from_string(const char *text);

/*
 * Copy text into out (size >= 1 bytes, always NUL-terminated) as it may
 * appear in a log line: \n, \r, \t and \\ as in C; other control
 * characters (C0, DEL, and the C1 range U+0080..U+009F), bytes that are not
 * valid UTF-8, and a '<' at the start (it could be read as a priority
 * prefix) as \xNN; anything else, valid UTF-8 included, as it is. Stops
 * before an escape or character that does not fit whole. Returns the
 * length written. An escape is at most 4 bytes per byte of text.
 */
size_t log_escape(char *out, size_t size, const char *text);

/* Print one message; returns -ERROR when ERROR != 0, so a caller can write
 * "return log_error_errno(r, ...)". %m is not available: use ERROR. */
int log_full_errno(int priority, int error, const char *format, ...)
        __attribute__((format(printf, 3, 4)));

/* Log each line of TEXT (newline-separated) as its own message. */
void log_lines(int priority, const char *text);

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

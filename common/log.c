/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* The longest message; its escaped form is at most 4 times as long. */
#define LOG_MESSAGE_MAX 1024

static int log_max_level = LOG_INFO;

void log_set_max_level(int level)
{
        log_max_level = level;
}

int log_level_from_string(const char *text)
{
        static const char *const names[] = {
                [LOG_ERR] = "err", [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
                [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
        };

        for (int i = LOG_ERR; i <= LOG_DEBUG; i++)
                if (names[i] && strcmp(text, names[i]) == 0)
                        return i;
        if (strcmp(text, "error") == 0)
                return LOG_ERR;
        if (text[0] >= '0' + LOG_ERR && text[0] <= '0' + LOG_DEBUG && text[1] == '\0')
                return text[0] - '0';
        return -EINVAL;
}

/* Length of the UTF-8 character at s (2 to 4 bytes), or 0 when s does not
 * start a valid one (overlong, surrogate, beyond U+10FFFF, cut short) or
 * starts a C1 control character (U+0080..U+009F). */
static size_t log_utf8_length(const unsigned char *s)
{
        static const uint32_t least[] = { 0, 0, 0xA0, 0x800, 0x10000 };
        size_t n = s[0] >= 0xF8 ? 0 : s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
        uint32_t c = s[0] & (0x7F >> n);

        if (n == 0)
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
                c = c << 6 | (s[i] & 0x3F);
        }
        if (c < least[n] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
                return 0;
        return n;
}

/* Write the form of byte c (not NUL, not in a valid UTF-8 character) into
 * piece: itself or an escape. first: c starts the message. Returns its
 * length (1, 2 or 4). */
static size_t log_escape_byte(unsigned char c, int first, char piece[4])
{
        static const char named[] = "\n\r\t\\", letters[] = "nrt\\";
        static const char hex[] = "0123456789abcdef";
        const char *p = strchr(named, c);

        if (p) {
                piece[0] = '\\';
                piece[1] = letters[p - named];
                return 2;
        }
        if (c >= 0x20 && c < 0x7F && !(first && c == '<')) {
                piece[0] = (char)c;
                return 1;
        }
        piece[0] = '\\';
        piece[1] = 'x';
        piece[2] = hex[c >> 4];
        piece[3] = hex[c & 0xF];
        return 4;
}

size_t log_escape(char *out, size_t size, const char *text)
{
        const unsigned char *s = (const unsigned char *)text;
        size_t o = 0;

        for (size_t i = 0; s[i];) {
                char piece[4];
                size_t n = log_utf8_length(s + i), len = n;

                if (n > 0) {
                        memcpy(piece, s + i, n);
                } else {
                        len = log_escape_byte(s[i], i == 0, piece);
                        n = 1;
                }
                if (o + len >= size)
                        break;
                memcpy(out + o, piece, len);
                o += len;
                i += n;
        }
        out[o] = '\0';
        return o;
}

int log_full_errno(int priority, int error, const char *format, ...)
{
        char message[LOG_MESSAGE_MAX], line[4 * LOG_MESSAGE_MAX];
        va_list ap;
        int saved = errno;

        error = abs(error);
        if (priority > log_max_level)
                return -error;

        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        log_escape(line, sizeof(line), message);
        if (error)
                fprintf(stderr, "<%d>%s: %s\n", priority, line, strerror(error));
        else
                fprintf(stderr, "<%d>%s\n", priority, line);
        errno = saved;
        return -error;
}

void log_lines(int priority, const char *text)
{
        for (const char *line = text; *line;) {
                size_t len = strcspn(line, "\n");

                log_full(priority, "%.*s", (int) len, line);
                line += len + (line[len] ? 1 : 0);
        }
}

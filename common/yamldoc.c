/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json.h"
#include "mem.h"
#include "yamldoc.h"

/* Append "FILE:LINE: MESSAGE", or "FILE: MESSAGE" for LINE 0. */
static void yamldoc_append(struct yamldoc *y, unsigned long line, const char *message)
{
        char at[24] = "";
        char *joined;

        if (line)
                snprintf(at, sizeof(at), ":%lu", line);
        joined = mem_printf("%s%s%s: %s\n", y->errors ? y->errors : "", y->file, at, message);
        free(y->errors);
        y->errors = joined;
}

void yamldoc_error(struct yamldoc *y, const yaml_node_t *at, const char *format, ...)
{
        /* Room for the longest message, with a name quoted whole. */
        char message[320];
        va_list ap;

        if (y->n_errors++ >= YAMLDOC_ERRORS_MAX) {
                if (y->n_errors == YAMLDOC_ERRORS_MAX + 1)
                        yamldoc_append(y, 0, "more errors not shown");
                return;
        }
        va_start(ap, format);
        vsnprintf(message, sizeof(message), format, ap);
        va_end(ap);
        yamldoc_append(y, at ? (unsigned long) at->start_mark.line + 1 : 1UL, message);
}

const char *yamldoc_quote(char out[YAMLDOC_QUOTED_SIZE], const char *text)
{
        int n = json_utf8_prefix(text, YAMLDOC_QUOTE_MAX);
        size_t o = 0;

        for (int i = 0; i < n; i++) {
                unsigned char c = (unsigned char) text[i];

                if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
                        o += (size_t) snprintf(out + o, YAMLDOC_QUOTED_SIZE - o, "\\x%02x", c);
                else
                        out[o++] = (char) c;
        }
        out[o] = '\0';
        return out;
}

yaml_node_t *yamldoc_node(struct yamldoc *y, int index)
{
        return yaml_document_get_node(&y->doc, index);
}

const char *yamldoc_scalar(const yaml_node_t *n)
{
        return n && n->type == YAML_SCALAR_NODE ? (const char *) n->data.scalar.value : NULL;
}

/* An integer scalar within MIN..MAX, or an error naming WHAT. */
bool yamldoc_int(struct yamldoc *y, const yaml_node_t *n, const char *what,
                 long min, long max, long *ret)
{
        const char *text = yamldoc_scalar(n);
        char *end;
        long v;

        if (text && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE && text[0] != '\0') {
                errno = 0;
                v = strtol(text, &end, 10);
                if (errno == 0 && *end == '\0' && strlen(text) == n->data.scalar.length &&
                    v >= min && v <= max) {
                        *ret = v;
                        return true;
                }
        }
        yamldoc_error(y, n, "%s must be an integer from %ld to %ld", what, min, max);
        return false;
}

bool yamldoc_bool(struct yamldoc *y, const yaml_node_t *n, const char *what,
                            bool *ret)
{
        const char *text = yamldoc_scalar(n);

        if (text && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)) {
                *ret = strcmp(text, "true") == 0;
                return true;
        }
        yamldoc_error(y, n, "%s must be true or false", what);
        return false;
}

bool yamldoc_mapping(struct yamldoc *y, const yaml_node_t *n, const char *what)
{
        if (n && n->type == YAML_MAPPING_NODE)
                return true;
        yamldoc_error(y, n, "%s must be a mapping", what);
        return false;
}

/* The line (from 0) of byte OFFSET of TEXT, LEN bytes of UTF-8, with the
 * breaks libyaml counts: LF, CR LF, CR, NEL, LS and PS. */
static size_t yamldoc_line_at(const char *text, size_t len, size_t offset)
{
        const unsigned char *p = (const unsigned char *) text;
        size_t line = 0;

        for (size_t i = 0; i < offset && i < len; i++)
                line += p[i] == '\n' || (p[i] == '\r' && (i + 1 == len || p[i + 1] != '\n')) ||
                        (i + 1 < len && p[i] == 0xc2 && p[i + 1] == 0x85) ||
                        (i + 2 < len && p[i] == 0xe2 && p[i + 1] == 0x80 &&
                         (p[i + 2] == 0xa8 || p[i + 2] == 0xa9));
        return line;
}

/* The parser's own error (syntax, encoding), with its line: the reader's
 * errors give an offset in TEXT instead of a mark. */
static void yamldoc_syntax(struct yamldoc *y, const yaml_parser_t *parser, const char *text,
                           size_t len)
{
        yaml_node_t at = { .start_mark = parser->problem_mark };

        if (parser->error == YAML_READER_ERROR)
                at.start_mark.line = yamldoc_line_at(text, len, parser->problem_offset);
        yamldoc_error(y, &at, "YAML: %s%s%s", parser->problem ? parser->problem : "error",
                         parser->context ? " " : "", parser->context ? parser->context : "");
}

/* Load the one document of TEXT into y->doc. */
bool yamldoc_load(struct yamldoc *y, const char *text, size_t len)
{
        yaml_parser_t parser;
        yaml_document_t extra;
        bool ok = false;

        if (!yaml_parser_initialize(&parser))
                mem_oom();
        yaml_parser_set_input_string(&parser, (const unsigned char *) text, len);
        if (!yaml_parser_load(&parser, &y->doc)) {
                yamldoc_syntax(y, &parser, text, len);
                yaml_parser_delete(&parser);
                return false;
        }
        if (!yaml_parser_load(&parser, &extra)) {
                yamldoc_syntax(y, &parser, text, len);
        } else {
                if (yaml_document_get_root_node(&extra))
                        yamldoc_error(y, yaml_document_get_root_node(&extra),
                                         "the file holds more than one YAML document");
                else
                        ok = true;
                yaml_document_delete(&extra);
        }
        if (!ok)
                yaml_document_delete(&y->doc);
        yaml_parser_delete(&parser);
        return ok;
}

/* Read PATH whole, at most max bytes. */
int yamldoc_read(const char *path, size_t max, char **text, size_t *len)
{
        char *buf = mem_alloc(max + 1);
        size_t n = 0;
        ssize_t r = 0;
        /* Never block on a FIFO or a device: they are no files to read. */
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;

        if (fd < 0) {
                free(buf);
                return -errno;
        }
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
                close(fd);
                free(buf);
                return (int) r;
        }
        while (n <= max && (r = read(fd, buf + n, max + 1 - n)) > 0)
                n += (size_t) r;
        r = r < 0 ? -errno : n > max ? -EFBIG : 0;
        close(fd);
        if (r < 0) {
                free(buf);
                return (int) r;
        }
        *text = buf;
        *len = n;
        return 0;
}

char *yamldoc_read_error(const char *path, size_t max, int error)
{
        if (error == -EFBIG)
                return mem_printf("%s: larger than %zu bytes\n", path, max);
        if (error == -EINVAL)
                return mem_printf("%s: not a regular file\n", path);
        return mem_printf("%s: cannot read: %s\n", path, strerror(-error));
}

/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"

int linebuf_init(struct linebuf *b, size_t limit)
{
        if (limit == 0)
                return -EINVAL;
        *b = (struct linebuf) { .limit = limit };
        return 0;
}

void linebuf_done(struct linebuf *b)
{
        free(b->data);
        *b = (struct linebuf) { 0 };
}

/* Double the buffer (or allocate the first one), never past the limit. */
static void linebuf_grow(struct linebuf *b)
{
        size_t size = b->size ? 2 * b->size : LINEBUF_FIRST;
        char *data;

        if (size > b->limit)
                size = b->limit;
        data = realloc(b->data, size);
        if (!data)
                return;
        b->data = data;
        b->size = size;
}

size_t linebuf_space(struct linebuf *b, char **ret)
{
        assert(b->head + b->scanned <= b->len && b->len <= b->size && b->size <= b->limit);
        if (b->head > 0) {
                memmove(b->data, b->data + b->head, b->len - b->head);
                b->len -= b->head;
                b->head = 0;
        }
        if (b->len == 0 && b->size > LINEBUF_KEEP) {
                free(b->data);
                b->data = NULL;
                b->size = 0;
        }
        if (b->len == b->size && b->size < b->limit)
                linebuf_grow(b);
        *ret = b->data ? b->data + b->len : NULL;
        return b->size - b->len;
}

void linebuf_commit(struct linebuf *b, size_t n)
{
        b->len += n;
}

int linebuf_take(struct linebuf *b, char **line, size_t *len)
{
        char *start, *nl;

        if (b->len == b->head)
                return 0;
        start = b->data + b->head;
        nl = memchr(start + b->scanned, '\n', b->len - b->head - b->scanned);

        if (!nl) {
                b->scanned = b->len - b->head;
                return b->scanned >= b->limit ? -EMSGSIZE : 0;
        }
        *nl = '\0';
        *line = start;
        *len = (size_t) (nl - start);
        b->head += *len + 1;
        b->scanned = 0;
        return 1;
}

int linebuf_next(struct linebuf *b, const char **line, size_t *len)
{
        char *text;
        int r = linebuf_take(b, &text, len);

        if (r > 0)
                *line = text;
        return r;
}

void linebuf_end(struct linebuf *b)
{
        char *space;

        if (linebuf_pending(b) > 0 && linebuf_space(b, &space) > 0) {
                *space = '\n';
                linebuf_commit(b, 1);
        }
}

size_t linebuf_pending(const struct linebuf *b)
{
        return b->len - b->head;
}

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "linebuf.h"

int linebuf_init(struct linebuf *b, size_t limit) {
        *b = (struct linebuf) { .limit = limit };
        b->data = malloc(limit);
        return b->data ? 0 : -ENOMEM;
}

void linebuf_done(struct linebuf *b) {
        free(b->data);
        *b = (struct linebuf) {};
}

size_t linebuf_space(struct linebuf *b, char **ret) {
        if (b->head > 0) {
                memmove(b->data, b->data + b->head, b->len - b->head);
                b->len -= b->head;
                b->head = 0;
        }
        *ret = b->data + b->len;
        return b->limit - b->len;
}

void linebuf_commit(struct linebuf *b, size_t n) {
        b->len += n;
}

int linebuf_next(struct linebuf *b, const char **line, size_t *len) {
        char *start = b->data + b->head;
        char *nl = memchr(start + b->scanned, '\n', b->len - b->head - b->scanned);

        if (!nl) {
                b->scanned = b->len - b->head;
                return b->scanned >= b->limit ? -EMSGSIZE : 0;
        }
        *line = start;
        *len = (size_t) (nl - start);
        b->head += *len + 1;
        b->scanned = 0;
        return 1;
}

size_t linebuf_pending(const struct linebuf *b) {
        return b->len - b->head;
}

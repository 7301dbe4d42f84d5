/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "outbuf.h"

struct outbuf *outbuf_new(const char *data, size_t len)
{
        struct outbuf *b = malloc(sizeof(*b) + len);

        if (!b)
                return NULL;
        b->refs = 1;
        b->len = len;
        memcpy(b->data, data, len);
        return b;
}

struct outbuf *outbuf_ref(struct outbuf *b)
{
        b->refs++;
        return b;
}

struct outbuf *outbuf_unref(struct outbuf *b)
{
        assert(!b || b->refs >= 1);
        if (b && --b->refs == 0)
                free(b);
        return NULL;
}

/* SPDX-License-Identifier: MIT */
/*
 * linebuf.h: a peer's input, split into newline-terminated lines of at
 * most a fixed size (the newline included). Pure: the caller reads into the
 * free space and takes lines out; no I/O here.
 */
#ifndef LSCD_LINEBUF_H
#define LSCD_LINEBUF_H

#include <stddef.h>

#define LINEBUF_FIRST 4096      /* first allocation: most requests fit */
#define LINEBUF_KEEP  16384     /* larger buffers are released once drained */

/* Invariants: head + scanned <= len <= size <= limit; data is NULL while
 * size is 0; bytes [head, head + scanned) hold no newline; a line is returned
 * as [head, newline), its newline overwritten with a NUL, and head moves past
 * it. The buffer starts at LINEBUF_FIRST bytes, grows by doubling (never past
 * limit) while a line needs it and is released once drained if it grew past
 * LINEBUF_KEEP, so idle clients hold little and many clients do not fragment
 * the heap with limit-sized blocks. */
struct linebuf {
        char *data;          /* size bytes */
        size_t size;         /* allocated */
        size_t limit;        /* longest line, newline included */
        size_t head;         /* start of the first unread line */
        size_t scanned;      /* bytes after head already searched for '\n' */
        size_t len;          /* bytes held */
};

int linebuf_init(struct linebuf *b, size_t limit);
void linebuf_done(struct linebuf *b);

/* Free space to read into (moves pending bytes to the front first, grows
 * the buffer when it is full and below the limit). Returns its size; 0 when
 * the buffer is full at its limit (the caller must take a line, and a full
 * buffer without one is a line that is too long) or cannot grow (no
 * memory): the caller must not read then. */
size_t linebuf_space(struct linebuf *b, char **ret);
void linebuf_commit(struct linebuf *b, size_t n);

/* Take the next complete line, without its newline, which is replaced by a
 * NUL: the line is a string, which the caller may change. Returns 1 with
 * *line and *len set (valid until the next linebuf call), 0 when no complete
 * line is held, -EMSGSIZE when the held bytes already exceed a line's limit. */
int linebuf_take(struct linebuf *b, char **line, size_t *len);
/* linebuf_take() for a caller that only reads the line. */
int linebuf_next(struct linebuf *b, const char **line, size_t *len);

/* End of input: a last line without its newline counts, so end it with
 * one, unless the buffer is full (the line is then too long) or cannot grow. */
void linebuf_end(struct linebuf *b);

/* Bytes held that do not yet form a complete line. */
size_t linebuf_pending(const struct linebuf *b);

#endif

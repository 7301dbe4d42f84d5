/* SPDX-License-Identifier: MIT */
/*
 * request.h: one request line -> a validated, typed request, or the error
 * to answer. Pure (no event loop, no I/O), so tests and the fuzz target can
 * drive the whole path from raw bytes to the encoded frame:
 *     request_parse(line, len, &req, &err);  cmd_encode(req.cmd, &req.args, ...)
 */
#ifndef LSCD_REQUEST_H
#define LSCD_REQUEST_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "cmd.h"
#include "fail.h"
#include "lsc/protocol.h"

/* Invariant: after a successful request_parse() cmd is set and args hold
 * valid values for it. root owns the parsed tree (NULL when the line was
 * not JSON); id points into it, NULL when absent, and is set as soon as it
 * could be read, so that even an error response can echo it; id_text is
 * then its exact text in the line (id_len bytes), which answers echo. */
struct request {
        cJSON *root;
        const cJSON *id;
        const char *id_text;
        size_t id_len;
        const struct cmd *cmd;
        struct cmd_args args;
};

/* Returns 0, or -EINVAL with *err filled. Call request_done() either way. */
int request_parse(const char *line, size_t len, struct request *req, struct fail *err);
void request_done(struct request *req);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * fuzz-request.c: libFuzzer target of lscd's request path, from the raw
 * bytes a client sends to the frame that would go on the wire: the same
 * line splitting as a client's input (linebuf), request_parse() (byte scan,
 * cJSON, validation against cmd_table[]) and cmd_encode().
 *
 * Every line is handed over in a heap allocation of exactly its size, with
 * neither newline nor NUL after it, so that AddressSanitizer (our code) and
 * valgrind (also inside the uninstrumented libcjson, see memcheck.sh)
 * catch any read past its end: cJSON 1.7.15's cJSON_ParseWithLength could
 * over-read such buffers, and this proves lscd never lets it.
 *
 * Checked for every line: an error is a parse-time code with a message; a
 * valid request encodes without error into exactly one frame that the
 * decoder reads back, with nothing discarded, as the values requested.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "linebuf.h"
#include "lsc/protocol.h"
#include "request.h"

static void fuzz_check_error(const struct request_error *err)
{
        fuzz_assert(err->code == LSC_ERRCODE_INVALID_JSON || err->code == LSC_ERRCODE_INVALID_REQUEST ||
                    err->code == LSC_ERRCODE_MISSING_ARGUMENT ||
                    err->code == LSC_ERRCODE_INVALID_ARGUMENT ||
                    err->code == LSC_ERRCODE_UNKNOWN_COMMAND);
        fuzz_assert(lsc_errcode_name(err->code) != NULL);
        fuzz_assert(memchr(err->field, '\0', sizeof(err->field)) != NULL);
        fuzz_assert(memchr(err->message, '\0', sizeof(err->message)) != NULL);
        fuzz_assert(err->message[0] != '\0');
}

/* The frame's values are those of the validated arguments. */
static void fuzz_check_msg(const struct cmd *cmd, const struct cmd_args *a, const struct lsc_msg *m)
{
        if (cmd == &cmd_move) {
                fuzz_assert(m->type == LSC_MSG_SERVO_MOVE);
                fuzz_assert(m->u.move.time_ms == (unsigned)a->time_ms);
                fuzz_assert(m->u.move.n_servos == a->n_servos);
                for (size_t i = 0; i < a->n_servos; i++) {
                        fuzz_assert(m->u.move.servos[i].id == a->servos[i].id);
                        fuzz_assert(m->u.move.servos[i].position == a->servos[i].position);
                }
        } else if (cmd == &cmd_group_run) {
                fuzz_assert(m->type == LSC_MSG_GROUP_RUN);
                fuzz_assert(m->u.group.group == (unsigned)a->group);
                fuzz_assert(m->u.group.runs == (unsigned)a->runs);
        } else if (cmd == &cmd_group_speed) {
                fuzz_assert(m->type == LSC_MSG_GROUP_SPEED);
                fuzz_assert(m->u.speed.group == (unsigned)a->group);
                fuzz_assert(m->u.speed.percent == (unsigned)a->percent);
        } else if (cmd == &cmd_group_stop || cmd == &cmd_halt) {
                fuzz_assert(m->type == LSC_MSG_GROUP_STOP);
        } else {
                fuzz_assert(cmd == &cmd_battery);
                fuzz_assert(m->type == LSC_MSG_BATTERY_QUERY);
        }
}

static void fuzz_check_frame(const struct request *req)
{
        uint8_t wire[LSC_FRAME_MAX_SIZE];
        const uint8_t *p = wire;
        struct lsc_decoder d;
        struct lsc_frame f;
        struct lsc_msg m;
        int n = cmd_encode(req->cmd, &req->args, wire, sizeof(wire));
        size_t left;

        fuzz_assert(n >= 0);
        fuzz_assert((n == 0) == (req->cmd->encode == NULL));
        if (n == 0)
                return;
        left = (size_t)n;
        lsc_decoder_init(&d);
        fuzz_assert(lsc_decoder_next(&d, &p, &left, &f) == 1);
        fuzz_assert(left == 0 && d.discarded == 0 && lsc_decoder_pending(&d) == 0);
        fuzz_assert(lsc_frame_parse(&f, &m) == LSC_OK);
        fuzz_check_msg(req->cmd, &req->args, &m);
}

/* The id's text lies inside the line and is JSON for the same value as the
 * id cJSON parsed: what lscd echoes is what the client sent. */
static void fuzz_check_id(const struct request *req, const char *line, size_t len)
{
        char *copy, *a, *b;
        cJSON *id;

        fuzz_assert((req->id != NULL) == (req->id_text != NULL));
        if (!req->id)
                return;
        fuzz_assert(req->id_text >= line && req->id_text + req->id_len <= line + len);
        fuzz_assert(req->id_len > 0);
        copy = malloc(req->id_len + 1);
        fuzz_assert(copy != NULL);
        memcpy(copy, req->id_text, req->id_len);
        copy[req->id_len] = '\0';
        id = cJSON_ParseWithOpts(copy, NULL, true);
        fuzz_assert(id != NULL);
        /* Printed, not cJSON_Compare()d: 1e999 is inf, and inf != inf there. */
        a = cJSON_PrintUnformatted(id);
        b = cJSON_PrintUnformatted(req->id);
        fuzz_assert(a && b && strcmp(a, b) == 0);
        cJSON_free(a);
        cJSON_free(b);
        cJSON_Delete(id);
        free(copy);
}

/* One line, copied to an allocation of exactly its length. */
static void fuzz_line(const char *line, size_t len)
{
        char *exact = malloc(len ? len : 1);
        struct request_error err;
        struct request req;
        int r;

        fuzz_assert(exact != NULL);
        memcpy(exact, line, len);
        r = request_parse(exact, len, &req, &err);

        fuzz_check_id(&req, exact, len);
        if (r < 0) {
                fuzz_check_error(&err);
        } else {
                fuzz_assert(req.cmd != NULL && cmd_find(req.cmd->name) == req.cmd);
                fuzz_check_frame(&req);
        }
        request_done(&req);
        free(exact);
}

static void fuzz_lines(struct linebuf *b)
{
        const char *line;
        size_t len;
        int r;

        while ((r = linebuf_next(b, &line, &len)) > 0)
                fuzz_line(line, len);
        fuzz_assert(r == 0);
}

/* Split the input into lines as a client's connection does: read into the
 * buffer as far as it has room, take the lines; at the end, a last line
 * without newline counts. */
static int fuzz_request(const uint8_t *data, size_t size)
{
        struct linebuf b;
        size_t off = 0, n;
        char *space;

        if (size >= LSC_PROTOCOL_LINE_MAX)
                return -1;              /* line_too_long: no parsing at all */
        fuzz_assert(linebuf_init(&b, LSC_PROTOCOL_LINE_MAX) == 0);
        while (off < size) {
                n = linebuf_space(&b, &space);
                fuzz_assert(n > 0);
                n = n < size - off ? n : size - off;
                memcpy(space, data + off, n);
                linebuf_commit(&b, n);
                off += n;
                fuzz_lines(&b);
        }
        linebuf_end(&b);
        fuzz_lines(&b);
        fuzz_assert(linebuf_pending(&b) == 0);
        linebuf_done(&b);
        return 0;
}

FUZZ_TARGET(request, LSC_PROTOCOL_LINE_MAX, fuzz_request);

/* SPDX-License-Identifier: MIT */
/*
 * fuzz-request.c: fuzz target "request", lscd's request path from the raw
 * bytes a client sends to the frame that would go on the wire: the line
 * buffer of a client's connection (linebuf, read as client.c reads it),
 * request_parse() (byte scan, cJSON, validation against cmd_table[]) and
 * cmd_encode(). Inputs of any length up to two lines of the limit
 * (LSC_PROTOCOL_LINE_MAX), so every line length and the buffer's growth.
 *
 * The input is read twice: in reads as long as the buffer has room for,
 * every line parsed; and in reads of 1 to 64 bytes (as the input's bytes
 * choose). Both must give exactly the input's lines, split at its newlines,
 * and stop reading at the first line that reaches the limit without its
 * newline (line_too_long) or else take every byte.
 *
 * Every line is handed over in a heap allocation of exactly its size, with
 * neither newline nor NUL after it, so that AddressSanitizer (our code) and
 * valgrind (also inside the uninstrumented libcjson, see memcheck.sh)
 * catch any read past its end: cJSON 1.7.15's cJSON_ParseWithLength could
 * over-read such buffers, and this proves lscd never lets it.
 *
 * Checked for every line: an error is a parse-time code with a message; a
 * valid request encodes without error into exactly one frame that the
 * decoder reads back, with nothing discarded, as the values requested; an
 * echoed id is the text of the same JSON value, inside the line.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "linebuf.h"
#include "lsc/protocol.h"
#include "request.h"

static void fuzz_check_error(const struct fail *err)
{
        fuzz_assert(err->code == LSC_ERRCODE_INVALID_JSON || err->code == LSC_ERRCODE_INVALID_REQUEST ||
                    err->code == LSC_ERRCODE_MISSING_ARGUMENT ||
                    err->code == LSC_ERRCODE_INVALID_ARGUMENT ||
                    err->code == LSC_ERRCODE_UNKNOWN_COMMAND ||
                    err->code == LSC_ERRCODE_UNKNOWN_SERVO ||
                    err->code == LSC_ERRCODE_UNKNOWN_POSE ||
                    err->code == LSC_ERRCODE_UNKNOWN_GROUP ||
                    err->code == LSC_ERRCODE_UNKNOWN_POSITION ||
                    err->code == LSC_ERRCODE_UNSUPPORTED);
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
                /* Without a robot file: ids and positions as requested. */
                fuzz_assert(m->u.move.n_servos == a->n_specs);
                for (size_t i = 0; i < a->n_specs; i++) {
                        fuzz_assert(m->u.move.servos[i].id == (int) a->specs[i].id);
                        fuzz_assert(!a->specs[i].delta);
                        fuzz_assert(m->u.move.servos[i].position == a->specs[i].value);
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
        /* record.start writes its unload only in teach mode. */
        fuzz_assert((n == 0) == (req->cmd->encode == NULL ||
                                 (req->cmd == &cmd_record_start && !req->args.teach)));
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
        struct fail err;
        struct request req;
        int r;

        fuzz_assert(exact != NULL);
        memcpy(exact, line, len);
        r = request_parse(exact, len, &req, &err);
        /* The robot without a file, and servos lscd never moved. */
        if (r == 0) {
                struct model *model = model_new(&profile_lsc);
                struct servos servos = { .moves = NULL };

                model_add_home(model);
                r = cmd_prepare(req.cmd, model, &servos, &req.args, &err);
                model_free(model);
        }

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

/* A client's connection reading the input (client.c): reads of at most
 * the room linebuf_space() offers, the lines taken after each read, a last
 * line without newline ended at end of input, and no more reading once a
 * line reaches the limit without its newline (line_too_long). Invariant:
 * the lines taken so far are the input's, up to next. */
struct fuzz_client {
        struct linebuf in;
        const uint8_t *data;
        size_t size;
        size_t read;            /* bytes of data read into in */
        size_t next;            /* where the next line starts in data */
        bool too_long;
};

/* The line is the input's next one: its bytes up to the first newline (or
 * its end), shorter than the limit. */
static void fuzz_check_line(struct fuzz_client *c, const char *line, size_t len)
{
        const uint8_t *at = c->data + c->next;

        fuzz_assert(len < LSC_PROTOCOL_LINE_MAX);
        fuzz_assert(c->next + len <= c->size);
        fuzz_assert(memcmp(line, at, len) == 0 && !memchr(at, '\n', len));
        fuzz_assert(c->next + len == c->size || at[len] == '\n');
        c->next += len + 1;
}

static void fuzz_take_lines(struct fuzz_client *c, bool parse)
{
        const char *line;
        size_t len;
        int r;

        while ((r = linebuf_next(&c->in, &line, &len)) > 0) {
                fuzz_check_line(c, line, len);
                if (parse)
                        fuzz_line(line, len);
        }
        fuzz_assert(r == 0 || r == -EMSGSIZE);
        c->too_long = r < 0;
}

/* Read the whole input, each read as long as the buffer has room for
 * (whole_reads) or 1 to 64 bytes as the input's bytes choose, and check
 * where it stopped. */
static void fuzz_client_run(struct fuzz_client *c, bool whole_reads, bool parse)
{
        while (c->read < c->size && !c->too_long) {
                char *space;
                size_t n = linebuf_space(&c->in, &space);

                fuzz_assert(n > 0);     /* client.c: 0 only when out of memory */
                if (!whole_reads && n > 1u + (c->data[c->read] & 63))
                        n = 1u + (c->data[c->read] & 63);
                if (n > c->size - c->read)
                        n = c->size - c->read;
                memcpy(space, c->data + c->read, n);
                linebuf_commit(&c->in, n);
                c->read += n;
                fuzz_take_lines(c, parse);
        }
        if (!c->too_long && linebuf_pending(&c->in) > 0) {
                linebuf_end(&c->in);
                fuzz_take_lines(c, parse);
        }
        if (c->too_long)
                fuzz_assert(c->size - c->next >= LSC_PROTOCOL_LINE_MAX &&
                            !memchr(c->data + c->next, '\n', LSC_PROTOCOL_LINE_MAX));
        else
                fuzz_assert(c->next >= c->size && linebuf_pending(&c->in) == 0);
}

/* The input is read twice: in whole reads, with every line parsed, and
 * in short reads, which must split it the same way. */
static int fuzz_request(const uint8_t *data, size_t size)
{
        for (int whole_reads = 1; whole_reads >= 0; whole_reads--) {
                struct fuzz_client c = { .data = data, .size = size };

                fuzz_assert(linebuf_init(&c.in, LSC_PROTOCOL_LINE_MAX) == 0);
                fuzz_client_run(&c, whole_reads, whole_reads);
                linebuf_done(&c.in);
        }
        return 0;
}

/* corpus/request/line-* and release-after-* stand where the line buffer
 * changes size: they are made for these sizes (make-request-seeds.py). */
_Static_assert(LINEBUF_FIRST == 4096 && LINEBUF_KEEP == 16384 && LSC_PROTOCOL_LINE_MAX == 65536,
               "remake corpus/request/line-* for the new sizes (tests/README)");

/* Two lines of the longest length: every length up to the limit, and past it. */
FUZZ_TARGET(request, 2 * LSC_PROTOCOL_LINE_MAX, fuzz_request);

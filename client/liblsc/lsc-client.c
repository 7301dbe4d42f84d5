/* SPDX-License-Identifier: MIT */
/*
 * lsc-client.c: the connection to lscd: socket, line framing, id matching,
 * event queue, blocking waits. See include/lsc/client.h for the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "lsc/client.h"
#include "json.h"
#include "list.h"
#include "linebuf.h"

/*
 * A request sent and not yet answered. Invariants: id is the exact value
 * sent; with fn set the answer goes to fn and the entry is freed on arrival
 * (a blocking call that timed out sets fn to client_ignore), without it a
 * blocking call owns the entry and frees it once done is set, with error and
 * response filled.
 */
struct pending {
        struct pending *next;
        cJSON *id;
        lsc_client_reply_fn fn;
        void *userdata;
        bool done;
        int error;
        cJSON *response;
};

/*
 * One connection. Invariants: fd is open from connect to free; once error is
 * set (negative) it never changes, pending is empty and nothing more is read
 * or written. in holds received bytes not yet handled, in lines of at most
 * LSC_CLIENT_MAX_LINE bytes with the newline. out[out_off..out_len) is
 * serialised request bytes not yet written. events is a cJSON array used as
 * a FIFO of n_events objects.
 */
struct lsc_client {
        int fd;
        char *path;
        int error;
        bool eof;
        int timeout_ms;
        uint64_t next_id;

        struct linebuf in;
        char *out;
        size_t out_off, out_len, out_size;

        struct pending *pending, *pending_tail;
        cJSON *events;
        size_t n_events;
        unsigned long long dropped;
        cJSON *hello;

        char *err_code, *err_message, *err_field;
};

const char *lsc_client_default_socket(void)
{
        const char *env = getenv("LSCD_SOCKET");

        return env && *env ? env : LSC_CLIENT_DEFAULT_SOCKET;
}

static int client_open_socket(const char *path)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        size_t len = strlen(path);
        int fd;

        if (len == 0)
                return -EINVAL;
        if (len >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, len + 1);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
                int r = -errno;

                close(fd);
                return r;
        }
        return fd;
}

int lsc_client_connect(const char *path, struct lsc_client **ret)
{
        struct lsc_client *c;
        int fd;

        if (!ret)
                return -EINVAL;
        if (!path)
                path = lsc_client_default_socket();
        c = calloc(1, sizeof(*c));
        if (!c)
                return -ENOMEM;
        c->fd = -1;
        c->timeout_ms = LSC_CLIENT_DEFAULT_TIMEOUT_MS;
        c->next_id = 1;
        (void)linebuf_init(&c->in, LSC_CLIENT_MAX_LINE);
        c->path = strdup(path);
        c->events = cJSON_CreateArray();
        if (!c->path || !c->events) {
                lsc_client_free(c);
                return -ENOMEM;
        }
        fd = client_open_socket(path);
        if (fd < 0) {
                lsc_client_free(c);
                return fd;
        }
        c->fd = fd;
        *ret = c;
        return 0;
}

static struct pending *pending_free(struct pending *p)
{
        if (p) {
                cJSON_Delete(p->id);
                cJSON_Delete(p->response);
                free(p);
        }
        return NULL;
}

static void client_clear_error(struct lsc_client *c)
{
        free(c->err_code);
        free(c->err_message);
        free(c->err_field);
        c->err_code = c->err_message = c->err_field = NULL;
}

struct lsc_client *lsc_client_free(struct lsc_client *c)
{
        if (!c)
                return NULL;
        while (c->pending) {
                struct pending *p = c->pending;

                c->pending = p->next;
                pending_free(p);
        }
        if (c->fd >= 0)
                close(c->fd);
        client_clear_error(c);
        cJSON_Delete(c->events);
        cJSON_Delete(c->hello);
        linebuf_done(&c->in);
        free(c->out);
        free(c->path);
        free(c);
        return NULL;
}

const char *lsc_client_socket_path(const struct lsc_client *c) { return c->path; }
const cJSON *lsc_client_hello(const struct lsc_client *c) { return c->hello; }
void lsc_client_set_timeout(struct lsc_client *c, int timeout_ms) { c->timeout_ms = timeout_ms < 0 ? -1 : timeout_ms; }
int lsc_client_get_timeout(const struct lsc_client *c) { return c->timeout_ms; }
int lsc_client_get_error(const struct lsc_client *c) { return c->error; }
const char *lsc_client_error_code(const struct lsc_client *c) { return c->err_code; }
const char *lsc_client_error_message(const struct lsc_client *c) { return c->err_message; }
const char *lsc_client_error_field(const struct lsc_client *c) { return c->err_field; }
int lsc_client_fd(const struct lsc_client *c) { return c->fd; }
size_t lsc_client_events_queued(const struct lsc_client *c) { return c->n_events; }
unsigned long long lsc_client_events_dropped(const struct lsc_client *c) { return c->dropped; }

short lsc_client_events(const struct lsc_client *c)
{
        return c->out_len > c->out_off && !c->error ? POLLIN | POLLOUT : POLLIN;
}

/* Unlink p from the pending list (it must be there). */
static void client_unlink(struct lsc_client *c, struct pending *p)
{
        struct pending **pp = &c->pending, *prev = NULL;

        while (*pp != p) {
                prev = *pp;
                pp = &(*pp)->next;
        }
        *pp = p->next;
        if (c->pending_tail == p)
                c->pending_tail = prev;
        p->next = NULL;
}

/* Hand a finished request to its callback, or to the blocking caller that
 * frees it. Takes ownership of response. */
static void client_complete(struct lsc_client *c, struct pending *p, cJSON *response, int error)
{
        client_unlink(c, p);
        p->done = true;
        p->error = error;
        if (p->fn) {
                p->fn(p->userdata, c, response, error);
                cJSON_Delete(response);
                pending_free(p);
        } else
                p->response = response;
}

/* Break the connection for good: every unanswered request gets error. */
static int client_fail(struct lsc_client *c, int error)
{
        if (c->error)
                return c->error;
        c->error = error;
        while (c->pending)
                client_complete(c, c->pending, NULL, error);
        return error;
}

static void client_ignore(void *userdata, struct lsc_client *c, const cJSON *response, int error);

static char *client_strdup_member(const cJSON *object, const char *name)
{
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, name);

        return cJSON_IsString(item) ? strdup(item->valuestring) : NULL;
}

/* Record the daemon's error object; -EPROTO if it is not one. */
static int client_set_error(struct lsc_client *c, const cJSON *response)
{
        const cJSON *error = cJSON_GetObjectItemCaseSensitive(response, "error");

        client_clear_error(c);
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(error, "code")))
                return -EPROTO;
        c->err_code = client_strdup_member(error, "code");
        c->err_message = client_strdup_member(error, "message");
        c->err_field = client_strdup_member(error, "field");
        if (!c->err_message)
                c->err_message = strdup(c->err_code ? c->err_code : "");
        return c->err_code && c->err_message ? -EREMOTEIO : -ENOMEM;
}

static struct pending *client_find(struct lsc_client *c, const cJSON *id)
{
        for (struct pending *p = c->pending; p; p = p->next)
                if (cJSON_Compare(p->id, id, true))
                        return p;
        return NULL;
}

/* lscd refuses a connection (too_many_clients) with one error line, without
 * an id, in place of its hello. Returns -ECONNREFUSED with the error
 * recorded, or -EPROTO or -ENOMEM. */
static int client_handle_refusal(struct lsc_client *c, cJSON *msg)
{
        int r = client_set_error(c, msg);

        cJSON_Delete(msg);
        return r == -EREMOTEIO ? -ECONNREFUSED : r;
}

static int client_handle_response(struct lsc_client *c, cJSON *msg)
{
        const cJSON *ok = cJSON_GetObjectItemCaseSensitive(msg, "ok");
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
        struct pending *p;
        int r = 0;

        if (cJSON_IsFalse(ok) && !id && !c->hello)
                return client_handle_refusal(c, msg);
        if (!cJSON_IsBool(ok) || !id || !(p = client_find(c, id))) {
                cJSON_Delete(msg);
                return -EPROTO;
        }
        if (cJSON_IsFalse(ok)) {
                r = p->fn == client_ignore ? -EREMOTEIO : client_set_error(c, msg);
                if (r == -EPROTO || r == -ENOMEM) {
                        cJSON_Delete(msg);
                        return r;
                }
        }
        client_complete(c, p, msg, r);
        return 0;
}

static int client_handle_hello(struct lsc_client *c, cJSON *msg)
{
        const cJSON *protocol = cJSON_GetObjectItemCaseSensitive(msg, "protocol");

        if (c->hello || !cJSON_IsNumber(protocol)) {
                cJSON_Delete(msg);
                return -EPROTO;
        }
        c->hello = msg;
        return protocol->valuedouble == LSC_CLIENT_PROTOCOL ? 0 : -EPROTONOSUPPORT;
}

static void client_queue_event(struct lsc_client *c, cJSON *msg)
{
        if (c->n_events >= LSC_CLIENT_MAX_EVENTS) {
                cJSON_Delete(cJSON_DetachItemFromArray(c->events, 0));
                c->n_events--;
                c->dropped++;
        }
        cJSON_AddItemToArray(c->events, msg);
        c->n_events++;
}

/* Whether line holds a control character other than tab: JSON escapes them
 * in strings (cJSON does not insist), and lsc_client_line() must be safe to
 * print. */
static bool client_has_control(const char *line, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if ((unsigned char)line[i] < ' ' && line[i] != '\t')
                        return true;
        return false;
}

/* Parse one line (without its newline, NUL-terminated) into *ret, keeping
 * its text: 0, -EPROTO when it is not a JSON object, or -ENOMEM. */
static int client_parse_line(const char *line, size_t len, cJSON **ret)
{
        cJSON *msg;

        if (client_has_control(line, len))
                return -EPROTO;
        msg = cJSON_ParseWithLength(line, len);
        if (!cJSON_IsObject(msg)) {
                cJSON_Delete(msg);
                return -EPROTO;
        }
        /* An object's valuestring is unused: cJSON_Delete() frees it,
         * cJSON_Duplicate() copies it, printing ignores it. */
        msg->valuestring = cJSON_malloc(len + 1);
        if (!msg->valuestring) {
                cJSON_Delete(msg);
                return -ENOMEM;
        }
        memcpy(msg->valuestring, line, len + 1);
        *ret = msg;
        return 0;
}

const char *lsc_client_line(const cJSON *message)
{
        return cJSON_IsObject(message) ? message->valuestring : NULL;
}

/* Handle one message (taking it). Returns 0 or a fatal error. */
static int client_handle_message(struct lsc_client *c, cJSON *msg)
{
        const cJSON *event = cJSON_GetObjectItemCaseSensitive(msg, "event");

        if (!event)
                return client_handle_response(c, msg);
        if (!cJSON_IsString(event)) {
                cJSON_Delete(msg);
                return -EPROTO;
        }
        if (strcmp(event->valuestring, "hello") == 0)
                return client_handle_hello(c, msg);
        client_queue_event(c, msg);
        return 0;
}

/* Handle the first complete line in the input buffer. Returns 1 when one was
 * handled, 0 when there is none, or a fatal error. */
static int client_parse_one(struct lsc_client *c)
{
        const char *line;
        cJSON *msg = NULL;
        size_t len;
        int r = linebuf_next(&c->in, &line, &len);

        if (r <= 0)
                return r < 0 ? -EPROTO : 0;
        /* The line ends with a NUL where its newline was: cJSON_ParseWithLength()
         * of cJSON < 1.7.18 may read past the given length. It is copied before
         * a callback may run lsc_client_process(), which reads into the buffer. */
        r = client_parse_line(line, len, &msg);
        if (r == 0)
                r = client_handle_message(c, msg);
        return r < 0 ? r : 1;
}

/* Read what the socket holds now. Returns 0 (possibly having set eof) or a
 * fatal error. */
static int client_fill(struct lsc_client *c)
{
        for (;;) {
                char *space;
                size_t room = linebuf_space(&c->in, &space);
                ssize_t n;

                /* Full: parse first; short of its limit: it could not grow. */
                if (room == 0)
                        return linebuf_pending(&c->in) < LSC_CLIENT_MAX_LINE ? -ENOMEM : 0;
                n = recv(c->fd, space, room, 0);
                if (n > 0) {
                        linebuf_commit(&c->in, (size_t)n);
                        continue;
                }
                /* A reset (lscd closed with our request unread) ends the
                 * stream like EOF: what came before it is still handled. */
                if (n == 0 || (n < 0 && errno == ECONNRESET)) {
                        c->eof = true;
                        return 0;
                }
                if (errno == EINTR)
                        continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK)
                        return 0;
                return errno == EPIPE ? -ECONNRESET : -errno;
        }
}

/* Write what the socket takes now. Returns 0 or a fatal error. */
static int client_flush(struct lsc_client *c)
{
        while (c->out_off < c->out_len) {
                ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
                                 MSG_NOSIGNAL | MSG_DONTWAIT);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK)
                                return 0;
                        if (errno != EPIPE && errno != ECONNRESET)
                                return -errno;
                        /* lscd stopped reading: the unsent requests can
                         * never be answered. Take in what it sent, which is
                         * still handled, then the end is reported. */
                        c->out_off = c->out_len = 0;
                        c->eof = true;
                        return client_fill(c);
                }
                c->out_off += (size_t)n;
        }
        c->out_off = c->out_len = 0;
        return 0;
}

/* Handle buffered lines until `until` is done (all of them if NULL).
 * Returns the number handled or a fatal error (the client then failed). */
static int client_parse(struct lsc_client *c, const struct pending *until)
{
        int count = 0;

        while (!(until && until->done)) {
                int r = client_parse_one(c);

                if (r < 0)
                        return client_fail(c, r);
                if (r == 0)
                        break;
                count++;
        }
        /* Lines before the end are handled first; the next call reports it,
         * or this one when a blocking call's answer can no longer come. */
        if (c->eof && (count == 0 || until) && !(until && until->done))
                return client_fail(c, -ECONNRESET);
        return count;
}

int lsc_client_process(struct lsc_client *c)
{
        int r;

        if (c->error)
                return c->error;
        r = client_fill(c);
        if (r >= 0)
                r = client_flush(c);
        if (r < 0)
                return client_fail(c, r);
        return client_parse(c, NULL);
}

static int64_t client_deadline(int timeout_ms)
{
        return timeout_ms < 0 ? -1 : clock_msec() + timeout_ms;
}

/* Wait until the socket is ready or the deadline (-1: none) passes, then
 * fill and flush. At the deadline's very millisecond it still looks once
 * without blocking, so that a timeout of 0 polls. Returns 0, -ETIMEDOUT or
 * a fatal error. */
static int client_poll(struct lsc_client *c, int64_t deadline)
{
        struct pollfd pfd = { .fd = c->fd, .events = lsc_client_events(c) };
        int timeout = -1, n, r;

        if (deadline >= 0) {
                int64_t left = deadline - clock_msec();

                if (left < 0)
                        return -ETIMEDOUT;
                timeout = left > INT32_MAX ? INT32_MAX : (int)left;
        }
        n = poll(&pfd, 1, timeout);
        if (n < 0)
                return errno == EINTR ? 0 : client_fail(c, -errno);
        if (n == 0)
                return -ETIMEDOUT;
        r = client_fill(c);
        if (r >= 0)
                r = client_flush(c);
        return r < 0 ? client_fail(c, r) : 0;
}

int lsc_client_wait(struct lsc_client *c, int timeout_ms)
{
        int64_t deadline = client_deadline(timeout_ms);

        for (;;) {
                int r = client_parse(c, NULL);

                if (r != 0)
                        return r;
                if (c->error)
                        return c->error;
                r = client_poll(c, deadline);
                if (r < 0)
                        return r;
        }
}

int lsc_client_next_event(struct lsc_client *c, cJSON **ret)
{
        if (c->n_events == 0)
                return 0;
        *ret = cJSON_DetachItemFromArray(c->events, 0);
        c->n_events--;
        return 1;
}

int lsc_client_wait_event(struct lsc_client *c, int timeout_ms, cJSON **ret)
{
        int64_t deadline = client_deadline(timeout_ms);

        for (;;) {
                int r;

                if (lsc_client_next_event(c, ret))
                        return 1;
                if (c->error)
                        return c->error;
                r = client_parse(c, NULL);
                if (r < 0)
                        return r;
                if (r == 0) {
                        r = client_poll(c, deadline);
                        if (r < 0)
                                return r;
                }
        }
}

/* Set a numeric id on request that no unanswered request uses. */
static int client_assign_id(struct lsc_client *c, cJSON *request)
{
        for (;;) {
                cJSON *id = cJSON_CreateNumber((double)c->next_id++);

                if (!id)
                        return -ENOMEM;
                if (!client_find(c, id)) {
                        cJSON_AddItemToObject(request, "id", id);
                        return 0;
                }
                cJSON_Delete(id);
        }
}

/* Append text and a newline to the output buffer. */
static int client_append(struct lsc_client *c, const char *text)
{
        size_t len = strlen(text) + 1;

        if (len > LSC_CLIENT_MAX_REQUEST)
                return -EMSGSIZE;
        if (c->out_len - c->out_off + len > LSC_CLIENT_MAX_OUTPUT)
                return -ENOBUFS;
        if (c->out_len + len > c->out_size) {
                size_t size = c->out_len + len + 4096;
                char *out = realloc(c->out, size);

                if (!out)
                        return -ENOMEM;
                c->out = out;
                c->out_size = size;
        }
        memcpy(c->out + c->out_len, text, len - 1);
        c->out[c->out_len + len - 1] = '\n';
        c->out_len += len;
        return 0;
}

/* Whether item is JSON that cJSON prints as itself: no raw text (which
 * could hold a newline), no invalid item, no number printed as null
 * (infinite or NaN), arrays and objects nested at most JSON_MAX_DEPTH deep. */
static bool client_printable(const cJSON *item, unsigned depth)
{
        if (cJSON_IsNumber(item))
                return isfinite(item->valuedouble);
        if (cJSON_IsRaw(item) || cJSON_IsInvalid(item))
                return false;
        if (!cJSON_IsArray(item) && !cJSON_IsObject(item))
                return true;
        if (depth > JSON_MAX_DEPTH)
                return false;
        for (const cJSON *child = item->child; child; child = child->next)
                if (!client_printable(child, depth + 1))
                        return false;
        return true;
}

/* Serialise request, which must be printable, and append it to the output:
 * -EINVAL for a line lscd would answer invalid_json, without an id. */
static int client_append_request(struct lsc_client *c, const cJSON *request)
{
        char *text = cJSON_PrintUnformatted(request);
        int r;

        if (!text)
                return -ENOMEM;
        r = json_scan(text, strlen(text), JSON_MAX_DEPTH) == JSON_SCAN_OK ? client_append(c, text) : -EINVAL;
        free(text);
        return r;
}

/* Serialise request with its id, queue it, and record it as pending. */
static int client_enqueue(struct lsc_client *c, const cJSON *request,
                          lsc_client_reply_fn fn, void *userdata, struct pending **ret)
{
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(request, "id");
        struct pending *p;
        cJSON *copy;
        int r;

        if (!cJSON_IsObject(request) ||
            !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(request, "cmd")) ||
            !client_printable(request, 1))
                return -EINVAL;
        if (c->error)
                return c->error;
        if (id && client_find(c, id))
                return -EEXIST;
        copy = cJSON_Duplicate(request, true);
        p = calloc(1, sizeof(*p));
        r = copy && p ? 0 : -ENOMEM;
        if (r == 0 && !id)
                r = client_assign_id(c, copy);
        if (r == 0) {
                p->id = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(copy, "id"), true);
                r = p->id ? client_append_request(c, copy) : -ENOMEM;
        }
        cJSON_Delete(copy);
        if (r < 0) {
                pending_free(p);
                return r;
        }
        p->fn = fn;
        p->userdata = userdata;
        FIFO_APPEND(c->pending, c->pending_tail, p, next);
        *ret = p;
        return 0;
}

int lsc_client_send(struct lsc_client *c, const cJSON *request,
                    lsc_client_reply_fn fn, void *userdata)
{
        struct pending *p;
        int r = client_enqueue(c, request, fn ? fn : client_ignore, userdata, &p);

        /* A write error recurs and is reported by the next process(), with
         * this request's callback; reporting it here too would report it twice. */
        if (r == 0)
                (void)client_flush(c);
        return r;
}

/* The callback of requests whose answer nobody wants. */
static void client_ignore(void *userdata, struct lsc_client *c, const cJSON *response, int error)
{
}

int lsc_client_call(struct lsc_client *c, const cJSON *request, cJSON **ret_response)
{
        int64_t deadline = client_deadline(c->timeout_ms);
        struct pending *p;
        int r;

        if (ret_response)
                *ret_response = NULL;
        client_clear_error(c);
        r = client_enqueue(c, request, NULL, NULL, &p);
        if (r < 0)
                return r;
        (void)client_flush(c); /* errors recur in client_poll() */
        while (!p->done) {
                r = client_parse(c, p);
                if (r < 0 || p->done)
                        break;
                r = client_poll(c, deadline);
                if (r == -ETIMEDOUT) {
                        p->fn = client_ignore;
                        return r;
                }
                if (r < 0)
                        break;
        }
        if (!p->done)
                return r;
        r = p->error;
        if (ret_response) {
                *ret_response = p->response;
                p->response = NULL;
        }
        pending_free(p);
        return r;
}

int lsc_client_call_string(struct lsc_client *c, const char *json, cJSON **ret_response)
{
        cJSON *request = json ? cJSON_ParseWithOpts(json, NULL, true) : NULL;
        int r;

        if (ret_response)
                *ret_response = NULL;
        if (!request)
                return -EINVAL;
        r = lsc_client_call(c, request, ret_response);
        cJSON_Delete(request);
        return r;
}

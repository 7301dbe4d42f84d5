/* SPDX-License-Identifier: MIT */
/*
 * lscctl-proxy.c: the private socket of "lscctl claim" (see
 * lscctl-proxy.h). Requests are forwarded with an id of the proxy's own,
 * so that two programs may use the same ids; the answer goes back with the
 * program's id, and otherwise as lscd wrote it. Subscriptions are kept
 * here, per program: lscd's subscription of the claiming connection is the
 * union of theirs, and each program gets only the events it asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "linebuf.h"
#include "lscctl.h"
#include "lscctl-proxy.h"
#include "lsc/protocol.h"

#define PROXY_CONNS_MAX (PROXY_POLLFDS_MAX - 1)
/* A program that reads none of its output for this long is dropped, as
 * lscd drops a client whose output queue is full. */
#define PROXY_OUTPUT_MAX (4u << 20)

/* One program's connection. Invariant: out holds out_len unsent bytes of
 * whole lines; events is its subscription. */
struct proxy_conn {
        struct proxy_conn *next;
        uint64_t number;
        int fd;
        struct linebuf in;
        char *out;
        size_t out_len, out_size;
        unsigned events;
        size_t forwarded;       /* its requests not answered yet */
        bool eof;               /* read EOF: close once answered and sent */
        bool closing;           /* failed: close once out is sent */
};

/* A request forwarded and not answered yet. Invariant: conn is the number
 * of the connection that sent it (0 or gone: its answer is dropped); id is
 * its own id as JSON text, NULL when it had none. */
struct proxy_forward {
        struct proxy_forward *prev, *next;
        struct proxy *proxy;
        uint64_t conn;
        char *id;
        double sent_id;
        int subscribe;          /* 1 subscribe, -1 unsubscribe, 0 other */
        unsigned mask;
};

struct proxy {
        struct lsc_client *upstream;
        void (*watch)(void *userdata, const cJSON *event);
        void *userdata;
        int fd;
        char dir[64], path[96];
        struct proxy_conn *conns;
        size_t n_conns;
        uint64_t last_conn;
        double last_id;
        struct proxy_forward *forwards;
};

static void proxy_send(struct proxy_conn *c, const char *line, size_t len);

static struct proxy_conn *proxy_find(struct proxy *p, uint64_t number)
{
        for (struct proxy_conn *c = p->conns; c; c = c->next)
                if (c->number == number)
                        return c;
        return NULL;
}

static void proxy_forward_free(struct proxy_forward *f)
{
        if (f->prev)
                f->prev->next = f->next;
        else
                f->proxy->forwards = f->next;
        if (f->next)
                f->next->prev = f->prev;
        free(f->id);
        free(f);
}

/* a, b and c joined in a new string; NULL when out of memory. */
static char *proxy_join3(const char *a, const char *b, const char *c)
{
        size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
        char *s = malloc(la + lb + lc + 1);

        if (s) {
                memcpy(s, a, la);
                memcpy(s + la, b, lb);
                memcpy(s + la + lb, c, lc + 1);
        }
        return s;
}

static char *proxy_join(const char *a, const char *b)
{
        return proxy_join3(a, b, "");
}

/* The answer to a subscribe or unsubscribe, with the program's own
 * subscription as "events", and its id; NULL when out of memory. */
static char *proxy_subscribed(struct proxy_conn *c, struct proxy_forward *f, const cJSON *response)
{
        cJSON *copy = cJSON_Duplicate(response, true), *events = cJSON_CreateArray(), *id = NULL;
        char *line = NULL;

        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(response, "ok")))
                c->events = f->subscribe > 0 ? c->events | f->mask : c->events & ~f->mask;
        for (int e = 0; e < _LSC_EVENT_MAX; e++)
                if (c->events & LSC_EVENT_MASK(e))
                        cJSON_AddItemToArray(events, cJSON_CreateString(lsc_event_name(e)));
        if (f->id)
                id = cJSON_Parse(f->id);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(response, "ok")))
                cJSON_ReplaceItemInObjectCaseSensitive(copy, "events", events);
        else
                cJSON_Delete(events);
        if (id)
                cJSON_ReplaceItemInObjectCaseSensitive(copy, "id", id);
        else
                cJSON_DeleteItemFromObjectCaseSensitive(copy, "id");
        if (copy)
                line = cJSON_PrintUnformatted(copy);
        cJSON_Delete(copy);
        return line;
}

/* lscd's answer line with the program's id in place of the proxy's: lscd
 * writes the id first, {"id":N,...}. NULL when out of memory or when the
 * line is not of that form. */
static char *proxy_answer_line(const struct proxy_forward *f, const cJSON *response)
{
        const char *line = lsc_client_line(response), *rest;
        char prefix[48];
        size_t n;

        snprintf(prefix, sizeof(prefix), "{\"id\":%.0f", f->sent_id);
        n = strlen(prefix);
        if (!line || strncmp(line, prefix, n) != 0 || (line[n] != ',' && line[n] != '}'))
                return NULL;
        rest = line + n;
        if (!f->id)
                return proxy_join("{", *rest == ',' ? rest + 1 : rest);
        return proxy_join3("{\"id\":", f->id, rest);
}

static void proxy_answered(void *userdata, struct lsc_client *client, const cJSON *response, int error)
{
        struct proxy_forward *f = userdata;
        struct proxy_conn *c = proxy_find(f->proxy, f->conn);
        char *line = NULL;

        if (c && response)
                line = f->subscribe ? proxy_subscribed(c, f, response) : proxy_answer_line(f, response);
        if (c)
                c->forwarded--;
        if (c && line)
                proxy_send(c, line, strlen(line));
        else if (c && response) /* out of memory: the program would wait forever */
                c->closing = true;
        free(line);
        proxy_forward_free(f);
}

/* Write what the socket takes of c's output. */
static void proxy_write(struct proxy_conn *c)
{
        ssize_t n = c->out_len ? write(c->fd, c->out, c->out_len) : 0;

        if (n < 0 && errno != EAGAIN && errno != EINTR) {
                c->closing = true;
                c->out_len = 0;
        } else if (n > 0) {
                memmove(c->out, c->out + n, c->out_len - (size_t)n);
                c->out_len -= (size_t)n;
        }
}

/* Queue line and a newline for c, and write what the socket takes. */
static void proxy_send(struct proxy_conn *c, const char *line, size_t len)
{
        if (c->out_len + len + 1 > PROXY_OUTPUT_MAX) {
                c->closing = true;
                c->out_len = 0;
                return;
        }
        if (c->out_len + len + 1 > c->out_size) {
                size_t size = (c->out_len + len + 1) * 2;
                char *out = realloc(c->out, size);

                if (!out) {
                        c->closing = true;
                        return;
                }
                c->out = out;
                c->out_size = size;
        }
        memcpy(c->out + c->out_len, line, len);
        c->out[c->out_len + len] = '\n';
        c->out_len += len + 1;
        proxy_write(c);
}

/* Answer a line lscd would refuse before reading its id, as lscd does. */
static void proxy_refuse(struct proxy_conn *c, enum lsc_errcode code, const char *message)
{
        char line[256];
        int n = snprintf(line, sizeof(line), "{\"ok\":false,\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
                         lsc_errcode_name(code), message);

        proxy_send(c, line, (size_t)n);
}

/* The mask of a subscribe request's events (absent: all). */
static unsigned proxy_mask(const cJSON *request)
{
        const cJSON *events = cJSON_GetObjectItemCaseSensitive(request, "events"), *e;
        unsigned mask = 0;

        if (!events)
                return LSC_EVENT_MASK_ALL;
        cJSON_ArrayForEach(e, events)
                if (cJSON_IsString(e))
                        mask |= lsc_event_mask_from_pattern(e->valuestring);
        return mask;
}

/* Note what the answer needs in f (the program's id, a subscription), give
 * request the proxy's id, and send it. Returns 0 or a negative errno. */
static int proxy_forward(struct proxy *p, struct proxy_forward *f, cJSON *request)
{
        cJSON *id = cJSON_DetachItemFromObjectCaseSensitive(request, "id");
        const cJSON *cmd = cJSON_GetObjectItemCaseSensitive(request, "cmd");
        int r;

        f->id = id ? cJSON_PrintUnformatted(id) : NULL;
        cJSON_Delete(id);
        if (id && !f->id)
                return -ENOMEM;
        if (cJSON_IsString(cmd) && (strcmp(cmd->valuestring, "subscribe") == 0 ||
                                    strcmp(cmd->valuestring, "unsubscribe") == 0)) {
                f->subscribe = cmd->valuestring[0] == 's' ? 1 : -1;
                f->mask = proxy_mask(request);
                /* lscd checks the events; the union of the programs'
                 * subscriptions is what it sends the proxy. */
                if (!cJSON_SetValuestring((cJSON *)cmd, "subscribe"))
                        return -ENOMEM;
        }
        f->sent_id = ++p->last_id;
        if (!cJSON_AddNumberToObject(request, "id", f->sent_id))
                return -ENOMEM;
        r = lsc_client_send(p->upstream, request, proxy_answered, f);
        return r;
}

/* One request line of c. */
static void proxy_request(struct proxy *p, struct proxy_conn *c, const char *line, size_t len)
{
        cJSON *request = cJSON_ParseWithLength(line, len);
        struct proxy_forward *f;
        int r;

        if (!request) {
                proxy_refuse(c, LSC_ERRCODE_INVALID_JSON, "the line is not JSON");
                return;
        }
        if (!cJSON_IsObject(request)) {
                cJSON_Delete(request);
                proxy_refuse(c, LSC_ERRCODE_INVALID_REQUEST, "a request is a JSON object");
                return;
        }
        f = calloc(1, sizeof(*f));
        r = f ? 0 : -ENOMEM;
        if (f) {
                *f = (struct proxy_forward) { .proxy = p, .conn = c->number, .next = p->forwards };
                if (p->forwards)
                        p->forwards->prev = f;
                p->forwards = f;
                r = proxy_forward(p, f, request);
        }
        if (r == 0)
                c->forwarded++;
        cJSON_Delete(request);
        if (r == -EINVAL)
                proxy_refuse(c, LSC_ERRCODE_INVALID_REQUEST, "a request has a string \\\"cmd\\\"");
        else if (r < 0) /* no memory, or lscd is gone: the claim ends soon */
                c->closing = true;
        if (r < 0 && f)
                proxy_forward_free(f);
}

/* Read what c sent and forward its lines. */
static void proxy_read(struct proxy *p, struct proxy_conn *c)
{
        char *buf, *line;
        size_t size = linebuf_space(&c->in, &buf), len;
        ssize_t n = size ? read(c->fd, buf, size) : 0;
        int r;

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n > 0)
                linebuf_commit(&c->in, (size_t)n);
        else
                linebuf_end(&c->in);
        while ((r = linebuf_take(&c->in, &line, &len)) > 0)
                proxy_request(p, c, line, len);
        if (r == -EMSGSIZE || (size == 0 && r == 0)) {
                proxy_refuse(c, LSC_ERRCODE_LINE_TOO_LONG, "the line is too long");
                c->closing = true;
        }
        if (n <= 0)
                c->eof = true;
}

static void proxy_close(struct proxy *p, struct proxy_conn *c)
{
        struct proxy_conn **pp = &p->conns;

        while (*pp != c)
                pp = &(*pp)->next;
        *pp = c->next;
        p->n_conns--;
        close(c->fd);
        linebuf_done(&c->in);
        free(c->out);
        free(c);
}

/* Accept a program, and greet it with lscd's hello. */
static int proxy_accept(struct proxy *p)
{
        const char *hello = lsc_client_line(lsc_client_hello(p->upstream));
        int fd = accept4(p->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct proxy_conn *c;

        if (fd < 0)
                return errno == EAGAIN || errno == EINTR || errno == ECONNABORTED ? 0 : -errno;
        c = p->n_conns < PROXY_CONNS_MAX ? calloc(1, sizeof(*c)) : NULL;
        if (!c || linebuf_init(&c->in, LSC_PROTOCOL_LINE_MAX) < 0) {
                free(c);
                close(fd);
                return 0;
        }
        c->fd = fd;
        c->number = ++p->last_conn;
        c->next = p->conns;
        p->conns = c;
        p->n_conns++;
        if (hello)
                proxy_send(c, hello, strlen(hello));
        return 0;
}

/* Pass upstream's events to the programs that subscribed to them. */
static void proxy_events(struct proxy *p)
{
        cJSON *event;

        while (lsc_client_next_event(p->upstream, &event) > 0) {
                const cJSON *name = cJSON_GetObjectItemCaseSensitive(event, "event");
                const char *line = lsc_client_line(event);
                unsigned mask = cJSON_IsString(name) ? lsc_event_mask_from_pattern(name->valuestring) : 0;

                if (p->watch)
                        p->watch(p->userdata, event);
                for (struct proxy_conn *c = p->conns; c && line && mask; c = c->next)
                        if (c->events & mask)
                                proxy_send(c, line, strlen(line));
                cJSON_Delete(event);
        }
}

int proxy_new(struct lsc_client *upstream, void (*watch)(void *userdata, const cJSON *event),
              void *userdata, struct proxy **ret)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *base = getenv("XDG_RUNTIME_DIR");
        struct proxy *p = calloc(1, sizeof(*p));
        int r;

        if (!p)
                return -ENOMEM;
        *p = (struct proxy) { .upstream = upstream, .watch = watch, .userdata = userdata, .fd = -1 };
        if (!base || base[0] != '/' || strlen(base) > 40)
                base = "/tmp";
        snprintf(p->dir, sizeof(p->dir), "%s/lscctl-claim.XXXXXX", base);
        if (!mkdtemp(p->dir)) {
                p->dir[0] = '\0';
                r = -errno;
                proxy_free(p);
                return r;
        }
        snprintf(p->path, sizeof(p->path), "%s/lscd.sock", p->dir);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p->path);
        p->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (p->fd < 0 || bind(p->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(p->fd, 16) < 0) {
                r = -errno;
                proxy_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

struct proxy *proxy_free(struct proxy *p)
{
        if (!p)
                return NULL;
        while (p->conns)
                proxy_close(p, p->conns);
        while (p->forwards)
                proxy_forward_free(p->forwards);
        if (p->fd >= 0) {
                close(p->fd);
                unlink(p->path);
        }
        if (p->dir[0])
                rmdir(p->dir);
        free(p);
        return NULL;
}

const char *proxy_path(const struct proxy *p)
{
        return p->path;
}

int proxy_pollfds(const struct proxy *p, struct pollfd *fds, int max)
{
        int n = 0;

        if (max > 0)
                fds[n++] = (struct pollfd) { .fd = p->fd, .events = POLLIN };
        for (const struct proxy_conn *c = p->conns; c && n < max; c = c->next)
                fds[n++] = (struct pollfd) { .fd = c->fd,
                        .events = (c->closing || c->eof ? 0 : POLLIN) | (c->out_len ? POLLOUT : 0) };
        return n;
}

/* Write what c has queued; close it once it failed, or once it ended and
 * every answer it waits for is sent. */
static void proxy_flush(struct proxy *p, struct proxy_conn *c)
{
        proxy_write(c);
        if (c->out_len == 0 && (c->closing || (c->eof && c->forwarded == 0)))
                proxy_close(p, c);
}

int proxy_process(struct proxy *p, const struct pollfd *fds, int n)
{
        int r = 0;

        for (int i = 1; i < n; i++) {
                struct proxy_conn *c = p->conns;

                while (c && c->fd != fds[i].fd)
                        c = c->next;
                if (c && (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) && !c->closing && !c->eof)
                        proxy_read(p, c);
        }
        proxy_events(p);
        for (struct proxy_conn *c = p->conns, *next; c; c = next) {
                next = c->next;
                proxy_flush(p, c);
        }
        if (n > 0 && (fds[0].revents & POLLIN))
                r = proxy_accept(p);
        return r;
}

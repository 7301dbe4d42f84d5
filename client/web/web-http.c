/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lsc/client.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "web-api.h"
#include "web-conn.h"
#include "web-http.h"
#include "web-link.h"

#define WEB_HTTP_CSP "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; " \
        "base-uri 'none'; form-action 'self'"

/* The files a page may load without logging in. */
static const char *const web_http_public[] = { "/login.html", "/login.js", "/style.css" };

static const struct {
        const char *ext, *type;
} web_http_types[] = {
        { ".html", "text/html; charset=utf-8" },
        { ".css", "text/css; charset=utf-8" },
        { ".js", "text/javascript; charset=utf-8" },
        { ".svg", "image/svg+xml" },
        { ".png", "image/png" },
};

static const char *web_http_header(struct MHD_Connection *conn, const char *name)
{
        return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result web_http_queue(struct MHD_Connection *conn, unsigned status,
                                      struct MHD_Response *resp, const char *type)
{
        enum MHD_Result r;

        if (!resp)
                return MHD_NO;
        MHD_add_response_header(resp, "Content-Type", type);
        MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
        MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
        MHD_add_response_header(resp, "Content-Security-Policy", WEB_HTTP_CSP);
        MHD_add_response_header(resp, "Cache-Control", "no-store");
        r = MHD_queue_response(conn, status, resp);
        MHD_destroy_response(resp);
        return r;
}

/* TEXT (taken) as a JSON answer, with the header NAME: VALUE when NAME. */
static enum MHD_Result web_http_json(struct MHD_Connection *conn, unsigned status, char *text,
                                     const char *name, const char *value)
{
        struct MHD_Response *resp = MHD_create_response_from_buffer(strlen(text), text,
                                                                    MHD_RESPMEM_MUST_FREE);

        if (resp && name)
                MHD_add_response_header(resp, name, value);
        if (resp && status == 401)
                MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"lscd-web\"");
        if (!resp)
                free(text);
        return web_http_queue(conn, status, resp, "application/json");
}

static enum MHD_Result web_http_error(struct MHD_Connection *conn, unsigned status,
                                      const char *code, const char *message)
{
        log_debug("refused with %u: %s", status, message);
        return web_http_json(conn, status, web_api_error_text(code, message), NULL, NULL);
}

/* 429: the address sent too many wrong tokens; it may try in RETRY_S. */
static enum MHD_Result web_http_throttled(struct MHD_Connection *conn, unsigned retry_s)
{
        char seconds[16];

        snprintf(seconds, sizeof(seconds), "%u", retry_s);
        return web_http_json(conn, 429, web_api_error_text("forbidden", "too many wrong tokens "
                                                           "from this address: try again later"),
                             "Retry-After", seconds);
}

/* The address of CONN as 16 bytes: IPv6, or IPv4 mapped into it. */
static void web_http_address(struct MHD_Connection *conn, uint8_t *addr)
{
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(conn,
                                                                       MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        const struct sockaddr *sa = info ? info->client_addr : NULL;

        memset(addr, 0, 16);
        if (sa && sa->sa_family == AF_INET6)
                memcpy(addr, &((const struct sockaddr_in6 *) sa)->sin6_addr, 16);
        else if (sa && sa->sa_family == AF_INET) {
                addr[10] = addr[11] = 0xff;
                memcpy(addr + 12, &((const struct sockaddr_in *) sa)->sin_addr, 4);
        }
}

/* Whether TOKEN is ours, unless CONN's address sent too many wrong ones
 * lately: 1 right, 0 wrong (counted), -EBUSY refused with *RETRY_S set. */
static int web_http_token(struct web *w, struct MHD_Connection *conn, const char *token,
                          unsigned *retry_s)
{
        uint64_t now = clock_usec(CLOCK_MONOTONIC), wait;
        uint8_t addr[16];

        web_http_address(conn, addr);
        wait = web_auth_throttle_wait(&w->failures, addr, now);
        if (wait > 0) {
                *retry_s = (unsigned) ((wait + CLOCK_USEC_PER_SEC - 1) / CLOCK_USEC_PER_SEC);
                return -EBUSY;
        }
        if (w->opt.token[0] && web_auth_equal(token, strlen(token), w->opt.token, strlen(w->opt.token)))
                return 1;
        web_auth_throttle_fail(&w->failures, addr, now);
        log_notice("a wrong token");
        return 0;
}

static enum MHD_Result web_http_redirect(struct MHD_Connection *conn, const char *to)
{
        struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);

        if (resp)
                MHD_add_response_header(resp, "Location", to);
        return web_http_queue(conn, 303, resp, "text/plain");
}

static const char *web_http_type(const char *name)
{
        size_t base = strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-");

        if (base == 0)
                return NULL;
        for (size_t i = 0; i < sizeof(web_http_types) / sizeof(web_http_types[0]); i++)
                if (strcmp(name + base, web_http_types[i].ext) == 0)
                        return web_http_types[i].type;
        return NULL;
}

/* A file of the page's directory: a plain name with a known extension. */
static enum MHD_Result web_http_static(struct web *w, struct MHD_Connection *conn, const char *url)
{
        const char *name = strcmp(url, "/") == 0 ? "index.html" : url + 1;
        const char *type = web_http_type(name);
        struct MHD_Response *resp;
        struct stat st;
        int fd;

        if (!type)
                return web_http_error(conn, 404, "unknown_command", "no such page");
        fd = openat(w->www_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                if (fd >= 0)
                        close(fd);
                return web_http_error(conn, 404, "unknown_command", "no such page");
        }
        resp = MHD_create_response_from_fd((size_t) st.st_size, fd);
        if (!resp) {
                close(fd);
                return web_http_error(conn, 500, "invalid_request", "cannot serve the page");
        }
        return web_http_queue(conn, 200, resp, type);
}

struct web_http_count {
        const char *name;
        unsigned n;
};

static enum MHD_Result web_http_count_one(void *userdata, enum MHD_ValueKind kind, const char *key,
                                          const char *value)
{
        struct web_http_count *count = userdata;

        if (strcasecmp(key, count->name) == 0)
                count->n++;
        return MHD_YES;
}

/* Whether CONN has the header NAME more than once. */
static bool web_http_repeated(struct MHD_Connection *conn, const char *name)
{
        struct web_http_count count = { name, 0 };

        MHD_get_connection_values(conn, MHD_HEADER_KIND, web_http_count_one, &count);
        return count.n > 1;
}

/* Whether a proxy forwarded the request: it connects from loopback, and
 * would pass for a local user without a login. */
static bool web_http_proxied(struct MHD_Connection *conn)
{
        static const char *const headers[] = {
                "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP",
        };

        for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
                if (web_http_header(conn, headers[i]))
                        return true;
        return false;
}

static bool web_http_is_public(const char *method, const char *url)
{
        if (strcmp(method, "POST") == 0)
                return strcmp(url, "/api/login") == 0;
        for (size_t i = 0; i < sizeof(web_http_public) / sizeof(web_http_public[0]); i++)
                if (strcmp(url, web_http_public[i]) == 0)
                        return true;
        return false;
}

/* 1 when CONN has a login (cookie) or the token (bearer), 0 when not,
 * -EBUSY when its address may not try a token now (*RETRY_S). */
static int web_http_logged_in(struct web *w, struct MHD_Connection *conn, unsigned *retry_s)
{
        const char *auth = web_http_header(conn, "Authorization");
        char id[WEB_AUTH_ID_LEN + 1];

        if (auth && strncasecmp(auth, "Bearer ", 7) == 0)
                return web_http_token(w, conn, auth + 7, retry_s);
        return web_auth_cookie(web_http_header(conn, "Cookie"), WEB_AUTH_COOKIE, id, sizeof(id)) >= 0 &&
               web_auth_valid(&w->logins, id, clock_usec(CLOCK_MONOTONIC));
}

/* The checks before any other work: a request that fails one gets its
 * answer here, and nothing of it reaches lscd. Returns MHD_YES to go on. */
static enum MHD_Result web_http_guard(struct web *w, struct MHD_Connection *conn, const char *url,
                                      const char *method, bool *answered)
{
        const char *host = web_http_header(conn, "Host");
        const char *site = web_http_header(conn, "Sec-Fetch-Site");
        const char *mark = web_http_header(conn, "X-LSC-Request");
        bool post = strcmp(method, "POST") == 0;
        unsigned retry_s;
        int in;

        *answered = true;
        if (w->stopping)
                return web_http_error(conn, 503, "shutdown", "lscd-web is stopping");
        if (strcmp(method, "OPTIONS") == 0)
                return web_http_error(conn, 403, "forbidden", "cross-origin requests are refused");
        if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
                return web_http_error(conn, 405, "invalid_request", "only GET, HEAD and POST");
        if (web_http_repeated(conn, "Host") || web_http_repeated(conn, "Origin"))
                return web_http_error(conn, 400, "invalid_request", "a repeated Host or Origin header");
        if (!w->opt.token[0] && web_http_proxied(conn))
                return web_http_error(conn, 403, "forbidden", "a request through a proxy needs a login: "
                                      "start lscd-web with --token-file");
        if (!w->opt.token[0] && !web_auth_host_loopback(host))
                return web_http_error(conn, 403, "forbidden", "without a login, only for localhost");
        if (!web_auth_origin_ok(web_http_header(conn, "Origin"), host) ||
            (site && strcasecmp(site, "cross-site") == 0))
                return web_http_error(conn, 403, "forbidden", "another site's request is refused");
        if (post && (!mark || strcmp(mark, "1") != 0))
                return web_http_error(conn, 403, "forbidden", "a POST needs the header X-LSC-Request: 1");
        if (w->opt.token[0] && !web_http_is_public(method, url) &&
            (in = web_http_logged_in(w, conn, &retry_s)) <= 0) {
                if (in == -EBUSY)
                        return web_http_throttled(conn, retry_s);
                if (strncmp(url, "/api/", 5) == 0)
                        return web_http_error(conn, 401, "forbidden", "log in first");
                return web_http_redirect(conn, "/login.html");
        }
        *answered = false;
        return MHD_YES;
}

static enum MHD_Result web_http_events(struct web *w, struct MHD_Connection *conn)
{
        struct web_conn *c = web_conn_of(conn);
        struct MHD_Response *resp;
        struct web_link *l;
        char *hello;

        if (w->n_streams >= WEB_MAX_STREAMS)
                return web_http_error(conn, 503, "too_many_clients", "too many event streams");
        if (web_link_new(w, true, &l) < 0)
                return web_http_error(conn, 503, "not_connected", "lscd is not reachable");
        hello = mem_printf("retry: 2000\nevent: session\ndata: {\"session\":\"%s\"}\n\n", l->session);
        web_link_stream_add(l, hello, strlen(hello));
        free(hello);
        l->conn = conn;
        if (w->opt.token[0] && !web_http_header(conn, "Authorization") &&
            web_auth_cookie(web_http_header(conn, "Cookie"), WEB_AUTH_COOKIE, l->login, sizeof(l->login)) < 0)
                l->login[0] = '\0';    /* the token as a bearer: a login that does not end */
        resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, web_link_stream_read, l,
                                                 web_link_stream_gone);
        if (!resp)
                web_link_free(l);
        else if (c)
                c->stream = l;
        return web_http_queue(conn, 200, resp, "text/event-stream");
}

/* The link for a request: its session's, else the shared one. A stop
 * whose session has ended goes through the shared link: a halt never
 * depends on the page's event stream. */
static struct web_link *web_http_link(struct web *w, struct MHD_Connection *conn, const char *verb,
                                      bool *unknown)
{
        const char *session = web_http_header(conn, "X-LSC-Session");

        *unknown = false;
        if (session) {
                for (struct web_link *l = w->streams; l; l = l->next)
                        if (strcmp(l->session, session) == 0 && l->client && !l->ended)
                                return l;
                if (!web_api_is_stop(verb)) {
                        *unknown = true;
                        return NULL;
                }
        }
        if (!w->shared)
                (void) web_link_new(w, false, &w->shared);
        return w->shared;
}

/* The body is read: build the request and send it, or answer at once. */
static enum MHD_Result web_http_call(struct web *w, struct web_call *call, const char *verb)
{
        struct web_api_error err;
        struct web_link *l;
        bool unknown;
        cJSON *request;
        int r;

        if (w->stopping)        /* its body came while stopping: it may not wait */
                return web_http_error(call->conn, 503, "shutdown", "lscd-web is stopping");
        if (web_api_needs_session(verb) && !web_http_header(call->conn, "X-LSC-Session"))
                return web_http_error(call->conn, 400, "invalid_request",
                                      "this verb needs a session (X-LSC-Session of an open GET /api/events): "
                                      "the requests without one share one lscd client");
        if (w->n_waiting >= WEB_MAX_WAITING && !web_api_is_stop(verb))
                return web_http_error(call->conn, 503, "too_many_clients",
                                      "too many requests wait for lscd: try again later");
        request = web_api_request(verb, call->body ? call->body : "", call->len, &err);
        if (!request)
                return web_http_error(call->conn, err.status, err.code, err.message);
        call->claim = strcmp(verb, "claim") == 0;
        l = web_http_link(w, call->conn, verb, &unknown);
        if (!l) {
                cJSON_Delete(request);
                if (unknown)
                        return web_http_error(call->conn, 400, "invalid_request",
                                              "unknown session: its event stream has ended");
                return web_http_error(call->conn, 503, "not_connected", "lscd is not reachable");
        }
        r = web_link_send(l, call, request);
        cJSON_Delete(request);
        if (r == -EINVAL)
                return web_http_error(call->conn, 400, "invalid_json", "lscd would not read this body");
        if (r == -EMSGSIZE)
                return web_http_error(call->conn, 413, "line_too_long", "the request is too long");
        if (r < 0)
                return web_http_error(call->conn, 503, "not_connected", "lscd is not reachable");
        return MHD_YES;
}

static enum MHD_Result web_http_login(struct web *w, struct web_call *call)
{
        struct web_api_error err;
        unsigned retry_s;
        cJSON *o;
        const cJSON *token;
        int ok;
        uint8_t random[WEB_AUTH_ID_LEN / 2];
        char *cookie;
        enum MHD_Result r;

        if (!w->opt.token[0])
                return web_http_error(call->conn, 404, "unknown_command",
                                      "there is no login: lscd-web runs without --token-file");
        o = web_api_object(call->body ? call->body : "", call->len, &err);
        if (!o)
                return web_http_error(call->conn, err.status, err.code, err.message);
        token = cJSON_GetObjectItemCaseSensitive(o, "token");
        ok = web_http_token(w, call->conn, cJSON_IsString(token) ? token->valuestring : "", &retry_s);
        cJSON_Delete(o);
        if (ok == -EBUSY)
                return web_http_throttled(call->conn, retry_s);
        if (ok == 0)
                return web_http_error(call->conn, 403, "forbidden", "wrong token");
        if (getrandom(random, sizeof(random), 0) != (ssize_t) sizeof(random))
                abort();        /* the kernel's CSPRNG does not fail once seeded */
        cookie = mem_printf(WEB_AUTH_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%llu",
                            web_auth_login(&w->logins, random, clock_usec(CLOCK_MONOTONIC)),
                            WEB_AUTH_LOGIN_USEC / CLOCK_USEC_PER_SEC);
        r = web_http_json(call->conn, 200, mem_strdup("{\"ok\":true}"), "Set-Cookie", cookie);
        free(cookie);
        web_end_lost_logins(w);        /* it may have pushed the oldest out */
        return r;
}

static enum MHD_Result web_http_logout(struct web *w, struct web_call *call)
{
        char id[WEB_AUTH_ID_LEN + 1];

        if (web_auth_cookie(web_http_header(call->conn, "Cookie"), WEB_AUTH_COOKIE, id, sizeof(id)) >= 0)
                web_auth_logout(&w->logins, id);
        web_end_lost_logins(w);
        return web_http_json(call->conn, 200, mem_strdup("{\"ok\":true}"), "Set-Cookie",
                             WEB_AUTH_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

/* A POST's later calls: body bytes, then the end of the body, then (after
 * lscd's answer resumed it) the answer. */
static enum MHD_Result web_http_post(struct web *w, struct web_call *call, const char *url,
                                     const char *upload, size_t *upload_size)
{
        if (*upload_size > 0) {
                if (call->len + *upload_size <= WEB_API_BODY_MAX) {
                        call->body = mem_realloc_array(call->body, call->len + *upload_size + 1, 1);
                        memcpy(call->body + call->len, upload, *upload_size);
                        call->body[call->len + *upload_size] = '\0';
                }
                call->len += *upload_size;
                *upload_size = 0;
                return MHD_YES;
        }
        if (call->state == WEB_CALL_DONE) {
                char *answer = call->answer;

                call->answer = NULL;
                return web_http_json(call->conn, call->status, answer, NULL, NULL);
        }
        if (call->state == WEB_CALL_WAITING)
                return MHD_YES;
        if (call->len > WEB_API_BODY_MAX)
                return web_http_error(call->conn, 413, "line_too_long", "the body is too long");
        if (strcmp(url, "/api/login") == 0)
                return web_http_login(w, call);
        if (strcmp(url, "/api/logout") == 0)
                return web_http_logout(w, call);
        return web_http_call(w, call, web_api_verb(url));
}

static enum MHD_Result web_http_first_post(struct web *w, struct MHD_Connection *conn, const char *url,
                                           void **context)
{
        const char *length = web_http_header(conn, "Content-Length");
        struct web_call *call;

        if (strcmp(url, "/api/login") != 0 && strcmp(url, "/api/logout") != 0 && !web_api_verb(url))
                return web_http_error(conn, 404, "unknown_command", "no such API call");
        if (length && strtoull(length, NULL, 10) > WEB_API_BODY_MAX)
                return web_http_error(conn, 413, "line_too_long", "the body is too long");
        call = mem_new0(struct web_call);
        call->web = w;
        call->conn = conn;
        *context = call;
        return MHD_YES;
}

size_t web_http_unescape(void *userdata, struct MHD_Connection *conn, char *s)
{
        size_t len = MHD_http_unescape(s);

        for (char *nul = memchr(s, '\0', len); nul; nul = memchr(nul, '\0', len - (size_t) (nul - s)))
                *nul = '\x7f';
        return len;
}

enum MHD_Result web_http_access(void *userdata, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *upload,
                                size_t *upload_size, void **context)
{
        struct web *w = userdata;
        bool answered;
        enum MHD_Result r;

        if (*upload_size == 0 && (*context || strcmp(method, "POST") != 0))
                web_conn_read(web_conn_of(conn));
        if (*context)
                return web_http_post(w, *context, url, upload, upload_size);
        r = web_http_guard(w, conn, url, method, &answered);
        if (answered)
                return r;
        if (strcmp(method, "POST") == 0)
                return web_http_first_post(w, conn, url, context);
        if (strcmp(url, "/api/events") == 0 && strcmp(method, "GET") == 0)
                return web_http_events(w, conn);
        if (strncmp(url, "/api/", 5) == 0)
                return web_http_error(conn, 405, "invalid_request", "the API takes POST");
        return web_http_static(w, conn, url);
}

void web_http_completed(void *userdata, struct MHD_Connection *conn, void **context,
                        enum MHD_RequestTerminationCode toe)
{
        web_call_completed(*context);
        *context = NULL;
        web_conn_next(web_conn_of(conn));
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of liblsc (client/lsc-client*.c) against a fake lscd: a Unix
 * socket in a temporary directory whose other end the test writes directly,
 * or from a forked child when the client must block meanwhile. Covers id
 * matching while events interleave, lines split anywhere, every transport
 * error, daemon errors, timeouts, the event queue bound and the builders.
 */
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lsc/client.h"

#define HELLO "{\"event\":\"hello\",\"time\":1.5,\"protocol\":1,\"version\":\"0.1.0\",\"device\":null}\n"

/* A fake daemon with one accepted connection. */
struct fake {
        char dir[64];
        char path[96];
        int listen_fd;
        int fd;           /* server end of the connection */
        pid_t child;      /* a forked script writing to fd, or 0 */
        struct lsc_client *c;
};

static void fake_listen(struct fake *f)
{
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        snprintf(f->dir, sizeof(f->dir), "/tmp/test-client-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(f->dir));
        snprintf(f->path, sizeof(f->path), "%s/lscd.sock", f->dir);
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", f->path);
        f->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        ck_assert_int_ge(f->listen_fd, 0);
        ck_assert_int_eq(bind(f->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
        ck_assert_int_eq(listen(f->listen_fd, 4), 0);
}

/* Listen, connect the client, accept, and send the hello. */
static void fake_start(struct fake *f)
{
        memset(f, 0, sizeof(*f));
        fake_listen(f);
        ck_assert_int_eq(lsc_client_connect(f->path, &f->c), 0);
        f->fd = accept(f->listen_fd, NULL, NULL);
        ck_assert_int_ge(f->fd, 0);
}

static void fake_write(int fd, const char *text)
{
        size_t len = strlen(text);

        while (len > 0) {
                ssize_t n = write(fd, text, len);

                ck_assert_int_gt(n, 0);
                text += n;
                len -= (size_t)n;
        }
}

/* Read one request line from the client and return it parsed. */
static cJSON *fake_read_request(int fd)
{
        char line[65536];
        size_t n = 0;

        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN };
                ssize_t r;

                ck_assert_int_eq(poll(&p, 1, 10000), 1);
                r = read(fd, line + n, 1);
                ck_assert_int_eq(r, 1);
                if (line[n] == '\n')
                        break;
                ck_assert_uint_lt(++n, sizeof(line) - 1);
        }
        line[n] = '\0';
        return cJSON_Parse(line);
}

/* The id of a request, as JSON text. */
static char *fake_request_id(const cJSON *request)
{
        return cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(request, "id"));
}

/* Run script(fd) in a child; the parent keeps only the client end. */
static void fake_fork(struct fake *f, void (*script)(int fd))
{
        f->child = fork();
        ck_assert_int_ge(f->child, 0);
        if (f->child == 0) {
                /* Only the parent may hold the client end, or EOF never comes. */
                close(lsc_client_fd(f->c));
                close(f->listen_fd);
                script(f->fd);
                _exit(0);
        }
        close(f->fd);
        f->fd = -1;
}

/* Wait until the client closes its end (so the child outlives its use). */
static void fake_linger(int fd)
{
        char buf[4096];

        while (read(fd, buf, sizeof(buf)) > 0)
                ;
}

static void fake_stop(struct fake *f)
{
        int status;

        f->c = lsc_client_free(f->c);
        if (f->fd >= 0)
                close(f->fd);
        if (f->child > 0) {
                ck_assert_int_eq(waitpid(f->child, &status, 0), f->child);
                ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        close(f->listen_fd);
        unlink(f->path);
        rmdir(f->dir);
}

static const char *event_name_of(const cJSON *event)
{
        return cJSON_GetObjectItemCaseSensitive(event, "event")->valuestring;
}

/* ---- connecting ---- */

START_TEST(test_default_socket)
{
        unsetenv("LSCD_SOCKET");
        ck_assert_str_eq(lsc_client_default_socket(), "/run/lscd/lscd.sock");
        setenv("LSCD_SOCKET", "", 1);
        ck_assert_str_eq(lsc_client_default_socket(), "/run/lscd/lscd.sock");
        setenv("LSCD_SOCKET", "/tmp/x.sock", 1);
        ck_assert_str_eq(lsc_client_default_socket(), "/tmp/x.sock");
        unsetenv("LSCD_SOCKET");
}
END_TEST

START_TEST(test_connect_errors)
{
        struct lsc_client *c = NULL;
        struct fake f = { 0 };
        char long_path[200];

        ck_assert_int_eq(lsc_client_connect("/nonexistent/lscd.sock", &c), -ENOENT);
        ck_assert_ptr_null(c);
        memset(long_path, 'a', sizeof(long_path) - 1);
        long_path[sizeof(long_path) - 1] = '\0';
        ck_assert_int_eq(lsc_client_connect(long_path, &c), -ENAMETOOLONG);
        /* A socket file nobody listens on any more. */
        fake_listen(&f);
        close(f.listen_fd);
        ck_assert_int_eq(lsc_client_connect(f.path, &c), -ECONNREFUSED);
        unlink(f.path);
        rmdir(f.dir);
        /* NULL path: $LSCD_SOCKET is used. */
        setenv("LSCD_SOCKET", "/nonexistent/env.sock", 1);
        ck_assert_int_eq(lsc_client_connect(NULL, &c), -ENOENT);
        unsetenv("LSCD_SOCKET");
        ck_assert_ptr_null(lsc_client_free(NULL));
}
END_TEST

START_TEST(test_hello)
{
        struct fake f;

        fake_start(&f);
        ck_assert_ptr_null(lsc_client_hello(f.c));
        ck_assert_str_eq(lsc_client_socket_path(f.c), f.path);
        fake_write(f.fd, HELLO);
        ck_assert_int_eq(lsc_client_wait(f.c, 10000), 1);
        ck_assert_ptr_nonnull(lsc_client_hello(f.c));
        ck_assert_str_eq(cJSON_GetObjectItem(lsc_client_hello(f.c), "version")->valuestring, "0.1.0");
        /* The hello is not an event for the caller. */
        ck_assert_uint_eq(lsc_client_events_queued(f.c), 0);
        ck_assert_int_eq(lsc_client_process(f.c), 0);
        fake_stop(&f);
}
END_TEST

START_TEST(test_protocol_version)
{
        struct fake f;

        fake_start(&f);
        fake_write(f.fd, "{\"event\":\"hello\",\"time\":1,\"protocol\":2,\"version\":\"9\",\"device\":null}\n");
        ck_assert_int_eq(lsc_client_wait(f.c, 10000), -EPROTONOSUPPORT);
        ck_assert_int_eq(lsc_client_get_error(f.c), -EPROTONOSUPPORT);
        ck_assert_int_eq(lsc_client_ping(f.c), -EPROTONOSUPPORT);
        fake_stop(&f);
}
END_TEST

/* ---- id matching ---- */

/* Blocking call: the response is already waiting, between two events. The
 * call returns with only the event before it queued. */
START_TEST(test_call_stops_after_response)
{
        struct fake f;
        cJSON *response, *event, *request;
        char *id;

        fake_start(&f);
        fake_write(f.fd, HELLO
                   "{\"event\":\"group.started\",\"time\":2,\"group\":3,\"runs\":1,\"source\":\"lscd\"}\n"
                   "{\"id\":1,\"ok\":true}\n"
                   "{\"event\":\"group.completed\",\"time\":3,\"group\":3,\"runs\":1}\n");
        ck_assert_int_eq(lsc_client_call_string(f.c, "{\"cmd\":\"ping\"}", &response), 0);
        ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(response, "ok")));
        cJSON_Delete(response);
        request = fake_read_request(f.fd);
        ck_assert_str_eq(cJSON_GetObjectItem(request, "cmd")->valuestring, "ping");
        id = fake_request_id(request);
        ck_assert_str_eq(id, "1");
        free(id);
        cJSON_Delete(request);

        ck_assert_uint_eq(lsc_client_events_queued(f.c), 1);
        ck_assert_int_eq(lsc_client_next_event(f.c, &event), 1);
        ck_assert_str_eq(event_name_of(event), "group.started");
        cJSON_Delete(event);
        ck_assert_int_eq(lsc_client_next_event(f.c, &event), 0);
        /* The line after the response is in the library's buffer, not the
         * socket: an event loop must not wait for the fd before processing. */
        {
                struct pollfd p = { .fd = lsc_client_fd(f.c), .events = lsc_client_events(f.c) };

                ck_assert_int_eq(poll(&p, 1, 0), 0);
        }
        ck_assert_int_eq(lsc_client_process(f.c), 1);
        ck_assert_int_eq(lsc_client_next_event(f.c, &event), 1);
        ck_assert_str_eq(event_name_of(event), "group.completed");
        cJSON_Delete(event);
        fake_stop(&f);
}
END_TEST

/* Callback that keeps the text of the response it is given. */
static void on_reply_line(void *userdata, struct lsc_client *c, const cJSON *response, int error)
{
        char **line = userdata;

        *line = strdup(lsc_client_line(response));
}

#define ODD_TIME "\"time\":1796004106.043727,\"s\":\"caf\\u00e9 \\/\",\"n\":1E3, \"a\":[ ]"

/* Every line handed out keeps its text as lscd sent it, which cJSON
 * printing changes. */
START_TEST(test_line_text)
{
        static const char *const lines[] = {
                "{\"event\":\"battery\"," ODD_TIME "}",
                "{\"id\":1,\"ok\":true," ODD_TIME "}",
                "{\"id\":2,\"ok\":true,\"x\":\"\t\"}",
        };
        cJSON *response, *event, *copy, *request = lsc_client_request_new("ping");
        char *async = NULL, *text;
        const char *hello;
        struct fake f;

        fake_start(&f);
        fake_write(f.fd, HELLO);
        for (size_t i = 0; i < 3; i++) {
                fake_write(f.fd, lines[i]);
                fake_write(f.fd, "\n");
        }
        ck_assert_int_eq(lsc_client_call(f.c, request, &response), 0);
        ck_assert_int_eq(lsc_client_send(f.c, request, on_reply_line, &async), 0);
        while (!async)
                ck_assert_int_ge(lsc_client_wait(f.c, 10000), 0);
        ck_assert_int_eq(lsc_client_next_event(f.c, &event), 1);
        hello = lsc_client_line(lsc_client_hello(f.c));
        ck_assert_uint_eq(strlen(hello) + 1, strlen(HELLO));
        ck_assert_int_eq(strncmp(hello, HELLO, strlen(hello)), 0);
        ck_assert_str_eq(lsc_client_line(event), lines[0]);
        ck_assert_str_eq(lsc_client_line(response), lines[1]);
        ck_assert_str_eq(async, lines[2]);
        text = cJSON_PrintUnformatted(event);
        ck_assert_str_ne(text, lines[0]);
        free(text);
        copy = cJSON_Duplicate(event, true);
        ck_assert_str_eq(lsc_client_line(copy), lines[0]);
        ck_assert_ptr_null(lsc_client_line(request));
        ck_assert_ptr_null(lsc_client_line(cJSON_GetObjectItem(event, "a")));
        cJSON_Delete(copy);
        cJSON_Delete(event);
        cJSON_Delete(response);
        cJSON_Delete(request);
        free(async);
        fake_stop(&f);
}
END_TEST

/* Answers the three requests it reads in reverse order, each preceded by an
 * event, and echoes the request's "n" so the test can check the match. */
static void script_reverse(int fd)
{
        cJSON *requests[3];
        char line[512];

        fake_write(fd, HELLO);
        for (int i = 0; i < 3; i++)
                requests[i] = fake_read_request(fd);
        for (int i = 2; i >= 0; i--) {
                char *id = fake_request_id(requests[i]);
                int n = cJSON_GetObjectItem(requests[i], "n")->valueint;

                snprintf(line, sizeof(line),
                         "{\"event\":\"battery\",\"time\":4,\"millivolts\":%d}\n"
                         "{\"ok\":true,\"echo\":%d,\"id\":%s}\n", 7000 + i, n, id);
                fake_write(fd, line);
                free(id);
                cJSON_Delete(requests[i]);
        }
        fake_linger(fd);
}

struct reply {
        int calls;
        int error;
        int echo;
};

static void on_reply(void *userdata, struct lsc_client *c, const cJSON *response, int error)
{
        struct reply *r = userdata;

        r->calls++;
        r->error = error;
        r->echo = response ? cJSON_GetObjectItem(response, "echo")->valueint : -1;
}

START_TEST(test_async_out_of_order)
{
        struct reply replies[3] = { { 0 } };
        struct fake f;
        cJSON *event;

        fake_start(&f);
        fake_fork(&f, script_reverse);
        for (int i = 0; i < 3; i++) {
                cJSON *request = lsc_client_request_new("ping");

                cJSON_AddNumberToObject(request, "n", 10 + i);
                /* The middle one carries its own id, a string. */
                if (i == 1)
                        cJSON_AddStringToObject(request, "id", "mine");
                ck_assert_int_eq(lsc_client_send(f.c, request, on_reply, &replies[i]), 0);
                cJSON_Delete(request);
        }
        while (replies[0].calls == 0) {
                struct pollfd p = { .fd = lsc_client_fd(f.c), .events = lsc_client_events(f.c) };

                ck_assert_int_eq(poll(&p, 1, 10000), 1);
                ck_assert_int_ge(lsc_client_process(f.c), 0);
        }
        for (int i = 0; i < 3; i++) {
                ck_assert_int_eq(replies[i].calls, 1);
                ck_assert_int_eq(replies[i].error, 0);
                ck_assert_int_eq(replies[i].echo, 10 + i);
        }
        /* Events keep their order: 7002, 7001, 7000. */
        for (int i = 2; i >= 0; i--) {
                ck_assert_int_eq(lsc_client_next_event(f.c, &event), 1);
                ck_assert_int_eq(cJSON_GetObjectItem(event, "millivolts")->valueint, 7000 + i);
                cJSON_Delete(event);
        }
        fake_stop(&f);
}
END_TEST

START_TEST(test_duplicate_id)
{
        struct fake f;
        cJSON *request = lsc_client_request_new("ping");

        fake_start(&f);
        cJSON_AddNumberToObject(request, "id", 7);
        ck_assert_int_eq(lsc_client_send(f.c, request, NULL, NULL), 0);
        ck_assert_int_eq(lsc_client_send(f.c, request, NULL, NULL), -EEXIST);
        cJSON_Delete(request);
        /* Library ids skip the caller's: the next call uses 1, then 2, ... */
        fake_write(f.fd, HELLO "{\"id\":7,\"ok\":true}\n{\"id\":1,\"ok\":true}\n");
        ck_assert_int_eq(lsc_client_ping(f.c), 0);
        fake_stop(&f);
}
END_TEST

/* Writes a response (and an event) one byte at a time. */
static void script_trickle(int fd)
{
        const char *text = HELLO "{\"event\":\"battery\",\"time\":5,\"millivolts\":7400}\n"
                           "{\"id\":1,\"ok\":true,\"millivolts\":7412}\n";
        cJSON *request = fake_read_request(fd);

        cJSON_Delete(request);
        for (const char *p = text; *p; p++) {
                ck_assert_int_eq(write(fd, p, 1), 1);
                if ((p - text) % 16 == 0)
                        usleep(1000);
        }
        fake_linger(fd);
}

START_TEST(test_partial_lines)
{
        struct fake f;
        unsigned mv = 0;
        cJSON *event;

        fake_start(&f);
        fake_fork(&f, script_trickle);
        lsc_client_set_timeout(f.c, 20000);
        ck_assert_int_eq(lsc_client_battery(f.c, &mv), 0);
        ck_assert_uint_eq(mv, 7412);
        ck_assert_int_eq(lsc_client_next_event(f.c, &event), 1);
        ck_assert_int_eq(cJSON_GetObjectItem(event, "millivolts")->valueint, 7400);
        cJSON_Delete(event);
        fake_stop(&f);
}
END_TEST

/* ---- errors ---- */

START_TEST(test_daemon_error)
{
        struct fake f;
        struct lsc_servo servo = { .id = 40, .position = 1500 };

        fake_start(&f);
        fake_write(f.fd, HELLO "{\"id\":1,\"ok\":false,\"error\":{\"code\":\"invalid_argument\","
                   "\"message\":\"servo id 40 is outside 1..32\",\"field\":\"servos[0].id\"}}\n"
                   "{\"id\":2,\"ok\":false,\"error\":{\"code\":\"stopped\",\"message\":\"group 8 was stopped\"}}\n"
                   "{\"id\":3,\"ok\":true,\"millivolts\":7400}\n");
        ck_assert_int_eq(lsc_client_move(f.c, &servo, 1, 100, false), -EREMOTEIO);
        ck_assert_str_eq(lsc_client_error_code(f.c), "invalid_argument");
        ck_assert_str_eq(lsc_client_error_message(f.c), "servo id 40 is outside 1..32");
        ck_assert_str_eq(lsc_client_error_field(f.c), "servos[0].id");
        ck_assert_int_eq(lsc_client_group_run(f.c, 8, 1, true), -EREMOTEIO);
        ck_assert_str_eq(lsc_client_error_code(f.c), "stopped");
        ck_assert_ptr_null(lsc_client_error_field(f.c));
        ck_assert_int_eq(lsc_client_battery(f.c, NULL), 0);
        ck_assert_ptr_null(lsc_client_error_code(f.c));
        /* The connection is still fine after daemon errors. */
        ck_assert_int_eq(lsc_client_get_error(f.c), 0);
        fake_stop(&f);
}
END_TEST

START_TEST(test_error_response_returned)
{
        struct fake f;
        cJSON *response;

        fake_start(&f);
        fake_write(f.fd, HELLO "{\"id\":1,\"ok\":false,\"error\":{\"code\":\"timeout\",\"message\":\"no answer\"}}\n");
        ck_assert_int_eq(lsc_client_call_string(f.c, "{\"cmd\":\"battery\"}", &response), -EREMOTEIO);
        ck_assert_ptr_nonnull(response);
        ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(response, "error"), "code")->valuestring,
                         "timeout");
        cJSON_Delete(response);
        fake_stop(&f);
}
END_TEST

/* A full lscd sends one error line, without an id, instead of its hello. */
START_TEST(test_refused)
{
        struct fake f;

        fake_start(&f);
        fake_write(f.fd, "{\"ok\":false,\"error\":{\"code\":\"too_many_clients\","
                   "\"message\":\"lscd serves at most 2 clients at once (--max-clients)\"}}\n");
        close(f.fd);
        f.fd = -1;
        ck_assert_int_eq(lsc_client_ping(f.c), -ECONNREFUSED);
        ck_assert_str_eq(lsc_client_error_code(f.c), "too_many_clients");
        ck_assert_str_eq(lsc_client_error_message(f.c), "lscd serves at most 2 clients at once (--max-clients)");
        ck_assert_int_eq(lsc_client_get_error(f.c), -ECONNREFUSED);
        fake_stop(&f);
}
END_TEST

static void check_garbage(const char *garbage)
{
        struct fake f;

        fake_start(&f);
        fake_write(f.fd, HELLO);
        fake_write(f.fd, garbage);
        ck_assert_int_eq(lsc_client_ping(f.c), -EPROTO);
        /* Sticky: the stream cannot be trusted any more. */
        ck_assert_int_eq(lsc_client_get_error(f.c), -EPROTO);
        ck_assert_int_eq(lsc_client_ping(f.c), -EPROTO);
        ck_assert_int_eq(lsc_client_process(f.c), -EPROTO);
        fake_stop(&f);
}

START_TEST(test_garbage)
{
        check_garbage("this is not json\n");
        check_garbage("[1,2,3]\n");
        check_garbage("{\"id\":99,\"ok\":true}\n");          /* nobody asked */
        check_garbage("{\"id\":1,\"ok\":\"yes\"}\n");         /* ok not a bool */
        check_garbage("{\"id\":1,\"ok\":false}\n");           /* error without code */
        check_garbage("{\"event\":5}\n");
        check_garbage("{\"ok\":false,\"error\":{\"code\":\"x\"}}\n");  /* no id after the hello */
        check_garbage("{\"id\":1,\"ok\":true,\"s\":\"\x1b]0;x\x07\"}\n"); /* raw controls */
        check_garbage(HELLO);                                  /* a second hello */
}
END_TEST

START_TEST(test_nul_in_line)
{
        struct fake f;

        fake_start(&f);
        fake_write(f.fd, HELLO);
        ck_assert_int_eq(write(f.fd, "{\"event\":\"x\0\"}\n", 15), 15);
        ck_assert_int_eq(lsc_client_wait(f.c, 10000), -EPROTO);
        fake_stop(&f);
}
END_TEST

/* Sends a line longer than LSC_CLIENT_MAX_LINE, never ending it. */
static void script_long_line(int fd)
{
        static char chunk[65536];

        memset(chunk, 'a', sizeof(chunk));
        fake_write(fd, HELLO);
        for (size_t sent = 0; sent <= LSC_CLIENT_MAX_LINE; sent += sizeof(chunk))
                if (write(fd, chunk, sizeof(chunk)) < 0)
                        break; /* the client gave up, as it should */
        fake_linger(fd);
}

START_TEST(test_long_line)
{
        struct fake f;

        fake_start(&f);
        fake_fork(&f, script_long_line);
        ck_assert_int_eq(lsc_client_ping(f.c), -EPROTO);
        fake_stop(&f);
}
END_TEST

START_TEST(test_eof)
{
        struct reply reply = { 0 };
        struct fake f;
        cJSON *request = lsc_client_request_new("battery");

        fake_start(&f);
        ck_assert_int_eq(lsc_client_send(f.c, request, on_reply, &reply), 0);
        cJSON_Delete(request);
        /* A response that arrived before the close is still delivered. */
        fake_write(f.fd, HELLO "{\"event\":\"battery\",\"time\":1,\"millivolts\":1}\n");
        close(f.fd);
        f.fd = -1;
        ck_assert_int_eq(lsc_client_wait(f.c, 10000), 2);
        ck_assert_int_eq(reply.calls, 0);
        ck_assert_int_eq(lsc_client_wait(f.c, 10000), -ECONNRESET);
        ck_assert_int_eq(reply.calls, 1);
        ck_assert_int_eq(reply.error, -ECONNRESET);
        ck_assert_int_eq(lsc_client_ping(f.c), -ECONNRESET);
        /* The queued event can still be read. */
        ck_assert_uint_eq(lsc_client_events_queued(f.c), 1);
        fake_stop(&f);
}
END_TEST

START_TEST(test_timeout)
{
        struct fake f;
        cJSON *event;

        fake_start(&f);
        lsc_client_set_timeout(f.c, 50);
        ck_assert_int_eq(lsc_client_get_timeout(f.c), 50);
        ck_assert_int_eq(lsc_client_ping(f.c), -ETIMEDOUT);
        ck_assert_int_eq(lsc_client_get_error(f.c), 0);
        ck_assert_int_eq(lsc_client_wait(f.c, 50), -ETIMEDOUT);
        ck_assert_int_eq(lsc_client_wait_event(f.c, 0, &event), -ETIMEDOUT);
        /* A timeout of 0 still reads what is there. */
        fake_write(f.fd, "{\"event\":\"battery\",\"time\":1,\"millivolts\":1}\n");
        ck_assert_int_eq(lsc_client_wait_event(f.c, 0, &event), 1);
        cJSON_Delete(event);
        /* The late answer to request 1 is dropped; request 2 gets its own. */
        fake_write(f.fd, HELLO "{\"id\":1,\"ok\":false,\"error\":{\"code\":\"late\",\"message\":\"late\"}}\n"
                   "{\"id\":2,\"ok\":true}\n");
        lsc_client_set_timeout(f.c, -1);
        ck_assert_int_eq(lsc_client_ping(f.c), 0);
        fake_stop(&f);
}
END_TEST

START_TEST(test_invalid_requests)
{
        struct fake f;
        cJSON *request, *response = (cJSON *)1;
        char *big;

        fake_start(&f);
        ck_assert_int_eq(lsc_client_call_string(f.c, "{\"cmd\":", &response), -EINVAL);
        ck_assert_ptr_null(response);
        ck_assert_int_eq(lsc_client_call_string(f.c, "{\"nocmd\":1}", NULL), -EINVAL);
        ck_assert_int_eq(lsc_client_call_string(f.c, "[\"ping\"]", NULL), -EINVAL);
        ck_assert_int_eq(lsc_client_call_string(f.c, NULL, NULL), -EINVAL);
        request = lsc_client_request_new("ping");
        big = malloc(LSC_CLIENT_MAX_REQUEST);
        memset(big, 'x', LSC_CLIENT_MAX_REQUEST - 1);
        big[LSC_CLIENT_MAX_REQUEST - 1] = '\0';
        cJSON_AddStringToObject(request, "pad", big);
        ck_assert_int_eq(lsc_client_send(f.c, request, NULL, NULL), -EMSGSIZE);
        free(big);
        cJSON_Delete(request);
        ck_assert_int_eq(lsc_client_get_error(f.c), 0);
        fake_stop(&f);
}
END_TEST

/* Requests lscd could only answer without an id (invalid_json), which would
 * break the connection, are refused before anything reaches the wire. */
START_TEST(test_unsendable_requests)
{
        static const char *const texts[] = {
                "{\"cmd\":\"ping\",\"id\":\"\xff\"}",
                "{\"cmd\":\"ping\",\"\xc0\xaf\":1}",
                "{\"cmd\":\"ping\",\"id\":1e400}",
                "{\"cmd\":\"ping\",\"id\":2} {\"cmd\":\"halt\"}",
        };
        struct fake f;
        cJSON *request, *inner, *line;

        fake_start(&f);
        for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
                ck_assert_msg(lsc_client_call_string(f.c, texts[i], NULL) == -EINVAL, "%s", texts[i]);
        /* 32 levels are fine, 33 are not; a raw item could carry a newline. */
        request = lsc_client_request_new("ping");
        inner = cJSON_AddArrayToObject(request, "x");
        for (int depth = 2; depth < 32; depth++) {
                cJSON *array = cJSON_CreateArray();

                cJSON_AddItemToArray(inner, array);
                inner = array;
        }
        cJSON_AddNumberToObject(request, "id", 32);
        ck_assert_int_eq(lsc_client_send(f.c, request, NULL, NULL), 0);
        cJSON_AddItemToArray(inner, cJSON_CreateArray());
        cJSON_ReplaceItemInObject(request, "id", cJSON_CreateNumber(33));
        ck_assert_int_eq(lsc_client_send(f.c, request, NULL, NULL), -EINVAL);
        cJSON_Delete(request);
        request = lsc_client_request_new("ping");
        cJSON_AddRawToObject(request, "x", "1}\n{\"cmd\":\"halt\"");
        ck_assert_int_eq(lsc_client_send(f.c, request, NULL, NULL), -EINVAL);
        cJSON_Delete(request);
        /* Only the 32-level request was written, then the ping. */
        fake_write(f.fd, HELLO "{\"id\":32,\"ok\":true}\n{\"id\":\"last\",\"ok\":true}\n");
        ck_assert_int_eq(lsc_client_call_string(f.c, "{\"cmd\":\"ping\",\"id\":\"last\"}", NULL), 0);
        line = fake_read_request(f.fd);
        ck_assert_int_eq(cJSON_GetObjectItem(line, "id")->valueint, 32);
        cJSON_Delete(line);
        line = fake_read_request(f.fd);
        ck_assert_str_eq(cJSON_GetObjectItem(line, "cmd")->valuestring, "ping");
        ck_assert_str_eq(cJSON_GetObjectItem(line, "id")->valuestring, "last");
        cJSON_Delete(line);
        fake_stop(&f);
}
END_TEST

static void on_reply_process(void *userdata, struct lsc_client *c, const cJSON *response, int error)
{
        struct reply *r = userdata;

        r->calls++;
        r->error = error;
        r->echo = lsc_client_process(c);
}

/* lsc_client_process() never blocks, so a callback may call it: the lines
 * after the response are then handled once, by the inner call. */
START_TEST(test_process_from_callback)
{
        struct reply reply = { 0 };
        struct fake f;
        cJSON *request = lsc_client_request_new("ping"), *event;

        fake_start(&f);
        ck_assert_int_eq(lsc_client_send(f.c, request, on_reply_process, &reply), 0);
        cJSON_Delete(request);
        fake_write(f.fd, HELLO "{\"id\":1,\"ok\":true}\n"
                   "{\"event\":\"battery\",\"time\":1,\"millivolts\":7000}\n"
                   "{\"event\":\"battery\",\"time\":2,\"millivolts\":7001}\n");
        ck_assert_int_eq(lsc_client_wait(f.c, 10000), 2);
        ck_assert_int_eq(reply.calls, 1);
        ck_assert_int_eq(reply.error, 0);
        ck_assert_int_eq(reply.echo, 2);
        ck_assert_uint_eq(lsc_client_events_queued(f.c), 2);
        for (int i = 0; i < 2; i++) {
                ck_assert_int_eq(lsc_client_next_event(f.c, &event), 1);
                ck_assert_int_eq(cJSON_GetObjectItem(event, "millivolts")->valueint, 7000 + i);
                cJSON_Delete(event);
        }
        fake_write(f.fd, "{\"id\":2,\"ok\":true}\n");
        ck_assert_int_eq(lsc_client_ping(f.c), 0);
        fake_stop(&f);
}
END_TEST

/* lscd answered, then closed before reading the next request: writing it
 * fails (EPIPE), and the answer already received is still delivered. */
START_TEST(test_answer_before_close)
{
        struct reply reply = { 0 }, late = { 0 };
        struct fake f;
        cJSON *request = lsc_client_request_new("ping");

        fake_start(&f);
        cJSON_AddNumberToObject(request, "echo", 5);
        ck_assert_int_eq(lsc_client_send(f.c, request, on_reply, &reply), 0);
        cJSON_Delete(fake_read_request(f.fd));
        fake_write(f.fd, HELLO "{\"id\":1,\"ok\":true,\"echo\":5}\n");
        close(f.fd);
        f.fd = -1;
        ck_assert_int_eq(lsc_client_send(f.c, request, on_reply, &late), 0);
        cJSON_Delete(request);
        ck_assert_int_eq(lsc_client_wait(f.c, 10000), 2);
        ck_assert_int_eq(reply.calls, 1);
        ck_assert_int_eq(reply.error, 0);
        ck_assert_int_eq(reply.echo, 5);
        ck_assert_int_eq(lsc_client_wait(f.c, 10000), -ECONNRESET);
        ck_assert_int_eq(late.calls, 1);
        ck_assert_int_eq(late.error, -ECONNRESET);
        fake_stop(&f);
}
END_TEST

/* A daemon that stops reading but keeps its end open: the request that
 * could not be written fails at once instead of waiting for an answer. */
START_TEST(test_daemon_stops_reading)
{
        struct fake f;

        fake_start(&f);
        fake_write(f.fd, HELLO);
        ck_assert_int_eq(shutdown(f.fd, SHUT_RD), 0);
        lsc_client_set_timeout(f.c, 10000);
        ck_assert_int_eq(lsc_client_ping(f.c), -ECONNRESET);
        ck_assert_ptr_nonnull(lsc_client_hello(f.c));
        fake_stop(&f);
}
END_TEST

/* Floods events, then answers the one request. */
static void script_flood(int fd)
{
        char line[128];
        cJSON *request;

        fake_write(fd, HELLO);
        for (int i = 0; i < LSC_CLIENT_MAX_EVENTS + 5; i++) {
                snprintf(line, sizeof(line), "{\"event\":\"battery\",\"time\":1,\"millivolts\":%d}\n", i);
                fake_write(fd, line);
        }
        request = fake_read_request(fd);
        cJSON_Delete(request);
        fake_write(fd, "{\"id\":1,\"ok\":true}\n");
        fake_linger(fd);
}

START_TEST(test_event_queue_bound)
{
        struct fake f;
        cJSON *event;

        fake_start(&f);
        fake_fork(&f, script_flood);
        lsc_client_set_timeout(f.c, 20000);
        ck_assert_int_eq(lsc_client_ping(f.c), 0);
        ck_assert_uint_eq(lsc_client_events_queued(f.c), LSC_CLIENT_MAX_EVENTS);
        ck_assert_uint_eq(lsc_client_events_dropped(f.c), 5);
        /* The oldest were dropped. */
        ck_assert_int_eq(lsc_client_next_event(f.c, &event), 1);
        ck_assert_int_eq(cJSON_GetObjectItem(event, "millivolts")->valueint, 5);
        cJSON_Delete(event);
        fake_stop(&f);
}
END_TEST

/* Random lines from JSON-ish pieces: the client must either take each as
 * protocol or fail with -EPROTO, and never misbehave (run under ASan and
 * valgrind). Seeded, so a failure repeats. */
START_TEST(test_random_lines)
{
        static const char *const pieces[] = {
                "{", "}", "[", "]", ",", ":", "\"id\"", "\"ok\"", "\"event\"", "\"error\"",
                "\"code\"", "1", "1.5", "-0", "1e400", "true", "false", "null", "\"x\"",
                "\"hello\"", "\"\\u0000\"", "\"\xff\"", " ", "\"protocol\"",
        };
        unsigned seed = 12345;

        for (int round = 0; round < 300; round++) {
                char line[512] = HELLO;
                struct fake f;
                int n = 1 + (int)(rand_r(&seed) % 24), r;

                for (int i = 0; i < n; i++)
                        strcat(line, pieces[rand_r(&seed) % (sizeof(pieces) / sizeof(pieces[0]))]);
                strcat(line, "\n{\"id\":1,\"ok\":true}\n");
                fake_start(&f);
                fake_write(f.fd, line);
                r = lsc_client_ping(f.c);
                ck_assert_msg(r == 0 || r == -EPROTO, "round %d: %d for %s", round, r, line);
                fake_stop(&f);
        }
}
END_TEST

/* ---- builders and typed helpers ---- */

static void assert_json(cJSON *object, const char *want)
{
        char *text = cJSON_PrintUnformatted(object);

        ck_assert_str_eq(text, want);
        free(text);
        cJSON_Delete(object);
}

START_TEST(test_builders)
{
        const struct lsc_servo servos[] = { { 1, 500 }, { 32, 2500 } };
        const char *events[] = { "group.", "battery" };

        assert_json(lsc_client_request_move(servos, 2, 1000, false),
                    "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":500},"
                    "{\"id\":32,\"position\":2500}],\"time_ms\":1000}");
        assert_json(lsc_client_request_move(servos, 1, 0, true),
                    "{\"cmd\":\"move\",\"servos\":[{\"id\":1,\"position\":500}],\"time_ms\":0,\"replace\":true}");
        assert_json(lsc_client_request_group_run(8, 0, true),
                    "{\"cmd\":\"group.run\",\"group\":8,\"runs\":0,\"wait\":true}");
        assert_json(lsc_client_request_group_speed(LSC_GROUP_ALL, 50),
                    "{\"cmd\":\"group.speed\",\"group\":\"all\",\"percent\":50}");
        assert_json(lsc_client_request_group_speed(3, 200),
                    "{\"cmd\":\"group.speed\",\"group\":3,\"percent\":200}");
        assert_json(lsc_client_request_subscribe(NULL, 0), "{\"cmd\":\"subscribe\"}");
        assert_json(lsc_client_request_subscribe(events, 2),
                    "{\"cmd\":\"subscribe\",\"events\":[\"group.\",\"battery\"]}");
        assert_json(lsc_client_request_unsubscribe(events, 1),
                    "{\"cmd\":\"unsubscribe\",\"events\":[\"group.\"]}");
}
END_TEST

/* Each typed helper sends the right request and reads its result. */
START_TEST(test_typed_helpers)
{
        static const struct {
                const char *want;
                const char *answer;
        } steps[] = {
                { "{\"cmd\":\"group.stop\",\"id\":1}", "{\"id\":1,\"ok\":true}" },
                { "{\"cmd\":\"halt\",\"id\":2}", "{\"id\":2,\"ok\":true,\"dropped\":3}" },
                { "{\"cmd\":\"group.speed\",\"group\":\"all\",\"percent\":50,\"id\":3}", "{\"id\":3,\"ok\":true}" },
                { "{\"cmd\":\"status\",\"id\":4}", "{\"id\":4,\"ok\":true,\"group\":null,\"clients\":1}" },
                { "{\"cmd\":\"subscribe\",\"events\":[\"group.\"],\"id\":5}", "{\"id\":5,\"ok\":true,\"events\":[\"group.\"]}" },
                { "{\"cmd\":\"unsubscribe\",\"id\":6}", "{\"id\":6,\"ok\":true,\"events\":[]}" },
                { "{\"cmd\":\"halt\",\"id\":7}", "{\"id\":7,\"ok\":true,\"dropped\":-1}" },
        };
        const char *group[] = { "group." };
        unsigned long dropped = 0;
        char buf[4096] = HELLO;
        cJSON *status;
        struct fake f;

        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
                strcat(strcat(buf, steps[i].answer), "\n");
        fake_start(&f);
        fake_write(f.fd, buf);
        ck_assert_int_eq(lsc_client_group_stop(f.c), 0);
        ck_assert_int_eq(lsc_client_halt(f.c, &dropped), 0);
        ck_assert_uint_eq(dropped, 3);
        ck_assert_int_eq(lsc_client_group_speed(f.c, LSC_GROUP_ALL, 50), 0);
        ck_assert_int_eq(lsc_client_status(f.c, &status), 0);
        ck_assert_int_eq(cJSON_GetObjectItem(status, "clients")->valueint, 1);
        cJSON_Delete(status);
        ck_assert_int_eq(lsc_client_subscribe(f.c, group, 1), 0);
        ck_assert_int_eq(lsc_client_unsubscribe(f.c, NULL, 0), 0);
        /* A result of the wrong shape is a protocol error. */
        ck_assert_int_eq(lsc_client_halt(f.c, &dropped), -EPROTO);
        for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
                cJSON *request = fake_read_request(f.fd);

                assert_json(request, steps[i].want);
        }
        fake_stop(&f);
}
END_TEST

static Suite *client_suite(void)
{
        Suite *s = suite_create("client");
        TCase *tc = tcase_create("client");

        tcase_set_timeout(tc, 60);
        tcase_add_test(tc, test_default_socket);
        tcase_add_test(tc, test_connect_errors);
        tcase_add_test(tc, test_hello);
        tcase_add_test(tc, test_protocol_version);
        tcase_add_test(tc, test_call_stops_after_response);
        tcase_add_test(tc, test_line_text);
        tcase_add_test(tc, test_async_out_of_order);
        tcase_add_test(tc, test_duplicate_id);
        tcase_add_test(tc, test_partial_lines);
        tcase_add_test(tc, test_daemon_error);
        tcase_add_test(tc, test_error_response_returned);
        tcase_add_test(tc, test_refused);
        tcase_add_test(tc, test_garbage);
        tcase_add_test(tc, test_nul_in_line);
        tcase_add_test(tc, test_long_line);
        tcase_add_test(tc, test_eof);
        tcase_add_test(tc, test_timeout);
        tcase_add_test(tc, test_invalid_requests);
        tcase_add_test(tc, test_unsendable_requests);
        tcase_add_test(tc, test_answer_before_close);
        tcase_add_test(tc, test_process_from_callback);
        tcase_add_test(tc, test_daemon_stops_reading);
        tcase_add_test(tc, test_event_queue_bound);
        tcase_add_test(tc, test_random_lines);
        tcase_add_test(tc, test_builders);
        tcase_add_test(tc, test_typed_helpers);
        suite_add_tcase(s, tc);
        return s;
}

int main(void)
{
        SRunner *sr = srunner_create(client_suite());
        int failed;

        signal(SIGPIPE, SIG_IGN);
        srunner_set_tap(sr, "-");
        srunner_run_all(sr, CK_SILENT);
        failed = srunner_ntests_failed(sr);
        srunner_free(sr);
        return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "client.h"
#include "clock.h"
#include "events.h"
#include "json.h"
#include "list.h"
#include "log.h"
#include "mem.h"

/* Lines handed to one sendmsg() at most. */
#define CLIENT_IOV_MAX 64

static int client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata);

/* Drop the first N queued bytes, which were written. */
static void client_consume(struct client *c, size_t n)
{
        assert(n <= c->out_bytes);
        c->out_bytes -= n;
        while (n > 0) {
                struct client_out *o = c->out;
                size_t left = o->buf->len - o->offset;

                if (n < left) {
                        o->offset += n;
                        return;
                }
                n -= left;
                FIFO_SHIFT(c->out, c->out_tail, next);
                outbuf_unref(o->buf);
                free(o);
        }
}

/* Who is on the other end (SO_PEERCRED), for status and the log. */
static void client_read_peer(struct client *c)
{
        struct ucred cred;
        socklen_t len = sizeof(cred);

        c->peer.connected = clock_usec(CLOCK_REALTIME);
        if (getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0) {
                c->peer.has_cred = true;
                c->peer.uid = cred.uid;
                c->peer.pid = cred.pid;
                log_debug("Client %llu connected%s: pid %d, uid %u, gid %u",
                          (unsigned long long) c->peer.number,
                          c->peer.observer ? " to the observe socket" : "", (int) cred.pid,
                          cred.uid, cred.gid);
        } else {
                log_debug("Client %llu connected", (unsigned long long) c->peer.number);
        }
}

static void client_peer_send(struct peer *p, const cJSON *message)
{
        client_send_json((struct client *) p, message);
}

static void client_check_idle(struct client *c);

static void client_peer_idle(struct peer *p)
{
        client_check_idle((struct client *) p);
}

static const struct peer_ops client_peer_ops = {
        .send = client_peer_send,
        .idle = client_peer_idle,
};

int client_new(struct client **ret, sd_event *event, int fd, uint64_t number, bool observer,
               size_t max_output, struct cmd_context *ctx, client_closed_fn on_closed, void *owner)
{
        struct client *c = mem_new0(struct client);
        int r;

        c->peer = (struct peer) { .ops = &client_peer_ops, .number = number, .observer = observer };
        c->ctx = ctx;
        c->on_closed = on_closed;
        c->owner = owner;
        c->fd = fd;
        c->max_output = max_output;
        r = linebuf_init(&c->in, LSC_PROTOCOL_LINE_MAX);
        if (r >= 0)
                r = sd_event_add_io(event, &c->io, fd, EPOLLIN, client_io, c);
        if (r < 0) {
                client_free(c);
                return r;
        }
        client_read_peer(c);
        *ret = c;
        return 0;
}

struct client *client_free(struct client *c)
{
        if (!c)
                return NULL;
        peer_detach(&c->peer);
        sd_event_source_disable_unref(c->io);
        close(c->fd);
        linebuf_done(&c->in);
        client_consume(c, c->out_bytes);
        free(c);
        return NULL;
}

static size_t client_queued(const struct client *c)
{
        return c->out_bytes;
}

/* Stop serving the client; its owner frees it later, from a deferred
 * source. */
static void client_close(struct client *c, const char *why)
{
        if (c->dead)
                return;
        log_debug("Client %llu: %s, closing", (unsigned long long) c->peer.number, why);
        c->dead = true;
        sd_event_source_set_enabled(c->io, SD_EVENT_OFF);
        cmd_peer_gone(c->ctx, &c->peer);
        c->on_closed(c->owner, c);
}

static void client_update_events(struct client *c)
{
        bool reading = !c->input_closed && !c->paused;
        uint32_t events = (reading ? EPOLLIN : 0) | (client_queued(c) > 0 ? EPOLLOUT : 0);

        assert(!c->output_lost || c->out_bytes == 0);
        assert(!c->paused || c->out_bytes > c->max_output / 4);
        sd_event_source_set_io_events(c->io, events);
}

/* Close a client that has nothing more to do: input ended (end of file,
 * or a line too long), every call answered, every byte written. */
static void client_check_idle(struct client *c)
{
        if (c->dead || c->paused || client_queued(c) > 0)
                return;
        if (c->input_closed && (c->peer.n_calls == 0 || c->output_lost))
                client_close(c, c->line_too_long ? "line too long" : "end of input");
}

/* Write what is queued, many lines per system call. Returns 0 when all is
 * written or the socket is full (EAGAIN), or -errno. */
static int client_flush(struct client *c, int flags)
{
        while (c->out) {
                struct iovec iov[CLIENT_IOV_MAX];
                struct msghdr msg = { .msg_iov = iov };
                ssize_t n;

                for (struct client_out *o = c->out; o && msg.msg_iovlen < CLIENT_IOV_MAX; o = o->next)
                        iov[msg.msg_iovlen++] = (struct iovec) {
                                .iov_base = o->buf->data + o->offset,
                                .iov_len = o->buf->len - o->offset,
                        };
                n = sendmsg(c->fd, &msg, MSG_NOSIGNAL | flags);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN ? 0 : -errno;
                }
                client_consume(c, (size_t) n);
        }
        return 0;
}

static void client_enqueue(struct client *c, struct outbuf *line, size_t offset)
{
        struct client_out *o = mem_new0(struct client_out);

        *o = (struct client_out) { .buf = outbuf_ref(line), .offset = offset };
        FIFO_APPEND(c->out, c->out_tail, o, next);
        c->out_bytes += line->len - offset;
}

/* The peer no longer reads (EPIPE, ECONNRESET): drop what is queued and
 * all further output, but go on reading what it sent, which still counts. */
static void client_lose_output(struct client *c, int error)
{
        log_debug_errno(error, "Client %llu: cannot write, its answers are dropped",
                        (unsigned long long) c->peer.number);
        c->output_lost = true;
        c->paused = false;      /* nothing will be written: read again */
        client_consume(c, c->out_bytes);
        client_update_events(c);
}

void client_send(struct client *c, struct outbuf *line)
{
        size_t written = 0;

        if (c->dead || c->output_lost)
                return;
        if (c->out_bytes == 0) {
                ssize_t n = send(c->fd, line->data, line->len, MSG_NOSIGNAL | MSG_DONTWAIT);

                if (n < 0 && errno != EAGAIN && errno != EINTR) {
                        client_lose_output(c, errno);
                        return;
                }
                written = n > 0 ? (size_t) n : 0;
                if (written == line->len)
                        return;
        }
        client_enqueue(c, line, written);
        client_update_events(c);
}

void client_send_json(struct client *c, const cJSON *object)
{
        struct outbuf *line = mem_check(json_print_outbuf(object));

        client_send(c, line);
        outbuf_unref(line);
}

void client_send_event(struct client *c, struct outbuf *line)
{
        if (c->out_bytes + line->len > c->max_output) {
                if (c->events_lost++ == 0)
                        log_debug("Client %llu: output full, dropping events",
                                  (unsigned long long) c->peer.number);
                return;
        }
        client_send(c, line);
}

static void client_line_too_long(struct client *c)
{
        struct call *call = call_new(c->ctx, &c->peer, NULL, 0);

        c->input_closed = true;
        c->line_too_long = true;
        call_fail(call, LSC_ERRCODE_LINE_TOO_LONG, NULL,
                  "a request line is limited to %d bytes including the newline",
                  LSC_PROTOCOL_LINE_MAX);
        client_update_events(c);
        client_check_idle(c);
}

/* Too much output waits: leave the next lines unread until it drains. */
static bool client_backlogged(struct client *c)
{
        if (!c->paused && c->out_bytes > c->max_output / 2) {
                c->paused = true;
                client_update_events(c);
        }
        return c->paused;
}

static void client_take_lines(struct client *c)
{
        const char *line;
        size_t len;
        int r = 0;

        while (!c->dead && !client_backlogged(c) && (r = linebuf_next(&c->in, &line, &len)) > 0)
                cmd_dispatch(c->ctx, &c->peer, line, len);
        if (!c->dead && r < 0)
                client_line_too_long(c);
}

/* The queue drained below a quarter: tell what events were lost, then
 * take the request lines left unread. */
static void client_drained(struct client *c)
{
        if (c->out_bytes > c->max_output / 4)
                return;
        if (c->events_lost > 0 && !c->dead) {
                cJSON *event = event_new("events.lost");

                cJSON_AddNumberToObject(event, "count", (double) c->events_lost);
                c->events_lost = 0;
                client_send_json(c, event);
                cJSON_Delete(event);
        }
        if (c->paused) {
                c->paused = false;
                client_update_events(c);
                if (!c->dead)
                        client_take_lines(c);
        }
}

/* EOF: a last line without its newline still counts; then the client is
 * half-closed and is closed once every call is answered and written. */
static void client_end_of_input(struct client *c)
{
        if (linebuf_pending(&c->in) > 0) {
                linebuf_end(&c->in);
                client_take_lines(c);
        }
        if (c->dead || c->input_closed)
                return;
        c->input_closed = true;
        client_update_events(c);
        client_check_idle(c);
}

/* One read. Returns the bytes read, 0 at end of input, -1 for nothing now
 * (EAGAIN) or an error (the client is then closed). */
static ssize_t client_read(struct client *c)
{
        char *space;
        size_t room = linebuf_space(&c->in, &space);
        ssize_t n;

        if (room == 0)          /* the buffer could not grow */
                mem_oom();
        n = recv(c->fd, space, room, MSG_DONTWAIT);

        if (n < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        client_close(c, "read failed");
                return -1;
        }
        if (n == 0) {
                client_end_of_input(c);
                return 0;
        }
        linebuf_commit(&c->in, (size_t) n);
        client_take_lines(c);
        return n;
}

/* The peer closed its end: every request it sent before still counts (its
 * frames go out), so read them all; their answers cannot reach it. */
static void client_hangup(struct client *c)
{
        c->output_lost = true;
        c->paused = false;
        client_consume(c, c->out_bytes);
        while (!c->dead && !c->input_closed && client_read(c) > 0)
                ;
        client_close(c, "connection closed");
}

static int client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct client *c = userdata;
        int r;

        if (revents & (EPOLLHUP | EPOLLERR)) {
                client_hangup(c);
                return 0;
        }
        if (revents & EPOLLOUT) {
                r = client_flush(c, MSG_DONTWAIT);
                if (r < 0)
                        client_lose_output(c, r);
                client_drained(c);
                client_update_events(c);
                client_check_idle(c);
        }
        if ((revents & EPOLLIN) && !c->input_closed && !c->dead)
                client_read(c);
        return 0;
}

/* Write C's queued output, waiting for its socket until DEADLINE_USEC at
 * most (0: try once, without waiting). */
static void client_flush_final(struct client *c, uint64_t deadline_usec)
{
        while (!c->dead && !c->output_lost && client_flush(c, MSG_DONTWAIT) == 0 && c->out) {
                struct pollfd p = { .fd = c->fd, .events = POLLOUT };
                uint64_t now = clock_usec(CLOCK_MONOTONIC);

                if (now >= deadline_usec ||
                    poll(&p, 1, (int) ((deadline_usec - now + 999) / 1000)) <= 0)
                        return;
        }
}

void client_flush_all_final(struct client *clients, uint64_t usec)
{
        uint64_t deadline;

        /* Once each without waiting, so that a client that does not read
         * cannot use up the time of those that do; then one deadline for
         * all of them, however many there are. */
        for (struct client *c = clients; c; c = c->next)
                client_flush_final(c, 0);
        deadline = clock_usec(CLOCK_MONOTONIC) + usec;
        for (struct client *c = clients; c; c = c->next)
                client_flush_final(c, deadline);
}

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "board.h"
#include "call.h"
#include "client.h"
#include "json.h"
#include "list.h"
#include "log.h"
#include "manager.h"
#include "request.h"
#include "serial.h"
#include "server.h"

#define MANAGER_REOPEN_USEC 500000     /* retry opening the device this often */
#define MANAGER_FLUSH_USEC 500000      /* for clients' last output at exit, in all */

static void manager_disconnect(struct manager *m, const char *reason);

cJSON *manager_device_json(const struct manager *m)
{
        const struct ports_usb *usb = m->port ? serial_usb(m->port) : NULL;
        cJSON *o = cJSON_CreateObject();

        if (!o)
                return NULL;
        cJSON_AddStringToObject(o, "path", m->port ? serial_path(m->port)
                                         : m->last_path ? m->last_path : m->options->device);
        cJSON_AddBoolToObject(o, "connected", m->port != NULL);
        cJSON_AddNumberToObject(o, "baud", m->port ? serial_baud(m->port) : m->options->baud);
        cJSON_AddItemToObject(o, "usb", ports_usb_json(usb));
        return o;
}

static void manager_notify_status(const struct manager *m)
{
        if (m->port)
                sd_notifyf(false, "STATUS=Connected to %s", serial_path(m->port));
        else
                sd_notifyf(false, "STATUS=Waiting for device %s", m->options->device);
}

void manager_publish(struct manager *m, enum event_type type, cJSON *event)
{
        struct outbuf *line = json_print_outbuf(event);

        cJSON_Delete(event);
        if (!line) {
                log_error("Out of memory: %s event lost", event_name(type));
                return;
        }
        /* client_send() may close c (moving it to the dead list), never free it. */
        for (struct client *c = m->clients, *next; c; c = next) {
                next = c->next;
                if (c->events & EVENT_MASK(type))
                        client_send(c, line);
        }
        outbuf_unref(line);
}

static void manager_publish_device(struct manager *m, enum event_type type, const char *reason)
{
        cJSON *event = event_new(event_name(type));

        if (!event)
                return;
        cJSON_AddItemToObject(event, "device", manager_device_json(m));
        if (reason)
                cJSON_AddStringToObject(event, "reason", reason);
        manager_publish(m, type, event);
}

static int manager_on_port(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct manager *m = userdata;
        uint8_t buf[512];
        const uint8_t *p = buf;
        struct lsc_frame frame;
        char reason[96];
        ssize_t n;
        size_t len;

        n = serial_read(m->port, buf, sizeof(buf));
        if (n == -EAGAIN && (revents & (EPOLLHUP | EPOLLERR)))
                n = -EIO;
        if (n == -EAGAIN)
                return 0;
        if (n < 0) {
                snprintf(reason, sizeof(reason), n == -EPIPE ? "end of file" : "read error: %s",
                         strerror((int) -n));
                manager_disconnect(m, reason);
                return 0;
        }
        m->counters.bytes_in += (uint64_t) n;
        len = (size_t) n;
        while (lsc_decoder_next(&m->decoder, &p, &len, &frame) > 0) {
                m->counters.frames_in++;
                board_frame(m->board, &frame);
        }
        return 0;
}

static int manager_open(struct manager *m)
{
        const struct options *o = m->options;
        int r = serial_open(&m->port, o->device, o->baud, o->usb_ids, o->n_usb_ids);

        if (r < 0)
                return r;
        r = sd_event_add_io(m->event, &m->port_io, serial_fd(m->port), EPOLLIN, manager_on_port, m);
        if (r < 0) {
                m->port = serial_free(m->port);
                return log_error_errno(r, "Cannot watch %s", o->device);
        }
        free(m->last_path);
        m->last_path = strdup(serial_path(m->port));
        lsc_decoder_init(&m->decoder);
        wire_attach(m->wire, m->port);
        sd_event_source_set_enabled(m->reopen_timer, SD_EVENT_OFF);
        m->last_open_error = 0;
        log_info("Connected to %s at %u baud", serial_path(m->port), serial_baud(m->port));
        board_connected(m->board);
        manager_notify_status(m);
        manager_publish_device(m, EVENT_DEVICE_CONNECTED, NULL);
        return 0;
}

static void manager_arm_reopen(struct manager *m)
{
        if (m->shutting_down)
                return;
        sd_event_source_set_time_relative(m->reopen_timer, MANAGER_REOPEN_USEC);
        sd_event_source_set_enabled(m->reopen_timer, SD_EVENT_ONESHOT);
}

/* Log why the device cannot be opened, once per distinct reason. */
static void manager_log_open_error(struct manager *m, int r)
{
        const char *device = m->options->device;

        if (r == m->last_open_error)
                log_debug_errno(r, "Still cannot open %s", device);
        else if (r == -ENODEV)
                log_warning("No serial port with a known LSC USB id (--usb-id) is present; waiting");
        else if (r == -EBUSY)
                log_warning("%s is in use by another program; waiting", device);
        else
                log_warning_errno(r, "Cannot open %s; waiting for it", device);
        m->last_open_error = r;
}

static int manager_on_reopen(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct manager *m = userdata;
        int r = manager_open(m);

        if (r < 0) {
                manager_log_open_error(m, r);
                manager_arm_reopen(m);
        }
        return 0;
}

static void manager_disconnect(struct manager *m, const char *reason)
{
        if (!m->port)
                return;
        log_warning("Lost %s: %s", serial_path(m->port), reason);
        /* A write error still to be reported was this port's: it must not
         * disconnect the next one (SIGHUP reopens in the same loop pass). */
        sd_event_source_set_enabled(m->lost, SD_EVENT_OFF);
        m->port_io = sd_event_source_disable_unref(m->port_io);
        if (m->wire)
                wire_detach(m->wire);
        board_abort(m->board, ERRCODE_DEVICE_LOST);
        lsc_decoder_reset(&m->decoder);
        m->discarded_before += m->decoder.discarded;
        lsc_decoder_init(&m->decoder);
        m->port = serial_free(m->port);
        manager_notify_status(m);
        manager_publish_device(m, EVENT_DEVICE_DISCONNECTED, reason);
        manager_arm_reopen(m);
}

static int manager_on_lost(sd_event_source *s, void *userdata)
{
        struct manager *m = userdata;

        manager_disconnect(m, m->lost_reason);
        return 0;
}

/* Write errors are reported from inside the wire: disconnect from a
 * deferred source, outside it. */
static void manager_on_wire_error(void *userdata, int error)
{
        struct manager *m = userdata;

        snprintf(m->lost_reason, sizeof(m->lost_reason), "write error: %s", strerror(abs(error)));
        sd_event_source_set_enabled(m->lost, SD_EVENT_ONESHOT);
}

static int manager_on_terminate(sd_event_source *s, const struct signalfd_siginfo *si,
                                void *userdata)
{
        struct manager *m = userdata;

        log_info("Received SIG%s, shutting down", sigabbrev_np((int) si->ssi_signo));
        m->shutting_down = true;
        m->wire = wire_free(m->wire);
        board_abort(m->board, ERRCODE_SHUTDOWN);
        sd_notify(false, "STOPPING=1");
        return sd_event_exit(m->event, 0);
}

static int manager_on_hangup(sd_event_source *s, const struct signalfd_siginfo *si,
                             void *userdata)
{
        struct manager *m = userdata;
        int r;

        log_info("Received SIGHUP, reopening the device");
        manager_disconnect(m, "reopen requested (SIGHUP)");
        r = manager_open(m);
        if (r < 0)
                manager_log_open_error(m, r);
        return 0;
}

static int manager_gc(sd_event_source *s, void *userdata)
{
        struct manager *m = userdata;

        while (m->dead) {
                struct client *c = m->dead;

                LIST_REMOVE(m->dead, c, prev, next);
                client_free(c);
        }
        if (m->server)
                server_resume(m->server);
        return 0;
}

void manager_client_closed(struct manager *m, struct client *c)
{
        LIST_REMOVE(m->clients, c, prev, next);
        LIST_PREPEND(m->dead, c, prev, next);
        m->n_clients--;
        sd_event_source_set_enabled(m->gc, SD_EVENT_ONESHOT);
}

static void manager_hello(struct manager *m, struct client *c)
{
        cJSON *hello = event_new("hello");

        if (hello) {
                cJSON_AddNumberToObject(hello, "protocol", 1);
                cJSON_AddStringToObject(hello, "version", PACKAGE_VERSION);
                cJSON_AddItemToObject(hello, "device", manager_device_json(m));
                client_send_json(c, hello);
        }
        cJSON_Delete(hello);
}

/* Tell a client over --max-clients why, if its socket takes the line at
 * once (it is never waited for), and close it. */
static void manager_refuse_client(struct manager *m, int fd)
{
        char line[192];
        int len = snprintf(line, sizeof(line),
                           "{\"ok\":false,\"error\":{\"code\":\"%s\",\"message\":"
                           "\"lscd serves at most %u clients at once (--max-clients)\"}}\n",
                           errcode_to_string(ERRCODE_TOO_MANY_CLIENTS), m->options->max_clients);

        log_warning("Refusing a client: already %zu (--max-clients)", m->n_clients);
        (void) send(fd, line, (size_t) len, MSG_DONTWAIT | MSG_NOSIGNAL);
        close(fd);
}

void manager_add_client(struct manager *m, int fd)
{
        struct client *c;
        int r;

        if (m->n_clients >= m->options->max_clients) {
                manager_refuse_client(m, fd);
                return;
        }
        r = client_new(&c, m, fd, ++m->next_client);
        if (r < 0) {
                log_error_errno(r, "Cannot serve a new client");
                return;
        }
        LIST_PREPEND(m->clients, c, prev, next);
        m->n_clients++;
        manager_hello(m, c);
}

void manager_request(struct manager *m, struct client *c, const char *line, size_t len)
{
        struct request req;
        struct request_error err;
        struct call *call;
        int r = request_parse(line, len, &req, &err);

        m->counters.requests++;
        call = call_new(m, c, req.id);
        if (!call)
                log_error("Out of memory: request of client %llu dropped",
                          (unsigned long long) c->number);
        else if (r < 0) {
                log_debug("Client %llu: %s: %s", (unsigned long long) c->number,
                          errcode_to_string(err.code), err.message);
                call_fail(call, err.code, err.field, "%s", err.message);
        } else {
                log_debug("Client %llu: %s", (unsigned long long) c->number, req.cmd->name);
                call->cmd = req.cmd;
                call->args = req.args;
                req.cmd->run(m, call);
        }
        request_done(&req);
}

static void manager_fail_submit(struct call *call, int r)
{
        if (r == -ENOTCONN)
                call_fail(call, ERRCODE_NOT_CONNECTED, NULL, "the device is not connected");
        else if (r == -ENOBUFS)
                call_fail(call, ERRCODE_QUEUE_FULL, NULL,
                          "too many frames of this client are queued (%d)", WIRE_OWNER_MAX);
        else
                call_fail(call, ERRCODE_QUEUE_FULL, NULL, "cannot queue the frame: %s",
                          strerror(-r));
}

void manager_submit(struct manager *m, struct call *call, const uint8_t *frame, size_t size,
                    enum wire_lane lane, unsigned flags)
{
        struct wire_request req = {
                .frame = frame, .size = size,
                .owner = call->client ? client_owner(call->client) : NULL,
                .lane = lane, .flags = flags, .servo_mask = call->args.servo_mask,
                .done = call_wire_done, .userdata = call,
        };
        int r;

        if (m->shutting_down || !m->wire) {
                call_fail(call, ERRCODE_SHUTDOWN, NULL, "lscd is shutting down");
                return;
        }
        r = wire_submit(m->wire, &req);
        if (r < 0)
                manager_fail_submit(call, r);
}

int manager_submit_own(struct manager *m, const uint8_t *frame, size_t size,
                       wire_done_fn done, void *userdata)
{
        struct wire_request req = {
                .frame = frame, .size = size, .lane = WIRE_LANE_PRIORITY,
                .done = done, .userdata = userdata,
        };

        if (!m->wire)
                return -ENOTCONN;
        return wire_submit(m->wire, &req);
}

static int manager_add_sources(struct manager *m)
{
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        r = sd_event_add_signal(m->event, NULL, SIGTERM, manager_on_terminate, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, manager_on_terminate, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGHUP, manager_on_hangup, m);
        if (r >= 0)
                r = sd_event_add_defer(m->event, &m->gc, manager_gc, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->gc, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_defer(m->event, &m->lost, manager_on_lost, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->lost, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_add_time_relative(m->event, &m->reopen_timer, CLOCK_MONOTONIC,
                                               MANAGER_REOPEN_USEC, MANAGER_REOPEN_USEC / 10,
                                               manager_on_reopen, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->reopen_timer, SD_EVENT_OFF);
        return r;
}

int manager_new(struct manager **ret, const struct options *options)
{
        struct manager *m = calloc(1, sizeof(*m));
        int r;

        if (!m)
                return -ENOMEM;
        m->options = options;
        r = sd_event_new(&m->event);
        if (r >= 0)
                r = sd_event_set_watchdog(m->event, true);
        if (r >= 0)
                r = manager_add_sources(m);
        if (r >= 0)
                r = wire_new(&m->wire, m->event, manager_on_wire_error, m);
        if (r >= 0)
                r = board_new(&m->board, m, m->event, options->battery_timeout_usec);
        if (r >= 0)
                r = sd_event_now(m->event, CLOCK_MONOTONIC, &m->started_usec);
        if (r < 0) {
                manager_free(m);
                return log_error_errno(r, "Cannot set up the event loop");
        }
        lsc_decoder_init(&m->decoder);
        *ret = m;
        return 0;
}

static int manager_start(struct manager *m)
{
        int r = manager_open(m);

        if (r == -EBUSY)
                return log_error_errno(r, "Cannot open %s: it is in use by another program "
                                       "(another lscd?)", m->options->device);
        if (r < 0) {
                manager_log_open_error(m, r);
                manager_notify_status(m);
                manager_arm_reopen(m);
        }
        r = server_new(&m->server, m);
        if (r < 0)
                return r;
        sd_notify(false, "READY=1");
        manager_notify_status(m);
        return 0;
}

int manager_run(struct manager *m)
{
        int r = manager_start(m);

        if (r < 0)
                return r;
        r = sd_event_loop(m->event);
        if (r < 0)
                return log_error_errno(r, "Event loop failed");
        client_flush_all_final(m->clients, MANAGER_FLUSH_USEC);
        return 0;
}

struct manager *manager_free(struct manager *m)
{
        if (!m)
                return NULL;
        m->shutting_down = true;
        m->server = server_free(m->server);
        m->wire = wire_free(m->wire);
        m->board = board_free(m->board);
        while (m->clients) {
                struct client *c = m->clients;

                m->clients = c->next;
                client_free(c);
        }
        manager_gc(NULL, m);
        m->port_io = sd_event_source_disable_unref(m->port_io);
        m->port = serial_free(m->port);
        sd_event_source_disable_unref(m->reopen_timer);
        sd_event_source_disable_unref(m->lost);
        sd_event_source_disable_unref(m->gc);
        sd_event_unref(m->event);
        free(m->last_path);
        free(m);
        return NULL;
}

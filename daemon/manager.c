/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "board.h"
#include "clients.h"
#include "events.h"
#include "log.h"
#include "manager.h"
#include "mem.h"
#include "player.h"
#include "robot.h"
#include "sequence-cache.h"
#include "serial.h"
#include "server.h"
#include "wire.h"

#define MANAGER_REOPEN_USEC 500000     /* retry opening the device this often */
#define MANAGER_FLUSH_USEC 500000      /* for clients' last output at exit, in all */
#define MANAGER_IDLE_ACCURACY_USEC 5000 /* a quiet line: 50 to 55 ms */

static void manager_disconnect(struct manager *m, const char *reason);

static bool manager_auto(const struct manager *m)
{
        return strcmp(m->options->device, "auto") == 0;
}

/* {"requested","path","connected","baud","usb"}: the verbs' and the
 * hello's view. */
static cJSON *manager_device_json(void *userdata)
{
        const struct manager *m = userdata;
        const struct ports_usb *usb = m->port ? serial_usb(m->port) : NULL;
        cJSON *o = cJSON_CreateObject();

        cJSON_AddStringToObject(o, "requested", m->options->device);
        /* Before any port, the --device waited for: "auto" too, as in 1.0. */
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
        else if (manager_auto(m))
                sd_notifyf(false, "STATUS=Waiting for a port with a known USB id (--device auto)");
        else
                sd_notifyf(false, "STATUS=Waiting for device %s", m->options->device);
}

static void manager_publish(void *userdata, enum lsc_event type, const cJSON *event)
{
        struct manager *m = userdata;

        clients_publish(m->clients, type, event);
}

static void manager_stats(void *userdata, struct cmd_stats *ret)
{
        const struct manager *m = userdata;
        uint64_t now = 0;

        sd_event_now(m->event, CLOCK_MONOTONIC, &now);
        *ret = (struct cmd_stats) {
                .frames_in = m->frames_in, .bytes_in = m->bytes_in,
                .bytes_discarded = m->discarded_before + m->decoder.discarded,
                .uptime_ms = (now - m->started_usec) / 1000,
                .clients = clients_count(m->clients),
                .subscribers = clients_subscribers(m->clients),
                .realtime_policy = m->realtime.priority ?
                                   realtime_policy_string(m->realtime.policy) : NULL,
                .realtime_priority = m->realtime.priority,
                .memory_locked = realtime_lock_string(m->realtime.lock),
        };
}

static void manager_publish_device(struct manager *m, enum lsc_event type, const char *reason)
{
        cJSON *event = event_new(lsc_event_name(type));

        cJSON_AddItemToObject(event, "device", manager_device_json(m));
        if (reason)
                cJSON_AddStringToObject(event, "reason", reason);
        manager_publish(m, type, event);
        cJSON_Delete(event);
}

static void manager_frame(struct manager *m, const struct lsc_frame *frame)
{
        m->frames_in++;
        board_frame(m->board, frame);
}

/* Read and decode what the port has. Returns the bytes read (0: none
 * now), or -1 when the port failed (it is then disconnected). */
static ssize_t manager_read_port(struct manager *m, uint32_t revents)
{
        uint8_t buf[512];
        const uint8_t *p = buf;
        struct lsc_frame frame;
        char reason[96];
        ssize_t n = serial_read(m->port, buf, sizeof(buf));
        size_t len;

        if (n == -EAGAIN && (revents & (EPOLLHUP | EPOLLERR)))
                n = -EIO;
        if (n == -EAGAIN)
                return 0;
        if (n < 0) {
                snprintf(reason, sizeof(reason), n == -EPIPE ? "end of file" : "read error: %s",
                         strerror((int) -n));
                manager_disconnect(m, reason);
                return -1;
        }
        m->bytes_in += (uint64_t) n;
        len = (size_t) n;
        while (lsc_decoder_next(&m->decoder, &p, &len, &frame) > 0)
                manager_frame(m, &frame);
        return n;
}

/* While part of a frame is pending, a quiet line ends it (lsc_decoder_idle). */
static void manager_arm_idle(struct manager *m)
{
        if (lsc_decoder_pending(&m->decoder) == 0) {
                sd_event_source_set_enabled(m->idle_timer, SD_EVENT_OFF);
                return;
        }
        sd_event_source_set_time_relative(m->idle_timer, LSC_DECODER_IDLE_USEC);
        sd_event_source_set_enabled(m->idle_timer, SD_EVENT_ONESHOT);
}

static int manager_on_port(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct manager *m = userdata;

        if (manager_read_port(m, revents) > 0)
                manager_arm_idle(m);
        return 0;
}

static int manager_on_idle(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct manager *m = userdata;
        struct lsc_frame frame;
        ssize_t n;

        /* Bytes already in the kernel's buffer mean the line was not quiet,
         * only lscd slow to read it: never cut a frame for that. */
        n = manager_read_port(m, 0);
        if (n > 0)
                manager_arm_idle(m);
        if (n != 0)
                return 0;
        while (lsc_decoder_idle(&m->decoder, &frame) > 0)
                manager_frame(m, &frame);
        return 0;
}

/* Say why the device cannot be opened, once until the reason changes
 * (the reopen timer retries every MANAGER_REOPEN_USEC). */
static void manager_log_open_error(struct manager *m, const struct device_choice *c, int r)
{
        char *message = device_failure(c, r);

        if (m->last_open_error && strcmp(message, m->last_open_error) == 0) {
                free(message);
                return;
        }
        log_warning("%s", message);
        free(m->last_open_error);
        m->last_open_error = message;
}

static int manager_attach(struct manager *m, const struct device_choice *c)
{
        int r = sd_event_add_io(m->event, &m->port_io, serial_fd(m->port), EPOLLIN,
                                manager_on_port, m);

        if (r < 0) {
                log_error_errno(r, "Cannot watch %s", serial_path(m->port));
                m->port = serial_free(m->port);
                return r;
        }
        free(m->last_path);
        m->last_path = mem_strdup(serial_path(m->port));
        free(m->last_open_error);
        m->last_open_error = NULL;
        lsc_decoder_init(&m->decoder);
        wire_attach(m->wire, m->port);
        sd_event_source_set_enabled(m->reopen_timer, SD_EVENT_OFF);
        log_info("Connected to %s at %u baud", serial_path(m->port), serial_baud(m->port));
        device_log_chosen(c, m->port);
        board_connected(m->board);
        cmd_record_connected(&m->ctx);
        manager_notify_status(m);
        manager_publish_device(m, LSC_EVENT_DEVICE_CONNECTED, NULL);
        return 0;
}

/* Open the device, or say why not. At start (FATAL_BUSY), a port that
 * another program holds is an error: lscd exits rather than wait. */
static int manager_open(struct manager *m, bool fatal_busy)
{
        struct device_choice c;
        int r;

        assert(!m->port && !m->port_io);
        r = device_open(&m->device, &c, &m->port);
        if (r == 0)
                r = manager_attach(m, &c);
        else if (r == -EBUSY && fatal_busy)
                log_error("Cannot open %s: it is in use by another program (another lscd?)",
                          c.path);
        else
                manager_log_open_error(m, &c, r);
        device_choice_clear(&c);
        return r;
}

static void manager_arm_reopen(struct manager *m)
{
        if (m->shutting_down)
                return;
        sd_event_source_set_time_relative(m->reopen_timer, MANAGER_REOPEN_USEC);
        sd_event_source_set_enabled(m->reopen_timer, SD_EVENT_ONESHOT);
}

static int manager_on_reopen(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct manager *m = userdata;

        if (manager_open(m, false) < 0)
                manager_arm_reopen(m);
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
        sd_event_source_set_enabled(m->idle_timer, SD_EVENT_OFF);
        wire_detach(m->wire);
        board_abort(m->board, BOARD_DEVICE_LOST);
        /* Unplugged is unpowered, for boards fed by USB: a power cycle. */
        robot_forget(m->robot, SERVOS_DEVICE_LOST);
        player_stop(m->player, 0, PLAYER_DEVICE_LOST, NULL);
        lsc_decoder_reset(&m->decoder);
        m->discarded_before += m->decoder.discarded;
        lsc_decoder_init(&m->decoder);
        m->port = serial_free(m->port);
        manager_notify_status(m);
        manager_publish_device(m, LSC_EVENT_DEVICE_DISCONNECTED, reason);
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
        /* Saved before the board forgets its running group. */
        robot_shutdown(m->robot);
        player_stop(m->player, 0, PLAYER_SHUTDOWN, NULL);
        cmd_cancel_scheduled(&m->ctx, NULL, LSC_ERRCODE_SHUTDOWN);
        board_abort(m->board, BOARD_SHUTDOWN);
        wire_shutdown(m->wire);
        sd_notify(false, "STOPPING=1");
        return sd_event_exit(m->event, 0);
}

static int manager_on_hangup(sd_event_source *s, const struct signalfd_siginfo *si,
                             void *userdata)
{
        struct manager *m = userdata;
        char *errors = NULL;

        log_info("Received SIGHUP, reloading the robot file");
        cmd_reload(&m->ctx, NULL, &errors);
        free(errors);
        return 0;
}

static int manager_on_reopen_signal(sd_event_source *s, const struct signalfd_siginfo *si,
                                    void *userdata)
{
        struct manager *m = userdata;

        log_info("Received SIGUSR1, reopening the device");
        manager_disconnect(m, "reopen requested (SIGUSR1)");
        device_forget(&m->device);
        manager_open(m, false);
        return 0;
}

static void manager_accept(void *userdata, int fd)
{
        struct manager *m = userdata;

        clients_add(m->clients, fd, false);
}

static void manager_accept_observer(void *userdata, int fd)
{
        struct manager *m = userdata;

        clients_add(m->clients, fd, true);
}

static void manager_each_peer(void *userdata, void (*fn)(struct peer *p, void *arg), void *arg)
{
        struct manager *m = userdata;

        clients_each(m->clients, fn, arg);
}

static void manager_clients_freed(void *userdata)
{
        struct manager *m = userdata;

        if (m->server)
                server_resume(m->server);
        if (m->observe_server)
                server_resume(m->observe_server);
}

static int manager_add_sources(struct manager *m)
{
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGUSR1);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        r = sd_event_add_signal(m->event, NULL, SIGTERM, manager_on_terminate, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, manager_on_terminate, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGHUP, manager_on_hangup, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGUSR1, manager_on_reopen_signal, m);
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
        if (r >= 0)
                r = sd_event_add_time_relative(m->event, &m->idle_timer, CLOCK_MONOTONIC,
                                               LSC_DECODER_IDLE_USEC, MANAGER_IDLE_ACCURACY_USEC,
                                               manager_on_idle, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->idle_timer, SD_EVENT_OFF);
        return r;
}

static int manager_new_layers(struct manager *m)
{
        const struct options *o = m->options;
        const struct clients_config clients = {
                .max_clients = o->max_clients, .max_output = o->max_client_output,
        };
        const struct robot_config robot = {
                .path = o->robot_path, .state_path = o->state_path, .board = o->board,
        };
        int r = wire_new(&m->wire, m->event, manager_on_wire_error, m);

        m->ctx = (struct cmd_context) {
                .wire = m->wire, .userdata = m, .publish = manager_publish,
                .device = manager_device_json, .stats = manager_stats,
                .each_peer = manager_each_peer, .event = m->event,
                .sequence_dirs = { o->sequence_dir, o->record_dir },
                .sequence_cache = sequence_cache_new(),
        };
        if (r >= 0)
                wire_set_realtime(m->wire, m->realtime.priority > 0);
        if (r >= 0)
                r = board_new(&m->board, m->event, m->wire, &cmd_board_ops, &m->ctx,
                              o->battery_timeout_usec);
        m->ctx.board = m->board;
        if (r >= 0)
                r = robot_new(&m->robot, m->event, &robot, m->board, &cmd_servos_ops,
                              &cmd_claims_ops, &m->ctx);
        m->ctx.robot = m->robot;
        if (r >= 0)
                r = player_new(&m->player, m->event, m->wire, m->robot, &cmd_player_ops, &m->ctx);
        m->ctx.player = m->player;
        if (r >= 0)
                r = clients_new(&m->clients, m->event, &clients, &m->ctx,
                                manager_clients_freed, m);
        return r;
}

int manager_new(struct manager **ret, const struct options *options,
                const struct realtime *realtime)
{
        struct manager *m = mem_new0(struct manager);
        int r;

        m->options = options;
        m->realtime = *realtime;
        m->device = (struct device) {
                .requested = options->device, .baud = options->baud,
                .ids = options->usb_ids, .n_ids = options->n_usb_ids,
        };
        lsc_decoder_init(&m->decoder);
        r = sd_event_new(&m->event);
        if (r >= 0)
                r = sd_event_set_watchdog(m->event, true);
        if (r >= 0)
                r = manager_add_sources(m);
        if (r >= 0)
                r = manager_new_layers(m);
        if (r >= 0)
                r = sd_event_now(m->event, CLOCK_MONOTONIC, &m->started_usec);
        if (r < 0) {
                manager_free(m);
                return log_error_errno(r, "Cannot set up the event loop");
        }
        *ret = m;
        return 0;
}

static int manager_start(struct manager *m)
{
        const struct server_config server = {
                .path = m->options->socket_path, .mode = m->options->socket_mode,
                .group = m->options->socket_group,
        }, observe = {
                .path = m->options->observe_path, .mode = 0666, .observe = true,
        };
        int r = manager_open(m, true);

        if (r == -EBUSY)
                return r;
        if (r < 0) {
                manager_notify_status(m);
                manager_arm_reopen(m);
        }
        /* The observe socket first: once the main one accepts, both do. */
        r = 0;
        if (m->options->observe_path || server_observe_passed())
                r = server_new(&m->observe_server, m->event, &observe, manager_accept_observer, m);
        if (r >= 0)
                r = server_new(&m->server, m->event, &server, manager_accept, m);
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
        clients_flush(m->clients, MANAGER_FLUSH_USEC);
        return 0;
}

/* The wire goes before the robot and the board (its frames' completions
 * reach them), the robot before the board (it saves the board's state),
 * and all of them before the clients (their answers reach the clients). */
struct manager *manager_free(struct manager *m)
{
        if (!m)
                return NULL;
        m->shutting_down = true;
        m->server = server_free(m->server);
        m->observe_server = server_free(m->observe_server);
        if (m->clients)
                cmd_cancel_scheduled(&m->ctx, NULL, LSC_ERRCODE_SHUTDOWN);
        m->player = player_free(m->player);
        m->ctx.sequence_cache = sequence_cache_free(m->ctx.sequence_cache);
        m->wire = wire_free(m->wire);
        m->robot = robot_free(m->robot);
        m->board = board_free(m->board);
        m->clients = clients_free(m->clients);
        m->port_io = sd_event_source_disable_unref(m->port_io);
        m->port = serial_free(m->port);
        sd_event_source_disable_unref(m->reopen_timer);
        sd_event_source_disable_unref(m->idle_timer);
        sd_event_source_disable_unref(m->lost);
        sd_event_unref(m->event);
        free(m->last_path);
        free(m->last_open_error);
        device_forget(&m->device);
        free(m);
        return NULL;
}

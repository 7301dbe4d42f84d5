/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include <microhttpd.h>
#include <systemd/sd-daemon.h>

#include "clock.h"
#include "log.h"
#include "mem.h"
#include "web-conn.h"
#include "web-http.h"
#include "web-link.h"
#include "web.h"

static void web_mhd_log(void *userdata, const char *format, va_list ap)
        __attribute__((format(printf, 2, 0)));

static void web_mhd_log(void *userdata, const char *format, va_list ap)
{
        char text[512];

        vsnprintf(text, sizeof(text), format, ap);
        text[strcspn(text, "\n")] = '\0';
        log_warning("libmicrohttpd: %s", text);
}

static int web_on_mhd(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        return 0;       /* the post source runs MHD_run() */
}

static int web_on_mhd_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        return 0;       /* the post source runs MHD_run() */
}

/* After every dispatch: let libmicrohttpd work, then set the timer to its
 * next timeout and each link's io events to what liblsc waits for. */
static int web_on_after(sd_event_source *s, void *userdata)
{
        struct web *w = userdata;
        MHD_UNSIGNED_LONG_LONG ms;
        uint64_t now;

        w->resumed = false;
        MHD_run(w->mhd);
        if (w->resumed)
                ms = 0;
        if (w->resumed || MHD_get_timeout(w->mhd, &ms) == MHD_YES) {
                (void) sd_event_now(w->event, CLOCK_MONOTONIC, &now);
                (void) sd_event_source_set_time(w->mhd_timer, now + ms * 1000);
                (void) sd_event_source_set_enabled(w->mhd_timer, SD_EVENT_ONESHOT);
        } else
                (void) sd_event_source_set_enabled(w->mhd_timer, SD_EVENT_OFF);
        if (w->shared)
                web_link_sync(w->shared);
        for (struct web_link *l = w->streams; l; l = l->next)
                web_link_sync(l);
        return 0;
}

/* Every WEB_KEEPALIVE_USEC, a comment line on every stream: it keeps
 * the connection from idling out and finds pages that went away. */
static int web_on_keepalive(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct web *w = userdata;

        for (struct web_link *l = w->streams; l; l = l->next)
                web_link_stream_add(l, ":\n\n", 3);
        web_end_lost_logins(w);
        return sd_event_source_set_time(s, usec + WEB_KEEPALIVE_USEC);
}

void web_resume(struct web *w, struct MHD_Connection *conn)
{
        w->resumed = true;
        MHD_resume_connection(conn);
}

void web_end_lost_logins(struct web *w)
{
        uint64_t now = clock_usec(CLOCK_MONOTONIC);

        for (struct web_link *l = w->streams; l; l = l->next)
                if (l->login[0] && !l->ended && !web_auth_valid(&w->logins, l->login, now)) {
                        log_info("a login ended: ending its event stream");
                        web_link_end_stream(l);
                }
}

void web_keepalive_update(struct web *w)
{
        uint64_t now;

        if (!w->keepalive)
                return;
        if (w->n_streams == 0) {
                (void) sd_event_source_set_enabled(w->keepalive, SD_EVENT_OFF);
                return;
        }
        if (sd_event_source_get_enabled(w->keepalive, NULL) > 0)
                return;
        (void) sd_event_now(w->event, CLOCK_MONOTONIC, &now);
        (void) sd_event_source_set_time(w->keepalive, now + WEB_KEEPALIVE_USEC);
        (void) sd_event_source_set_enabled(w->keepalive, SD_EVENT_ON);
}

static int web_on_signal(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        struct web *w = userdata;

        log_info("stopping on signal %u", si->ssi_signo);
        return sd_event_exit(w->event, 0);
}

/* Let libmicrohttpd send what is answered, and answer (503, stopping)
 * the requests it still reads, while it has work it can do at once. */
static void web_drain(struct MHD_Daemon *mhd)
{
        MHD_UNSIGNED_LONG_LONG ms = 0;

        for (unsigned i = 0; i < 64 && ms == 0; i++) {
                MHD_run(mhd);
                if (MHD_get_timeout(mhd, &ms) != MHD_YES)
                        break;
        }
}

static int web_listen_socket(const struct web_listen *listen_on)
{
        int fd = socket(listen_on->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        int one = 1;

        if (fd < 0)
                return -errno;
        (void) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (const struct sockaddr *) &listen_on->addr, listen_on->len) < 0 ||
            listen(fd, 64) < 0) {
                int r = -errno;

                close(fd);
                return r;
        }
        return fd;
}

static unsigned web_port(int fd)
{
        struct sockaddr_storage a;
        socklen_t len = sizeof(a);

        if (getsockname(fd, (struct sockaddr *) &a, &len) < 0)
                return 0;
        return ntohs(a.ss_family == AF_INET6 ? ((struct sockaddr_in6 *) &a)->sin6_port
                                             : ((struct sockaddr_in *) &a)->sin_port);
}

static int web_start_mhd(struct web *w, int fd)
{
        const union MHD_DaemonInfo *info;

        w->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
                                  0, NULL, NULL, web_http_access, w,
                                  MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, w,
                                  MHD_OPTION_LISTEN_SOCKET, fd,
                                  MHD_OPTION_CONNECTION_LIMIT, (unsigned) WEB_MAX_CONNECTIONS,
                                  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned) WEB_MAX_CONNECTIONS_PER_IP,
                                  MHD_OPTION_CONNECTION_TIMEOUT, w->opt.idle_timeout_s,
                                  MHD_OPTION_NOTIFY_COMPLETED, web_http_completed, w,
                                  MHD_OPTION_NOTIFY_CONNECTION, web_conn_notify, w,
                                  MHD_OPTION_UNESCAPE_CALLBACK, web_http_unescape, w,
                                  MHD_OPTION_END);
        if (!w->mhd) {
                close(fd);
                log_error("libmicrohttpd did not start");
                return -EIO;
        }
        info = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD);
        if (!info) {
                log_error("libmicrohttpd has no epoll fd");
                return -EIO;
        }
        return sd_event_add_io(w->event, &w->mhd_io, info->epoll_fd, EPOLLIN, web_on_mhd, w);
}

static int web_add_sources(struct web *w)
{
        int r;

        /* Accuracy 1 µs: libmicrohttpd's timeout is 0 when it has work
         * left (a resumed connection), which must not wait for the 250 ms
         * that sd-event's default accuracy could add. */
        r = sd_event_add_time_relative(w->event, &w->mhd_timer, CLOCK_MONOTONIC, 0, 1,
                                       web_on_mhd_timer, w);
        if (r >= 0)
                r = sd_event_add_post(w->event, &w->after, web_on_after, w);
        if (r >= 0)
                r = sd_event_source_set_enabled(w->after, SD_EVENT_ON);
        if (r >= 0)
                r = sd_event_add_time_relative(w->event, &w->keepalive, CLOCK_MONOTONIC,
                                               WEB_KEEPALIVE_USEC, 0, web_on_keepalive, w);
        if (r >= 0)
                r = sd_event_source_set_enabled(w->keepalive, SD_EVENT_OFF);
        for (int sig = SIGINT; r >= 0 && sig <= SIGTERM; sig += SIGTERM - SIGINT)
                r = sd_event_add_signal(w->event, NULL, sig, web_on_signal, w);
        return r;
}

int web_new(const struct web_options *opt, struct web **ret)
{
        struct web *w = mem_new0(struct web);
        sigset_t mask;
        int r, fd;

        w->opt = *opt;
        w->www_fd = open(opt->www, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (w->www_fd < 0) {
                r = log_error_errno(-errno, "cannot open the page's directory %s", opt->www);
                web_free(w);
                return r;
        }
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        r = sd_event_new(&w->event);
        if (r >= 0)
                r = web_add_sources(w);
        if (r < 0) {
                web_free(w);
                return log_error_errno(r, "cannot set up the event loop");
        }
        fd = web_listen_socket(&opt->listen);
        if (fd < 0) {
                web_free(w);
                return log_error_errno(fd, "cannot listen on %s", opt->listen_text);
        }
        /* The warning first: whoever waits for the port has read it then. */
        if (!opt->token[0])
                log_warning("no --token-file: any user of this machine can control the robot "
                            "through %s, and a proxy must not forward to it", opt->listen_text);
        log_info("listening on %s%s, port %u", opt->listen_text,
                 opt->token[0] ? " with a login" : " (loopback, no login)", web_port(fd));
        r = web_start_mhd(w, fd);
        if (r < 0) {
                web_free(w);
                return r;
        }
        *ret = w;
        return 0;
}

struct web *web_free(struct web *w)
{
        if (!w)
                return NULL;
        /* Answer every waiting request and end every stream first: no
         * connection may stay suspended when libmicrohttpd stops (it would
         * abort), and none is suspended again once stopping. */
        w->stopping = true;
        if (w->shared)
                web_link_abandon(w->shared, 503, "shutdown", "lscd-web is stopping");
        w->shared = web_link_free(w->shared);
        for (struct web_link *l = w->streams; l; l = l->next)
                web_link_stop(l);
        if (w->mhd) {
                web_drain(w->mhd);
                MHD_stop_daemon(w->mhd);
        }
        sd_event_source_disable_unref(w->mhd_io);
        sd_event_source_disable_unref(w->mhd_timer);
        sd_event_source_disable_unref(w->after);
        w->keepalive = sd_event_source_disable_unref(w->keepalive);
        sd_event_unref(w->event);
        if (w->www_fd >= 0)
                close(w->www_fd);
        free(w);
        return NULL;
}

int web_run(struct web *w)
{
        (void) sd_notify(false, "READY=1");
        return sd_event_loop(w->event);
}

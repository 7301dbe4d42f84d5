/* SPDX-License-Identifier: MIT */
/* sim-pty.c: the simulated serial line: pty, link, paced reading, output. */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "baud.h"
#include "mem.h"
#include "sim-pty.h"

#define PTY_CHUNK 512                   /* bytes read per pacing step at most */
#define BIT_US_X_BAUD 10000000ull       /* 10 bits per byte, in microseconds */

/*
 * Invariants:
 *  - master, slave and io are all valid (plugged) or all -1/NULL;
 *  - slave stays open so the master never sees EIO when the host closes;
 *  - pacing: a burst of bytes is being read; byte k (1-based) of the burst
 *    arrives at burst_start + ceil(k * 10 / baud s). While pacing, EPOLLIN is
 *    off and the pace timer is armed for byte burst_bytes + 1;
 *  - out[0..out_len) waits for EPOLLOUT, which is on only while out_len > 0.
 */
struct sim_pty {
        sd_event *event;
        char *link;
        unsigned baud;
        sim_pty_input_fn input;
        void *userdata;

        int master, slave;
        char name[64];
        sd_event_source *io;
        sd_event_source *pace;

        bool pacing;
        uint64_t burst_start;
        uint64_t burst_bytes;

        size_t out_len;
        uint8_t out[SIM_PTY_OUT_MAX];
};

static int pty_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata);
static int pty_on_pace(sd_event_source *s, uint64_t usec, void *userdata);

int sim_pty_new(struct sim_pty **ret, sd_event *event, const char *link, unsigned baud,
                sim_pty_input_fn input, void *userdata)
{
        struct sim_pty *p;
        int r;

        if (!baud_supported(baud))
                return -EINVAL;
        p = mem_new0(struct sim_pty);
        p->event = sd_event_ref(event);
        p->baud = baud;
        p->input = input;
        p->userdata = userdata;
        p->master = p->slave = -1;
        p->link = mem_strdup(link);
        r = sd_event_add_time(event, &p->pace, CLOCK_MONOTONIC, 0, 1, pty_on_pace, p);
        if (r == 0)
                r = sd_event_source_set_enabled(p->pace, SD_EVENT_OFF);
        if (r < 0) {
                sim_pty_free(p);
                return r;
        }
        *ret = p;
        return 0;
}

struct sim_pty *sim_pty_free(struct sim_pty *p)
{
        if (!p)
                return NULL;
        sim_pty_unplug(p);
        sd_event_source_disable_unref(p->pace);
        sd_event_unref(p->event);
        free(p->link);
        free(p);
        return NULL;
}

bool sim_pty_plugged(const struct sim_pty *p)
{
        return p->master >= 0;
}

const char *sim_pty_link(const struct sim_pty *p)
{
        return p->link;
}

const char *sim_pty_name(const struct sim_pty *p)
{
        return sim_pty_plugged(p) ? p->name : "";
}

/* Point the link at the pty by renaming a fresh symlink over it. Only a
 * symlink is replaced: anything else at the path (a real device, a file)
 * is refused with -EEXIST. */
static int pty_publish(struct sim_pty *p)
{
        char tmp[4096];
        int n = snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", p->link, (long)getpid());
        struct stat st;

        if (n < 0 || (size_t)n >= sizeof(tmp))
                return -ENAMETOOLONG;
        if (lstat(p->link, &st) == 0 && !S_ISLNK(st.st_mode))
                return -EEXIST;
        (void)unlink(tmp);
        if (symlink(p->name, tmp) < 0)
                return -errno;
        if (rename(tmp, p->link) < 0) {
                int r = -errno;

                (void)unlink(tmp);
                return r;
        }
        return 0;
}

static int pty_open(struct sim_pty *p)
{
        struct termios tio;

        memset(&tio, 0, sizeof(tio));
        cfmakeraw(&tio);
        tio.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB | CRTSCTS);
        tio.c_cflag |= CS8 | CLOCAL | CREAD;
        tio.c_cc[VMIN] = 1;
        tio.c_cc[VTIME] = 0;
        if (cfsetispeed(&tio, baud_speed(p->baud)) < 0 || cfsetospeed(&tio, baud_speed(p->baud)) < 0)
                return -errno;
        if (openpty(&p->master, &p->slave, p->name, &tio, NULL) < 0)
                return -errno;
        if (fcntl(p->master, F_SETFL, O_NONBLOCK) < 0 ||
            fcntl(p->master, F_SETFD, FD_CLOEXEC) < 0 || fcntl(p->slave, F_SETFD, FD_CLOEXEC) < 0)
                return -errno;
        return sd_event_add_io(p->event, &p->io, p->master, EPOLLIN, pty_on_io, p);
}

static void pty_close(struct sim_pty *p)
{
        p->io = sd_event_source_disable_unref(p->io);
        if (p->master >= 0)
                close(p->master);
        if (p->slave >= 0)
                close(p->slave);
        p->master = p->slave = -1;
        p->name[0] = '\0';
        p->pacing = false;
        p->out_len = 0;
        sd_event_source_set_enabled(p->pace, SD_EVENT_OFF);
}

int sim_pty_plug(struct sim_pty *p)
{
        int r;

        if (sim_pty_plugged(p))
                return -EALREADY;
        r = pty_open(p);
        if (r == 0)
                r = pty_publish(p);
        if (r < 0)
                pty_close(p);
        return r;
}

int sim_pty_unplug(struct sim_pty *p)
{
        if (!sim_pty_plugged(p))
                return -ENOTCONN;
        pty_close(p);
        (void)unlink(p->link);
        return 0;
}

/* EPOLLIN unless a burst is being paced, EPOLLOUT while output waits. */
static void pty_update_events(struct sim_pty *p)
{
        uint32_t events = (p->pacing ? 0 : EPOLLIN) | (p->out_len ? EPOLLOUT : 0);

        if (!p->io)
                return;
        sd_event_source_set_io_events(p->io, events);
        sd_event_source_set_enabled(p->io, events ? SD_EVENT_ON : SD_EVENT_OFF);
}

static void pty_flush(struct sim_pty *p)
{
        ssize_t n;

        if (p->out_len == 0)
                return;
        n = write(p->master, p->out, p->out_len);
        if (n < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        fprintf(stderr, "lsc-sim: write to %s: %s\n", p->name, strerror(errno));
                return;
        }
        p->out_len -= (size_t)n;
        memmove(p->out, p->out + n, p->out_len);
}

int sim_pty_write(struct sim_pty *p, const uint8_t *buf, size_t n)
{
        if (!sim_pty_plugged(p))
                return -ENOTCONN;
        if (n > SIM_PTY_OUT_MAX - p->out_len)
                return -ENOBUFS;
        memcpy(p->out + p->out_len, buf, n);
        p->out_len += n;
        pty_flush(p);
        pty_update_events(p);
        return 0;
}

/* When byte k (1-based) of the current burst has fully arrived. */
static uint64_t pty_arrival(const struct sim_pty *p, uint64_t k)
{
        return p->burst_start + (k * BIT_US_X_BAUD + p->baud - 1) / p->baud;
}

static void pty_arm(struct sim_pty *p)
{
        sd_event_source_set_time(p->pace, pty_arrival(p, p->burst_bytes + 1));
        sd_event_source_set_enabled(p->pace, SD_EVENT_ONESHOT);
}

static int pty_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct sim_pty *p = userdata;

        if (revents & EPOLLOUT)
                pty_flush(p);
        if ((revents & EPOLLIN) && !p->pacing) {
                /* The line was idle: the first byte arrives a byte time from now. */
                sd_event_now(p->event, CLOCK_MONOTONIC, &p->burst_start);
                p->burst_bytes = 0;
                p->pacing = true;
                pty_arm(p);
        }
        pty_update_events(p);
        return 0;
}

/* Read the bytes the wire has carried since the last step; stop pacing when
 * the host has no more for us. */
static int pty_on_pace(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct sim_pty *p = userdata;
        uint8_t buf[PTY_CHUNK];
        uint64_t arrival[PTY_CHUNK], now, due;
        ssize_t n;

        sd_event_now(p->event, CLOCK_MONOTONIC, &now);
        due = (now - p->burst_start) * p->baud / BIT_US_X_BAUD - p->burst_bytes;
        if (due > PTY_CHUNK)
                due = PTY_CHUNK;
        n = due ? read(p->master, buf, due) : 0;
        if (n < 0) {
                if (errno != EAGAIN && errno != EINTR)
                        fprintf(stderr, "lsc-sim: read from %s: %s\n", p->name, strerror(errno));
                n = 0;
        }
        for (ssize_t i = 0; i < n; i++)
                arrival[i] = pty_arrival(p, p->burst_bytes + (uint64_t)i + 1);
        p->burst_bytes += (uint64_t)n;
        if ((uint64_t)n < due)
                p->pacing = false;
        else
                pty_arm(p);
        pty_update_events(p);
        if (n > 0 || !p->pacing)
                p->input(p->userdata, buf, (size_t)n, arrival, !p->pacing);
        return 0;
}

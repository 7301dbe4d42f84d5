/* SPDX-License-Identifier: MIT */
/*
 * serial.c: opening the board's port. Both paths run the same three steps:
 *
 *   1. get a descriptor: libserialport (sp_get_port_by_name + sp_open) for
 *      real ports; open(2) for pseudo-terminals, which libserialport 0.1.1
 *      refuses (no /sys/class/tty entry, and sp_open fails on TIOCMGET).
 *      Which one is decided by the node's major number, whatever its name
 *      (lsc-sim's pty may be bind-mounted on /dev/ttyUSB0 in a test);
 *   2. shared: serial_claim(), the exclusive lock (before any line setting,
 *      so a port someone else holds keeps its settings), non-blocking; then
 *      serial_make_raw(), raw 8N1 without flow control, VMIN 1;
 *   3. the speed: sp_set_config() (baud, 8N1, no flow control) for real
 *      ports, cfsetspeed() for ptys; then a shared flush of stale bytes.
 *
 * Note sp_open() itself switches the line to raw mode and raises DTR/RTS
 * before step 2 can refuse; the baud rate is only touched after the lock.
 * The USB identity comes from /sys by the node's resolved name, for both.
 */
#include <errno.h>
#include <fcntl.h>
#include <libserialport.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "baud.h"
#include "mem.h"
#include "serial.h"

/* Unix98 pty slaves: /dev/pts/N, character majors 136..143. */
#define SERIAL_PTY_MAJOR_MIN 136
#define SERIAL_PTY_MAJOR_MAX 143

/* Invariants: fd is open, locked and non-blocking, and is the device
 * whose node was checked; port is the libserialport handle that owns fd
 * for real ports and NULL for ptys; usb is NULL unless /sys has a USB
 * identity for the node's name; exclusive is set
 * once we put the tty in exclusive mode (TIOCEXCL), which closing fd alone
 * does not end. */
struct serial {
        int fd;
        bool exclusive;
        struct sp_port *port;
        char *path;
        unsigned baud;
        struct ports_usb *usb;
};

struct serial *serial_free(struct serial *s)
{
        if (!s)
                return NULL;
        /* TIOCEXCL outlives our descriptor while anyone else has the tty
         * open (lsc-sim keeps its pty's slave): without this, every later
         * open but root's, lscd's own reopen too, fails with EBUSY. */
        if (s->exclusive)
                (void)ioctl(s->fd, TIOCNXCL);
        if (s->port) {
                sp_close(s->port);
                sp_free_port(s->port);
        } else if (s->fd >= 0) {
                close(s->fd);
        }
        ports_usb_free(s->usb);
        free(s->path);
        free(s);
        return NULL;
}

/* Shared: lock against every other opener (flock, which root does not
 * bypass, then TIOCEXCL against opens that do not flock), and make the
 * descriptor non-blocking and close-on-exec. */
static int serial_claim(struct serial *s)
{
        int fd = s->fd, flags;

        if (flock(fd, LOCK_EX | LOCK_NB) < 0)
                return errno == EWOULDBLOCK ? -EBUSY : -errno;
        if (ioctl(fd, TIOCEXCL) < 0)
                return -errno;
        s->exclusive = true;
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
            fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
                return -errno;
        return 0;
}

/* Shared: raw 8N1, no flow control, and VMIN 1 so that a read with nothing
 * waiting fails with EAGAIN (VMIN 0, as libserialport leaves it, makes it
 * return 0, which reads as end of file). The speed is set afterwards. */
static int serial_make_raw(int fd)
{
        struct termios t;

        if (tcgetattr(fd, &t) < 0)
                return -errno;
        cfmakeraw(&t);
        t.c_cflag &= ~(tcflag_t)(CSIZE | PARENB | CSTOPB | CRTSCTS);
        t.c_cflag |= CS8 | CLOCAL | CREAD;
        t.c_iflag &= ~(tcflag_t)(IXON | IXOFF | IXANY);
        t.c_cc[VMIN] = 1;
        t.c_cc[VTIME] = 0;
        return tcsetattr(fd, TCSANOW, &t) < 0 ? -errno : 0;
}

static int serial_set_speed_pty(int fd, speed_t speed)
{
        struct termios t;

        if (tcgetattr(fd, &t) < 0)
                return -errno;
        if (cfsetspeed(&t, speed) < 0 || tcsetattr(fd, TCSANOW, &t) < 0)
                return -errno;
        return 0;
}

static int serial_get_fd_pty(struct serial *s, const char *path)
{
        s->fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        return s->fd < 0 ? -errno : 0;
}

/* Baud and 8N1 without flow control through libserialport, which also
 * knows the driver's ways for rates termios has no constant for. */
static int serial_configure_sp(struct serial *s, unsigned baud)
{
        struct sp_port_config *config;
        int r;

        r = ports_sp_errno(sp_new_config(&config));
        if (r < 0)
                return r;
        r = ports_sp_errno(sp_set_config_baudrate(config, (int)baud));
        if (r == 0)
                r = ports_sp_errno(sp_set_config_bits(config, 8));
        if (r == 0)
                r = ports_sp_errno(sp_set_config_parity(config, SP_PARITY_NONE));
        if (r == 0)
                r = ports_sp_errno(sp_set_config_stopbits(config, 1));
        if (r == 0)
                r = ports_sp_errno(sp_set_config_flowcontrol(config, SP_FLOWCONTROL_NONE));
        if (r == 0)
                r = ports_sp_errno(sp_set_config(s->port, config));
        sp_free_config(config);
        return r;
}

static int serial_get_fd_sp(struct serial *s, const char *path)
{
        int r;

        /* libserialport finds a port by its /sys/class/tty name: a tty
         * without one is not a serial port it can drive. */
        r = ports_sp_errno(sp_get_port_by_name(path, &s->port));
        if (r < 0)
                return r == -EINVAL || r == -ENOENT ? -ENOTTY : r;
        r = ports_sp_errno(sp_open(s->port, SP_MODE_READ_WRITE));
        if (r < 0) {
                sp_free_port(s->port);
                s->port = NULL;
                return r;
        }
        return ports_sp_errno(sp_get_port_handle(s->port, &s->fd));
}

static bool serial_is_pty(const struct stat *st)
{
        unsigned maj = major(st->st_rdev);

        return maj >= SERIAL_PTY_MAJOR_MIN && maj <= SERIAL_PTY_MAJOR_MAX;
}

/* The descriptor is the device that was checked: the node may have been
 * replaced in between (unplugged, another device under its name). */
static int serial_check_same(int fd, const struct stat *checked)
{
        struct stat st;

        if (fstat(fd, &st) < 0)
                return -errno;
        return S_ISCHR(st.st_mode) && st.st_rdev == checked->st_rdev ? 0 : -EAGAIN;
}

/* The three steps of the top of the file, on the resolved path whose node
 * is ST. */
static int serial_setup(struct serial *s, const char *resolved, const struct stat *st,
                        unsigned baud)
{
        bool pty = serial_is_pty(st);
        int r = pty ? serial_get_fd_pty(s, resolved) : serial_get_fd_sp(s, resolved);

        if (r == 0)
                r = serial_check_same(s->fd, st);
        if (r == 0)
                r = serial_claim(s);
        if (r == 0)
                r = serial_make_raw(s->fd);
        if (r == 0)
                r = pty ? serial_set_speed_pty(s->fd, baud_speed(baud)) : serial_configure_sp(s, baud);
        if (r == 0 && tcflush(s->fd, TCIOFLUSH) < 0)
                r = -errno;
        if (r == 0)
                r = ports_usb_find(resolved, &s->usb);
        return r;
}

int serial_open(struct serial **ret, const char *path, unsigned baud)
{
        struct serial *s;
        struct stat st;
        char *resolved;
        int r;

        if (baud_speed(baud) == B0)
                return -EINVAL;
        resolved = realpath(path, NULL);
        if (!resolved)
                return -errno;
        s = mem_new0(struct serial);
        s->fd = -1;
        s->baud = baud;
        s->path = mem_strdup(path);
        if (stat(resolved, &st) < 0)
                r = -errno;
        else if (!S_ISCHR(st.st_mode))
                r = -ENOTTY;
        else
                r = serial_setup(s, resolved, &st, baud);
        free(resolved);
        if (r < 0) {
                serial_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

int serial_fd(const struct serial *s)
{
        return s->fd;
}

const char *serial_path(const struct serial *s)
{
        return s->path;
}

unsigned serial_baud(const struct serial *s)
{
        return s->baud;
}

const struct ports_usb *serial_usb(const struct serial *s)
{
        return s->usb;
}

ssize_t serial_read(struct serial *s, void *buf, size_t size)
{
        ssize_t n = read(s->fd, buf, size);

        if (n < 0)
                return errno == EINTR ? -EAGAIN : -errno;
        return n == 0 && size > 0 ? -EPIPE : n;
}

ssize_t serial_write(struct serial *s, const void *buf, size_t size)
{
        ssize_t n = write(s->fd, buf, size);

        if (n < 0)
                return errno == EINTR ? -EAGAIN : -errno;
        return n;
}

int serial_outq(struct serial *s)
{
        int n;

        if (!s->port)
                return -ENOTSUP;
        if (ioctl(s->fd, TIOCOUTQ, &n) < 0)
                return errno == ENOTTY || errno == EINVAL ? -ENOTSUP : -errno;
        return n;
}

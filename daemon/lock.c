/* SPDX-License-Identifier: MIT */
/*
 * lock.c: the lock that keeps a second lscd off a device.
 *
 * The serial port's own lock (serial.c: flock and TIOCEXCL) lasts only
 * while the port is open: two lscd for one device both wait while it is
 * absent, then take it from each other across unplugs. This lock is held
 * from start to exit instead, on a file named after the device:
 *
 *   DIR/NAME.lock, NAME being the device's path escaped as
 *   systemd-escape --path does (/dev/ttyUSB0: dev-ttyUSB0.lock), and
 *   @auto.lock for --device auto (a path's name has '@' escaped).
 *
 * The path is made absolute and canonical as far as it exists, except
 * for its last component: a device node and the udev link to it come and
 * go with the board, and so may the link's directory (/dev/serial/by-id),
 * but the name must be the same whenever an lscd starts. Two names of one
 * device (a by-id link and /dev/ttyUSB0, or auto and a path) are two
 * locks: the port's own lock then still keeps them from sharing the port.
 *
 * The holder writes its pid in the file, for the message of the next one.
 * At exit it removes the file before it releases the lock: whoever opened
 * the file before that, and then gets the lock, finds another file at the
 * path or none, and starts again (lock_open()).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lock.h"
#include "log.h"
#include "mem.h"
#include "replace.h"

#define LOCK_AUTO_NAME "@auto"

/* Invariant: fd is -1, or holds the lock on the file at path. */
struct lock {
        int fd;
        char *path;
};

struct lock *lock_free(struct lock *l)
{
        if (!l)
                return NULL;
        if (l->fd >= 0) {
                unlink(l->path);
                close(l->fd);
        }
        free(l->path);
        free(l);
        return NULL;
}

/* PATH made absolute, with the longest leading part of its directory that
 * exists resolved (symbolic links, "." and ".."), and the rest as given. */
static int lock_canonical(const char *path, char **ret)
{
        char *dir = mem_strdup(path), *slash, *real = NULL;
        const char *rest = path, *sep = "/";
        int r = 0;

        while (!real && r == 0 && (slash = strrchr(dir, '/'))) {
                *slash = '\0';
                real = realpath(slash == dir ? "/" : dir, NULL);
                rest = path + (slash - dir);
                sep = "";
                if (!real && errno != ENOENT && errno != ENOTDIR)
                        r = -errno;
        }
        if (!real && r == 0) {
                /* Relative, and none of its directories exists. */
                real = realpath(".", NULL);
                rest = path;
                sep = "/";
                if (!real)
                        r = -errno;
        }
        if (r == 0)
                *ret = mem_printf("%s%s%s", strcmp(real, "/") ? real : "", sep, rest);
        free(real);
        free(dir);
        return r;
}

/* NAME as a file name, escaped as systemd-escape --path does: no leading
 * '/', each other '/' a '-', and as \xHH every byte but letters, digits,
 * ':', '_', and '.' except in front. */
static char *lock_escape(const char *name)
{
        char *out, *q;

        while (*name == '/')
                name++;
        out = mem_alloc(4 * strlen(name) + 1);
        q = out;
        for (const char *p = name; *p; p++) {
                unsigned char ch = (unsigned char) *p;

                if (ch == '/')
                        *q++ = '-';
                else if (isalnum(ch) || ch == ':' || ch == '_' || (ch == '.' && p != name))
                        *q++ = (char) ch;
                else
                        q += sprintf(q, "\\x%02x", ch);
        }
        *q = '\0';
        return out;
}

/* l->path: DIR/NAME.lock for DEVICE, see the top of the file. */
static int lock_name(struct lock *l, const char *dir, const char *device)
{
        char *canonical = NULL, *name = NULL;
        int r = 0;

        if (strcmp(device, "auto") == 0)
                name = mem_strdup(LOCK_AUTO_NAME);
        else
                r = lock_canonical(device, &canonical);
        if (canonical)
                name = lock_escape(canonical);
        if (r == 0)
                l->path = mem_printf("%s/%s.lock", dir, name);
        free(canonical);
        free(name);
        return r < 0 ? log_error_errno(r, "Cannot name the lock file of %s", device) : 0;
}

static int lock_make_dir(const char *dir)
{
        int r = replace_mkdirs(dir);

        return r < 0 ? log_error_errno(r, "Cannot create the lock directory %s (--lock-dir)", dir)
                     : 0;
}

/* The pid another lscd wrote in the lock file FD, 0 when there is none yet. */
static long lock_holder(int fd)
{
        char text[24], *end;
        ssize_t n = pread(fd, text, sizeof(text) - 1, 0);
        long pid;

        if (n <= 0)
                return 0;
        text[n] = '\0';
        pid = strtol(text, &end, 10);
        return end != text && *end == '\n' && pid > 0 ? pid : 0;
}

static int lock_refuse(const struct lock *l, int fd, const char *device)
{
        long pid = lock_holder(fd);

        if (pid > 0)
                log_error("--device %s is in use by another lscd, pid %ld (lock file %s)",
                          device, pid, l->path);
        else
                log_error("--device %s is in use by another lscd, which has not written its "
                          "pid to the lock file %s yet", device, l->path);
        return -EBUSY;
}

/* 1 when FD is the file at PATH, 0 when its holder has removed it since. */
static int lock_is_current(int fd, const char *path)
{
        struct stat held, now;

        if (fstat(fd, &held) < 0)
                return -errno;
        if (stat(path, &now) < 0)
                return errno == ENOENT ? 0 : -errno;
        return held.st_dev == now.st_dev && held.st_ino == now.st_ino;
}

/* Written over a dead holder's pid, then cut: a reader sees a whole pid. */
static int lock_write_pid(const struct lock *l)
{
        char text[24];
        int len = snprintf(text, sizeof(text), "%ld\n", (long) getpid());

        if (pwrite(l->fd, text, (size_t) len, 0) < 0 || ftruncate(l->fd, len) < 0)
                return log_error_errno(errno, "Cannot write to the lock file %s", l->path);
        return 0;
}

static int lock_open(struct lock *l, const char *device)
{
        int fd, r;

        for (;;) {
                fd = open(l->path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0644);
                if (fd < 0)
                        return log_error_errno(errno, "Cannot open the lock file %s", l->path);
                if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                        r = errno == EWOULDBLOCK ? lock_refuse(l, fd, device)
                                                 : log_error_errno(errno, "Cannot lock %s", l->path);
                        close(fd);
                        return r;
                }
                r = lock_is_current(fd, l->path);
                if (r != 0)
                        break;
                close(fd);
        }
        if (r < 0) {
                close(fd);
                return log_error_errno(r, "Cannot check the lock file %s", l->path);
        }
        l->fd = fd;
        return lock_write_pid(l);
}

int lock_take(struct lock **ret, const char *dir, const char *device)
{
        struct lock *l = mem_new0(struct lock);
        int r;

        l->fd = -1;
        r = lock_name(l, dir, device);
        if (r == 0)
                r = lock_make_dir(dir);
        if (r == 0)
                r = lock_open(l, device);
        if (r < 0) {
                lock_free(l);
                return r;
        }
        *ret = l;
        return 0;
}

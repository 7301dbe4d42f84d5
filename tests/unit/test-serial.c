/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of serial.c on pseudo-terminals (openpty here, under their
 * own name and, as root, another one) and on paths that are not serial
 * ports. With LSCD_TEST_SERIAL_PORT=/dev/ttySN the libserialport path runs
 * too, on that real port (its line settings are changed, hence opt-in).
 */
#include "lscd-check.h"
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

#include "serial.h"

static int master = -1, slave = -1;
static char slave_path[64];
static char tmpdir[64];

static void setup(void)
{
        struct termios t;

        ck_assert_int_eq(openpty(&master, &slave, slave_path, NULL, NULL), 0);
        /* Cooked, echoing, 4800 baud: everything serial_open must undo. */
        ck_assert_int_eq(tcgetattr(slave, &t), 0);
        t.c_lflag |= ICANON | ECHO;
        t.c_iflag |= IXON;
        cfsetspeed(&t, B4800);
        ck_assert_int_eq(tcsetattr(slave, TCSANOW, &t), 0);
        snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-serial-XXXXXX");
        ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
        char path[128];

        close(master);
        close(slave);
        snprintf(path, sizeof(path), "%s/link", tmpdir);
        unlink(path);
        snprintf(path, sizeof(path), "%s/file", tmpdir);
        unlink(path);
        snprintf(path, sizeof(path), "%s/ttyUSB0", tmpdir);
        unlink(path);
        rmdir(tmpdir);
}

/* What serial_open promises for any port: locked, non-blocking,
 * close-on-exec, raw 8N1 at BAUD without flow control. */
static void check_line(int fd, speed_t speed)
{
        struct termios t;
        int flags = fcntl(fd, F_GETFL);

        ck_assert_int_ne(flags & O_NONBLOCK, 0);
        ck_assert_int_ne(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
        ck_assert_int_eq(tcgetattr(fd, &t), 0);
        ck_assert_uint_eq(t.c_cflag & CSIZE, CS8);
        ck_assert_uint_eq(t.c_cflag & (PARENB | CSTOPB | CRTSCTS), 0);
        ck_assert_uint_eq(t.c_iflag & (IXON | IXOFF | IXANY | ICRNL | ISTRIP), 0);
        ck_assert_uint_eq(t.c_lflag & (ICANON | ECHO | ISIG | IEXTEN), 0);
        ck_assert_uint_eq(t.c_oflag & OPOST, 0);
        ck_assert_uint_eq(cfgetospeed(&t), speed);
        ck_assert_uint_eq(cfgetispeed(&t), speed);
}

START_TEST(test_missing_path)
{
        struct serial *s = NULL;

        ck_assert_int_eq(serial_open(&s, "/dev/lscd-test-no-such-port", 9600), -ENOENT);
        ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_bad_baud)
{
        struct serial *s = NULL;

        ck_assert_int_eq(serial_open(&s, slave_path, 12345), -EINVAL);
        ck_assert_int_eq(serial_open(&s, slave_path, 0), -EINVAL);
        ck_assert_ptr_null(s);
}
END_TEST

/* A regular file, a character device that is no tty (/dev/null goes the
 * libserialport way and is refused by sp_get_port_by_name), and a tty that
 * sp_open refuses (/dev/ptmx: a new pty master, no modem lines). */
START_TEST(test_not_a_tty)
{
        struct serial *s = NULL;
        char path[128];
        int fd;

        snprintf(path, sizeof(path), "%s/file", tmpdir);
        fd = open(path, O_CREAT | O_WRONLY, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(serial_open(&s, path, 9600), -ENOTTY);
        ck_assert_int_eq(serial_open(&s, "/dev/null", 9600), -ENOTTY);
        ck_assert_int_eq(serial_open(&s, "/dev/ptmx", 9600), -ENOTTY);
        ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_pty)
{
        static const unsigned bauds[] = { 9600, 115200 };
        static const speed_t speeds[] = { B9600, B115200 };
        struct serial *s;

        for (size_t i = 0; i < 2; i++) {
                ck_assert_int_eq(serial_open(&s, slave_path, bauds[i]), 0);
                check_line(serial_fd(s), speeds[i]);
                ck_assert_str_eq(serial_path(s), slave_path);
                ck_assert_uint_eq(serial_baud(s), bauds[i]);
                ck_assert_ptr_null(serial_usb(s));
                ck_assert_int_eq(serial_outq(s), -ENOTSUP);
                ck_assert_ptr_null(serial_free(s));
        }
        ck_assert_ptr_null(serial_free(NULL));
}
END_TEST

/* flock() holds even for root, which TIOCEXCL does not stop. */
START_TEST(test_pty_exclusive)
{
        struct serial *s, *s2 = NULL;

        ck_assert_int_eq(serial_open(&s, slave_path, 9600), 0);
        ck_assert_int_eq(serial_open(&s2, slave_path, 9600), -EBUSY);
        ck_assert_ptr_null(s2);
        serial_free(s);
        ck_assert_int_eq(serial_open(&s2, slave_path, 9600), 0);
        serial_free(s2);
}
END_TEST

/* Closing the port ends its exclusive mode: TIOCEXCL belongs to the tty,
 * not to our descriptor, and a tty someone else keeps open (lsc-sim holds
 * its pty's slave) would otherwise refuse every later open but root's,
 * lscd's own reopen included. */
START_TEST(test_free_ends_exclusive)
{
        struct serial *s, *s2 = NULL;
        int excl = -1;

        ck_assert_int_eq(serial_open(&s, slave_path, 9600), 0);
        ck_assert_int_eq(ioctl(slave, TIOCGEXCL, &excl), 0);
        ck_assert_int_eq(excl, 1);
        /* An open refused by the lock leaves the holder's mode alone. */
        ck_assert_int_eq(serial_open(&s2, slave_path, 9600), -EBUSY);
        ck_assert_int_eq(ioctl(slave, TIOCGEXCL, &excl), 0);
        ck_assert_int_eq(excl, 1);
        serial_free(s);
        ck_assert_int_eq(ioctl(slave, TIOCGEXCL, &excl), 0);
        ck_assert_int_eq(excl, 0);
}
END_TEST

/* A port another program holds keeps its line settings: the lock is taken
 * before anything is configured. */
START_TEST(test_foreign_lock_keeps_settings)
{
        struct serial *s = NULL;
        struct termios t;
        int other = open(slave_path, O_RDWR | O_NOCTTY);

        ck_assert_int_ge(other, 0);
        ck_assert_int_eq(flock(other, LOCK_EX | LOCK_NB), 0);
        ck_assert_int_eq(serial_open(&s, slave_path, 9600), -EBUSY);
        ck_assert_int_eq(tcgetattr(other, &t), 0);
        ck_assert_uint_eq(cfgetospeed(&t), B4800);
        ck_assert_uint_ne(t.c_lflag & ICANON, 0);
        close(other);
}
END_TEST

/* A symlink (what lsc-sim --link makes) opens the pty; the path given is
 * kept for messages. */
START_TEST(test_pty_symlink)
{
        struct serial *s;
        char link[128];

        snprintf(link, sizeof(link), "%s/link", tmpdir);
        ck_assert_int_eq(symlink(slave_path, link), 0);
        ck_assert_int_eq(serial_open(&s, link, 9600), 0);
        ck_assert_str_eq(serial_path(s), link);
        check_line(serial_fd(s), B9600);
        serial_free(s);
}
END_TEST

START_TEST(test_pty_io)
{
        static const uint8_t stop[] = { 0x55, 0x55, 0x02, 0x07 };
        static const uint8_t reply[] = { 0x55, 0x55, 0x04, 0x0f, 0x1c, 0x1d };
        struct serial *s;
        uint8_t buf[16];

        ck_assert_int_eq(serial_open(&s, slave_path, 9600), 0);
        ck_assert_int_eq(serial_read(s, buf, sizeof(buf)), -EAGAIN);
        ck_assert_int_eq(serial_write(s, stop, sizeof(stop)), sizeof(stop));
        ck_assert_int_eq(read(master, buf, sizeof(buf)), sizeof(stop));
        ck_assert_mem_eq(buf, stop, sizeof(stop));
        /* Raw: 0x0d and 0x11 would be translated or eaten by a cooked line. */
        ck_assert_int_eq(write(master, reply, sizeof(reply)), sizeof(reply));
        ck_assert_int_eq(serial_read(s, buf, sizeof(buf)), sizeof(reply));
        ck_assert_mem_eq(buf, reply, sizeof(reply));
        /* The board goes away: a hard error, not EAGAIN. */
        close(master);
        master = -1;
        ck_assert_int_lt(serial_read(s, buf, sizeof(buf)), 0);
        ck_assert_int_ne(serial_read(s, buf, sizeof(buf)), -EAGAIN);
        serial_free(s);
}
END_TEST

/* What decides the way a port is opened is its node, not its name: the
 * pty bind-mounted on another name (a fake /dev/ttyUSB0, in a private
 * mount namespace) opens as a pty, with no USB identity outside /dev. A
 * node made with mknod would not do: a pty slave opens only through its
 * devpts, where the bind mount leads. Needs root; skipped otherwise. */
START_TEST(test_pty_under_another_name)
{
        struct serial *s;
        char node[128];
        int fd;

        if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0 ||
            mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
                printf("# not root or no mount namespace: pty under another name skipped\n");
                return;
        }
        snprintf(node, sizeof(node), "%s/ttyUSB0", tmpdir);
        fd = open(node, O_CREAT | O_WRONLY, 0600);
        ck_assert_int_ge(fd, 0);
        close(fd);
        ck_assert_int_eq(mount(slave_path, node, NULL, MS_BIND, NULL), 0);
        ck_assert_int_eq(serial_open(&s, node, 9600), 0);
        ck_assert_str_eq(serial_path(s), node);
        check_line(serial_fd(s), B9600);
        ck_assert_ptr_null(serial_usb(s));
        ck_assert_int_eq(serial_outq(s), -ENOTSUP);
        serial_free(s);
        ck_assert_int_eq(umount(node), 0);
}
END_TEST

/* The libserialport path on a real port, opt-in. */
START_TEST(test_real_port)
{
        const char *path = getenv("LSCD_TEST_SERIAL_PORT");
        struct serial *s, *s2 = NULL;

        ck_assert_int_eq(serial_open(&s, path, 115200), 0);
        check_line(serial_fd(s), B115200);
        ck_assert_str_eq(serial_path(s), path);
        ck_assert_int_ge(serial_outq(s), 0);
        ck_assert_int_eq(serial_read(s, (char[1]){ 0 }, 1), -EAGAIN);
        ck_assert_int_eq(serial_open(&s2, path, 9600), -EBUSY);
        serial_free(s);
        ck_assert_int_eq(serial_open(&s, path, 9600), 0);
        check_line(serial_fd(s), B9600);
        printf("# %s: usb %s\n", path, serial_usb(s) ? "yes" : "no");
        serial_free(s);
}
END_TEST

int main(void)
{
        Suite *s = suite_create("serial");
        TCase *tc = tcase_create("serial");

        tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, test_missing_path);
        tcase_add_test(tc, test_bad_baud);
        tcase_add_test(tc, test_not_a_tty);
        tcase_add_test(tc, test_pty);
        tcase_add_test(tc, test_pty_exclusive);
        tcase_add_test(tc, test_free_ends_exclusive);
        tcase_add_test(tc, test_foreign_lock_keeps_settings);
        tcase_add_test(tc, test_pty_symlink);
        tcase_add_test(tc, test_pty_io);
        tcase_add_test(tc, test_pty_under_another_name);
        if (getenv("LSCD_TEST_SERIAL_PORT"))
                tcase_add_test(tc, test_real_port);
        else
                printf("# LSCD_TEST_SERIAL_PORT unset: real-port cases skipped\n");
        suite_add_tcase(s, tc);
        return lscd_check_run(s);
}

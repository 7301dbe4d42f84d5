/* SPDX-License-Identifier: MIT */
/*
 * lscd: the daemon that owns an LSC servo controller board's serial port
 * and serves many clients over a Unix socket (see lscd(8), lscd-protocol(7)).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "baud.h"
#include "cmd.h"
#include "lock.h"
#include "log.h"
#include "manager.h"
#include "mem.h"
#include "number.h"
#include "model-yaml.h"
#include "options.h"
#include "realtime.h"

static void main_help(void)
{
        printf("Usage: lscd [OPTION]...\n"
               "Own an LSC servo controller board's serial port and serve clients over a Unix\n"
               "socket with newline-delimited JSON (see lscd-protocol(7)).\n\n"
               "  -d, --device PATH|auto      serial port, or auto: the first port whose USB id\n"
               "                              is listed by --usb-id (default auto)\n"
               "  -b, --baud N                line speed (default 9600)\n"
               "  -s, --socket PATH           listening socket (default /run/lscd/lscd.sock)\n"
               "      --socket-mode MODE      octal permissions of the socket (default 0660)\n"
               "      --socket-group GROUP    group owning the socket\n"
               "      --observe-socket PATH   a second socket, mode 0666, for reading only\n"
               "                              (status, events; no commands that act)\n"
               "      --lock-dir DIR          where lscd locks its device against a second\n"
               "                              lscd (default /run/lscd/lock)\n"
               "      --robot FILE            the robot file (default " LSCD_ROBOT_FILE ";\n"
               "                              without it, raw ids and default limits)\n"
               "      --state FILE            where state survives restarts (default\n"
               "                              /run/lscd/state.json)\n"
               "      --check-config FILE     check a robot file, print its errors, and exit\n"
               "      --sequences DIR         sequence files (default " LSCD_SEQUENCE_DIR ")\n"
               "      --recordings DIR        where recordings are written (default\n"
               "                              /var/lib/lscd/sequences)\n"
               "      --battery-timeout MS    battery and position reply timeout (default 1000)\n"
               "      --board KIND            lsc (PWM boards) or bus (Bus Servo Controller);\n"
               "                              the robot file's \"board\" wins (default lsc)\n"
               "      --realtime PRIORITY     run SCHED_FIFO at PRIORITY, 1..99, memory locked\n"
               "                              (default 0: normal priority)\n"
               "      --log-level LEVEL       err, warning, notice, info or debug (default info)\n"
               "      --usb-id VID:PID        a known USB-serial bridge, repeatable (default\n"
               "                              1a86:7523, 1a86:55d4, 10c4:ea60)\n"
               "      --max-clients N         clients served at once (default 1024)\n"
               "      --max-client-output B   output queued per client before lscd stops\n"
               "                              reading its requests (default 1048576)\n"
               "      --list-commands         describe the protocol's commands and exit\n"
               "  -h, --help                  show this help and exit\n"
               "  -V, --version               show the version and exit\n");
}

enum {
        OPT_SOCKET_MODE = 0x100, OPT_SOCKET_GROUP, OPT_BATTERY_TIMEOUT, OPT_LOG_LEVEL,
        OPT_USB_ID, OPT_MAX_CLIENTS, OPT_MAX_CLIENT_OUTPUT, OPT_LIST_COMMANDS, OPT_LOCK_DIR,
        OPT_ROBOT, OPT_STATE, OPT_CHECK_CONFIG, OPT_OBSERVE_SOCKET, OPT_SEQUENCES,
        OPT_RECORDINGS, OPT_REALTIME, OPT_BOARD,
};

static const struct option main_options[] = {
        { "device", required_argument, NULL, 'd' },
        { "baud", required_argument, NULL, 'b' },
        { "socket", required_argument, NULL, 's' },
        { "socket-mode", required_argument, NULL, OPT_SOCKET_MODE },
        { "socket-group", required_argument, NULL, OPT_SOCKET_GROUP },
        { "lock-dir", required_argument, NULL, OPT_LOCK_DIR },
        { "robot", required_argument, NULL, OPT_ROBOT },
        { "sequences", required_argument, NULL, OPT_SEQUENCES },
        { "recordings", required_argument, NULL, OPT_RECORDINGS },
        { "observe-socket", required_argument, NULL, OPT_OBSERVE_SOCKET },
        { "state", required_argument, NULL, OPT_STATE },
        { "check-config", required_argument, NULL, OPT_CHECK_CONFIG },
        { "realtime", required_argument, NULL, OPT_REALTIME },
        { "battery-timeout", required_argument, NULL, OPT_BATTERY_TIMEOUT },
        { "board", required_argument, NULL, OPT_BOARD },
        { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
        { "usb-id", required_argument, NULL, OPT_USB_ID },
        { "max-clients", required_argument, NULL, OPT_MAX_CLIENTS },
        { "max-client-output", required_argument, NULL, OPT_MAX_CLIENT_OUTPUT },
        { "list-commands", no_argument, NULL, OPT_LIST_COMMANDS },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { 0 }
};

/* Handle one option. Returns 0, 1 to exit successfully, or -EINVAL. */
static int main_option(int c, const char *arg, struct options *o)
{
        unsigned long v;
        int r = 0;

        if (arg && !*arg)
                return -EINVAL;
        switch (c) {
        case 'd': o->device = arg; break;
        case 's': o->socket_path = arg; break;
        case OPT_SOCKET_GROUP: o->socket_group = arg; break;
        case OPT_LOCK_DIR: o->lock_dir = arg; break;
        case OPT_ROBOT: o->robot_path = arg; break;
        case OPT_SEQUENCES: o->sequence_dir = arg; break;
        case OPT_RECORDINGS: o->record_dir = arg; break;
        case OPT_OBSERVE_SOCKET: o->observe_path = arg; break;
        case OPT_STATE: o->state_path = arg; break;
        case OPT_CHECK_CONFIG: o->check_config = arg; break;
        case OPT_BOARD:
                o->board = profile_find(arg);
                r = o->board ? 0 : -EINVAL;
                break;
        case 'b':
                r = number_parse(arg, 10, 1, UINT_MAX, &v);
                if (r == 0 && !baud_supported((unsigned) v))
                        r = -EINVAL;
                o->baud = (unsigned) v;
                break;
        case OPT_SOCKET_MODE:
                r = number_parse(arg, 8, 0, 0777, &v);
                o->socket_mode = (mode_t) v;
                break;
        case OPT_BATTERY_TIMEOUT:
                r = number_parse(arg, 10, 1, 600000, &v);
                o->battery_timeout_usec = (uint64_t) v * 1000;
                break;
        case OPT_REALTIME:
                r = number_parse(arg, 10, 0, 99, &v);
                o->realtime_priority = (int) v;
                break;
        case OPT_MAX_CLIENTS:
                r = number_parse(arg, 10, 1, 1000000, &v);
                o->max_clients = (unsigned) v;
                break;
        case OPT_MAX_CLIENT_OUTPUT:
                r = number_parse(arg, 10, 4096, 1UL << 30, &v);
                o->max_client_output = v;
                break;
        case OPT_LOG_LEVEL:
                r = log_level_from_string(arg);
                if (r < 0)
                        break;
                log_set_max_level(r);
                r = 0;
                break;
        case OPT_USB_ID:
                if (o->n_usb_ids == OPTIONS_MAX_USB_IDS)
                        return -EINVAL;
                r = ports_parse_id(arg, &o->usb_ids[o->n_usb_ids]);
                if (r >= 0)
                        o->n_usb_ids++;
                break;
        case OPT_LIST_COMMANDS:
                cmd_print_help(stdout);
                return 1;
        case 'h':
                main_help();
                return 1;
        case 'V':
                printf("lscd %s\n", PACKAGE_VERSION);
                return 1;
        default:
                return -EINVAL;
        }
        return r < 0 ? -EINVAL : 0;
}

/* The long name of the option getopt_long() returned as C. */
static const char *main_option_name(int c)
{
        for (const struct option *opt = main_options; opt->name; opt++)
                if (opt->val == c)
                        return opt->name;
        return "?";
}

/* After a message on how the command line is wrong. */
static int main_usage_error(void)
{
        fprintf(stderr, "Try 'lscd --help' for more information.\n");
        return -EINVAL;
}

static int main_parse(int argc, char *argv[], struct options *o)
{
        static char name[] = "lscd";
        int c, r;

        /* getopt_long() begins its messages with argv[0]: the program's
         * name, not the path it was started by. */
        argv[0] = name;
        while ((c = getopt_long(argc, argv, "d:b:s:hV", main_options, NULL)) >= 0) {
                if (c == '?')
                        return main_usage_error();
                r = main_option(c, optarg, o);
                if (r == -EINVAL && optarg && !*optarg) {
                        fprintf(stderr, "lscd: empty value for --%s\n", main_option_name(c));
                        return r;
                }
                if (r == -EINVAL) {
                        fprintf(stderr, "lscd: invalid value for --%s: %s\n", main_option_name(c),
                                optarg ? optarg : "");
                        return r;
                }
                if (r != 0)
                        return r;
        }
        if (optind < argc) {
                fprintf(stderr, "lscd: unexpected argument: %s\n", argv[optind]);
                return main_usage_error();
        }
        if (o->n_usb_ids == 0) {
                memcpy(o->usb_ids, ports_known_ids, ports_n_known_ids * sizeof(*o->usb_ids));
                o->n_usb_ids = ports_n_known_ids;
        }
        return 0;
}

/* What kind of file other than a character device MODE is, for a message. */
static const char *main_file_kind(mode_t mode)
{
        if (S_ISDIR(mode))
                return "a directory";
        if (S_ISREG(mode))
                return "a regular file";
        if (S_ISBLK(mode))
                return "a block device";
        if (S_ISFIFO(mode))
                return "a FIFO";
        return "a socket";
}

/* Refuse a --device that exists and can never be a serial port: a file
 * other than a character device, a device the kernel files under a class
 * other than tty (/dev/null is a mem device), or a virtual tty (/dev/tty1,
 * a console). A device without a
 * class in /sys (a pseudo-terminal) is left to opening, and a path that
 * does not exist yet is waited for. */
static int main_check_device(const char *path)
{
        char sys[64], class[PATH_MAX];
        const char *name;
        struct stat st;
        ssize_t n;

        if (stat(path, &st) < 0)
                return 0;
        if (!S_ISCHR(st.st_mode)) {
                fprintf(stderr, "lscd: invalid value for --device: %s is %s, not a serial port\n",
                        path, main_file_kind(st.st_mode));
                return -EINVAL;
        }
        snprintf(sys, sizeof(sys), "/sys/dev/char/%u:%u/subsystem", major(st.st_rdev),
                 minor(st.st_rdev));
        n = readlink(sys, class, sizeof(class) - 1);
        if (n < 0)
                return 0;
        class[n] = '\0';
        name = strrchr(class, '/');
        name = name ? name + 1 : class;
        if (strcmp(name, "tty") != 0) {
                fprintf(stderr, "lscd: invalid value for --device: %s is a %s device, not a "
                        "serial port\n", path, name);
                return -EINVAL;
        }
        /* A console or virtual terminal (/dev/tty1, /dev/tty) is a tty but
         * no serial port: /sys files it under devices/virtual. */
        sys[strlen(sys) - strlen("/subsystem")] = '\0';
        n = readlink(sys, class, sizeof(class) - 1);
        class[n < 0 ? 0 : n] = '\0';
        if (!strstr(class, "/virtual/"))
                return 0;
        fprintf(stderr, "lscd: invalid value for --device: %s is a console or virtual terminal, "
                "not a serial port\n", path);
        return -EINVAL;
}

/* lscd looks --socket-group up once, at start: a name that is no group then
 * is a wrong command line. A number is taken as it is, as chown(2) does. */
static int main_check_group(const char *group)
{
        unsigned long gid;

        if (number_parse(group, 10, 0, (gid_t) -1 - 1, &gid) == 0 || getgrnam(group))
                return 0;
        fprintf(stderr, "lscd: invalid value for --socket-group: %s: no such group\n", group);
        return -EINVAL;
}

/* Values that are well-formed but can never work: usage errors too. A
 * --device other than auto must be a path: "ttyUSB0" or "AUTO" would be
 * waited for in the working directory (/ under systemd) for ever. */
static int main_check(const struct options *o)
{
        int r = 0;

        if (strcmp(o->device, "auto") != 0 && !strchr(o->device, '/')) {
                fprintf(stderr, "lscd: invalid value for --device: %s: neither auto nor a path "
                        "(a path has a '/': /dev/%s, ./%s)\n", o->device, o->device, o->device);
                return -EINVAL;
        }
        if (strcmp(o->device, "auto") != 0)
                r = main_check_device(o->device);
        if (r == 0 && o->socket_group)
                r = main_check_group(o->socket_group);
        if (r == 0 && o->observe_path && strcmp(o->observe_path, o->socket_path) == 0) {
                fprintf(stderr, "lscd: --observe-socket must be another path than --socket\n");
                r = -EINVAL;
        }
        return r;
}

/* Check the robot file PATH: 0, or 2 after printing its errors. A missing
 * file is an error only when CHECKING (--check-config names it). */
static int main_check_robot(const char *path, const struct profile *board, bool checking)
{
        struct model *m = NULL;
        char *errors = NULL;
        int r = model_load(path, board, &m, &errors);

        if (r == -ENOENT && !checking)
                r = 0;
        else if (r < 0)
                fprintf(stderr, "%s", errors);
        else if (checking)
                printf("%s: ok: %u named servos, %zu poses, %zu groups\n", path,
                       model_n_named(m), m->n_poses, m->n_groups);
        free(errors);
        model_free(m);
        return r < 0 ? 2 : 0;
}

/* Serve as many clients as the hard limit on open files allows. */
static void main_raise_nofile(void)
{
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
                rl.rlim_cur = rl.rlim_max;
                if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
                        log_debug_errno(errno, "Cannot raise RLIMIT_NOFILE");
        }
}

int main(int argc, char *argv[])
{
        struct options options = {
                .device = "auto",
                .baud = 9600,
                .socket_path = "/run/lscd/lscd.sock",
                .socket_mode = 0660,
                .lock_dir = "/run/lscd/lock",
                .robot_path = LSCD_ROBOT_FILE,
                .state_path = "/run/lscd/state.json",
                .sequence_dir = LSCD_SEQUENCE_DIR,
                .record_dir = "/var/lib/lscd/sequences",
                .battery_timeout_usec = 1000000,
                .board = &profile_lsc,
                .max_clients = 1024,
                .max_client_output = 1048576,
        };
        struct manager *m = NULL;
        struct lock *lock = NULL;
        struct realtime realtime;
        int r;

        r = main_parse(argc, argv, &options);
        if (r == 0)
                r = main_check(&options);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : 2;
        if (options.check_config)
                return main_check_robot(options.check_config, options.board, true);
        if (main_check_robot(options.robot_path, options.board, false) != 0) {
                fprintf(stderr, "lscd: not starting: the robot file has errors\n");
                return 2;
        }
        mem_json_hooks();
        signal(SIGPIPE, SIG_IGN);
        main_raise_nofile();
        realtime_request(options.realtime_priority);
        realtime = realtime_settle();
        log_info("lscd %s starting: device %s, socket %s", PACKAGE_VERSION, options.device,
                 options.socket_path);
        r = lock_take(&lock, options.lock_dir, options.device);
        if (r >= 0)
                r = manager_new(&m, &options, &realtime);
        if (r >= 0)
                r = manager_run(m);
        manager_free(m);
        lock_free(lock);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
/* sim-main.c: lsc-sim's command line. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baud.h"
#include "sim.h"
#include "sim-cmd.h"
#include "sim-pty.h"

#define EXIT_USAGE 2

static void main_help(void)
{
        printf("Usage: lsc-sim --link PATH [OPTION]...\n"
               "Simulate a Hiwonder/LOBOT LSC servo controller board on a pseudo-terminal.\n"
               "\n"
               "The pty is raw 8N1 at the baud rate and is read at the pace of the wire:\n"
               "a byte arrives 10 bit times after the previous one. Once PATH and the\n"
               "control socket exist, one line is printed on stdout:\n"
               "  lsc-sim: PATH -> /dev/pts/N\n"
               "\n"
               "Options:\n"
               "  --link PATH             publish the pty as symlink PATH (an existing symlink\n"
               "                          is replaced atomically; anything else is refused)\n"
               "  --baud N                line speed, default 9600; one of 1200 2400 4800 9600\n"
               "                          19200 38400 57600 115200 230400 460800 500000 576000\n"
               "                          921600 1000000\n"
               "  --log FILE              append one line per event to FILE (see below)\n"
               "  --control SOCKET        listen for control commands on Unix socket SOCKET\n"
               "  --battery-mv MV         battery voltage to report, 0..65535, default 7400\n"
               "  --no-battery            never answer GET_BATTERY_VOLTAGE\n"
               "  --group N[:MS]          group N (0..254) is downloaded, one run lasting MS ms\n"
               "                          (0..3600000, default 1000); repeatable. Without any\n"
               "                          --group, groups 0..15 are downloaded with 1000 ms.\n"
               "  --board lsc|bus         a PWM LSC board (default), or a Bus Servo Controller\n"
               "                          (takes UNLOAD 20 and POS_READ 21; positions 0..1000)\n"
               "  --firmware new|old      old: a run is reported as 55 55 02 06 and a\n"
               "                          group's natural end as STOP (default new)\n"
               "  --garbage-every MS:BYTES  write BYTES (1..4096) random bytes, never 0x55,\n"
               "                          to the line every MS (1..3600000) milliseconds\n"
               "  --verbose               copy every log line to stderr\n"
               "  --help                  show this help and exit\n"
               "  --version               show the version and exit\n"
               "\n"
               "Board behaviour:\n"
               "  RUN g n     echo 55 55 05 06 g n_lo n_hi at once, then after\n"
               "              duration(g) * 100 / percent(g) * n ms send COMPLETE g n\n"
               "              (n = 0: forever, no COMPLETE). A RUN replaces a running group.\n"
               "              A group not downloaded: nothing is sent.\n"
               "  STOP        while a group runs: send 55 55 02 07; idle: nothing\n"
               "  SPEED g p   percent p for group g (255: every group); forgotten at replug\n"
               "  BATTERY     answer 55 55 04 0F mv_lo mv_hi at once, unless turned off\n"
               "  SERVO_MOVE  each servo (1..32) goes in a straight line from where it is\n"
               "              to its target (500..2500) in the frame's time, counted from\n"
               "              the arrival of the frame's last byte. Positions are unknown\n"
               "              (\"-\" in state) after power-on, a replug and a group start\n"
               "              (groups carry no positions here); a move from an unknown\n"
               "              position is unknown until it arrives. STOP stops no move.\n"
               "              On a bus board positions are 0..1000, and 500 after power-on.\n"
               "  UNLOAD ids  (bus board) torque off: each servo stays where it is, limp, and\n"
               "              the control command hand moves it; a move drives it again\n"
               "  POS_READ ids  (bus board) answer 55 55 3N+3 15 N {id lo hi}... for the\n"
               "              servos whose position is known, at once; none: nothing\n"
               "  A PWM board ignores UNLOAD and POS_READ: nothing is sent.\n"
               "  anything else well framed (unknown command, board-to-host command, a\n"
               "  value the board cannot act on) is malformed: the board beeps twice and\n"
               "  sends nothing.\n"
               "\n"
               "Log lines: <t> <kind> [details], t = CLOCK_MONOTONIC seconds, 6 decimals:\n"
               "  rx HEX          a well-formed frame, t = arrival of its last byte\n"
               "  beep HEX        a malformed frame (nothing sent)\n"
               "  discard N       N bytes discarded by the frame decoder\n"
               "  tx HEX          a frame the board sent\n"
               "  tx-raw HEX      bytes written by the raw command\n"
               "  tx-garbage HEX  garbage written by the garbage command or --garbage-every\n"
               "  note TEXT       e.g. \"group N not downloaded\"\n"
               "  plug PTS        the first pty; unplug; replug PTS\n"
               "HEX is uppercase bytes separated by spaces, e.g. 55 55 02 07.\n"
               "\n"
               "Control commands (one per line; reply \"ok ...\" or \"error MESSAGE\"):\n");
        sim_cmd_help(stdout);
        printf("\n"
               "SIGTERM and SIGINT remove PATH and the control socket and exit 0.\n"
               "Exit status: 0 on success, 1 on a runtime error, 2 on a usage error.\n");
}

static int main_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int main_usage_error(const char *fmt, ...)
{
        va_list ap;

        fprintf(stderr, "lsc-sim: ");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'lsc-sim --help' for more information.\n");
        return -EINVAL;
}

/* A decimal integer in min..max ending at *end (which must then be stop). */
static int main_number(const char *s, char **end, char stop, long min, long max, long *out)
{
        long v;

        errno = 0;
        v = strtol(s, end, 10);
        if (errno || *end == s || **end != stop || v < min || v > max)
                return -EINVAL;
        *out = v;
        return 0;
}

static int main_whole(const char *s, long min, long max, long *out)
{
        char *end;

        return main_number(s, &end, '\0', min, max, out);
}

/* N[:MS] */
static int main_group(struct sim_config *c, const char *arg)
{
        long g, ms = SIM_BOARD_DURATION_MS;
        char *end;

        if (main_number(arg, &end, *arg && strchr(arg, ':') ? ':' : '\0', 0, LSC_GROUP_MAX, &g) < 0 ||
            (*end == ':' && main_whole(end + 1, 0, SIM_BOARD_DURATION_MAX, &ms) < 0))
                return main_usage_error("--group: '%s' is not N[:MS] with N in 0..254 "
                                        "and MS in 0..3600000", arg);
        return sim_board_set_group(&c->board, g, ms);
}

/* MS:BYTES */
static int main_garbage(struct sim_config *c, const char *arg)
{
        long ms, bytes;
        char *end;

        if (main_number(arg, &end, ':', 1, SIM_BOARD_DURATION_MAX, &ms) < 0 ||
            main_whole(end + 1, 1, SIM_GARBAGE_MAX, &bytes) < 0)
                return main_usage_error("--garbage-every: '%s' is not MS:BYTES with MS in "
                                        "1..3600000 and BYTES in 1..4096", arg);
        c->garbage_ms = (unsigned)ms;
        c->garbage_bytes = (unsigned)bytes;
        return 0;
}

static int main_baud(struct sim_config *c, const char *arg)
{
        long baud;

        if (main_whole(arg, 1, 4000000, &baud) < 0 || !baud_supported((unsigned)baud))
                return main_usage_error("--baud: '%s' is not a supported rate (see --help)", arg);
        c->baud = (unsigned)baud;
        return 0;
}

/* --board lsc|bus, --firmware new|old: WHICH is set for the second word. */
static int main_choice(const char *option, const char *arg, const char *first,
                       const char *second, bool *which)
{
        if (strcmp(arg, first) && strcmp(arg, second))
                return main_usage_error("--%s: '%s' is not %s or %s", option, arg, first, second);
        *which = strcmp(arg, second) == 0;
        return 0;
}

static int main_battery_mv(struct sim_config *c, const char *arg)
{
        long mv;

        if (main_whole(arg, 0, 65535, &mv) < 0)
                return main_usage_error("--battery-mv: '%s' is not in 0..65535", arg);
        c->board.battery_mv = (unsigned)mv;
        return 0;
}

enum {
        OPT_LINK = 256, OPT_BAUD, OPT_LOG, OPT_CONTROL, OPT_BATTERY_MV, OPT_NO_BATTERY,
        OPT_GROUP, OPT_GARBAGE, OPT_VERBOSE, OPT_HELP, OPT_VERSION, OPT_BOARD, OPT_FIRMWARE,
};

static const struct option main_options[] = {
        { "link", required_argument, NULL, OPT_LINK },
        { "baud", required_argument, NULL, OPT_BAUD },
        { "log", required_argument, NULL, OPT_LOG },
        { "control", required_argument, NULL, OPT_CONTROL },
        { "battery-mv", required_argument, NULL, OPT_BATTERY_MV },
        { "no-battery", no_argument, NULL, OPT_NO_BATTERY },
        { "group", required_argument, NULL, OPT_GROUP },
        { "garbage-every", required_argument, NULL, OPT_GARBAGE },
        { "board", required_argument, NULL, OPT_BOARD },
        { "firmware", required_argument, NULL, OPT_FIRMWARE },
        { "verbose", no_argument, NULL, OPT_VERBOSE },
        { "help", no_argument, NULL, OPT_HELP },
        { "version", no_argument, NULL, OPT_VERSION },
        { NULL, 0, NULL, 0 },
};

/* One option; 1 when the program should exit 0 at once (--help). */
static int main_option(struct sim_config *c, int opt, const char *arg)
{
        switch (opt) {
        case OPT_LINK: c->link = arg; return 0;
        case OPT_BAUD: return main_baud(c, arg);
        case OPT_LOG: c->log_path = arg; return 0;
        case OPT_CONTROL: c->control_path = arg; return 0;
        case OPT_BATTERY_MV: return main_battery_mv(c, arg);
        case OPT_NO_BATTERY: c->board.battery_on = false; return 0;
        case OPT_GROUP: return main_group(c, arg);
        case OPT_GARBAGE: return main_garbage(c, arg);
        case OPT_BOARD: return main_choice("board", arg, "lsc", "bus", &c->board.bus);
        case OPT_FIRMWARE:
                return main_choice("firmware", arg, "new", "old", &c->board.old_firmware);
        case OPT_VERBOSE: c->verbose = true; return 0;
        case OPT_HELP: main_help(); return 1;
        case OPT_VERSION: printf("lsc-sim %s\n", PACKAGE_VERSION); return 1;
        default:
                /* getopt has said what was wrong. */
                fprintf(stderr, "Try 'lsc-sim --help' for more information.\n");
                return -EINVAL;
        }
}

/* Parse argv into c; 0 to run, 1 to exit 0, -EINVAL on a usage error. */
static int main_parse(struct sim_config *c, int argc, char **argv)
{
        bool any_group = false;
        int opt, r;

        while ((opt = getopt_long(argc, argv, "", main_options, NULL)) != -1) {
                any_group |= opt == OPT_GROUP;
                r = main_option(c, opt, optarg);
                if (r != 0)
                        return r;
        }
        if (optind < argc)
                return main_usage_error("unexpected argument '%s'", argv[optind]);
        if (!c->link)
                return main_usage_error("%s", "--link PATH is required");
        for (long g = 0; !any_group && g < 16; g++)
                sim_board_set_group(&c->board, g, SIM_BOARD_DURATION_MS);
        /* Power on as the board the options chose. */
        sim_board_power_cycle(&c->board);
        return 0;
}

int main(int argc, char **argv)
{
        struct sim_config c = { .baud = 9600 };
        struct sim *sim = NULL;
        sigset_t mask;
        int r;

        sim_board_init(&c.board);
        r = main_parse(&c, argc, argv);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : EXIT_USAGE;
        setvbuf(stdout, NULL, _IOLBF, 0);
        signal(SIGPIPE, SIG_IGN);
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        if (sim_new(&sim, &c) < 0)
                return EXIT_FAILURE;
        r = sim_run(sim);
        if (r < 0)
                fprintf(stderr, "lsc-sim: event loop: %s\n", strerror(-r));
        sim_free(sim);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* SPDX-License-Identifier: MIT */
/*
 * lscctl.c: lscctl's main, its tables of subcommands and options (which
 * drive dispatch, validation, --help and bash completion), and the helpers
 * the subcommands share.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "clock.h"
#include "lscctl.h"

/* One option a subcommand may accept. */
struct lscctl_opt {
        int letter;
        const char *name;
        const char *arg;  /* NULL: takes no argument */
        const char *help;
};

/* One subcommand. Its opts are letters of lscctl_opts[]. */
struct lscctl_cmd {
        const char *name;
        const char *args;     /* positional arguments, for the usage line */
        const char *summary;
        const char *opts;     /* option letters accepted besides -s -j -h */
        void (*words)(struct lscctl *ctl); /* prints the completion words of its arguments */
        int min_args, max_args; /* max -1: any number */
        bool command;         /* takes "-- COMMAND [ARG...]" after its arguments */
        int (*exec)(struct lscctl *ctl, int argc, char **argv);
};

static const struct lscctl_opt lscctl_opts[] = {
        { 't', "time",    "MS",  "move duration in milliseconds, 0..65535 (default 1000)" },
        { 'n', "runs",    "N",   "number of runs, 0..65535, 0 = forever (default 1)" },
        { 'w', "wait",    NULL,  "return only once the move, pose or group has completed" },
        { 'd', "detach",  NULL,  "with --wait: an interrupt ends the wait, not the group" },
        { 'c', "count",   "N",   "exit 0 after N events" },
        { 'T', "timeout", "S",   "give up after S seconds (decimals allowed), exit 75" },
        { 'g', "groups",  NULL,  "claim the action groups too" },
        { 'l', "lease",   "DURATION", "renewed lease of the claim, e.g. 2s or 500ms (0.1 s..1 h)" },
        { 'S', "safe",    "ACTION", "when the claim expires: none, stop, home or pose:NAME" },
        { 'v', "servos",  "LIST", "servos to record, ids and names separated by commas, or all (default)" },
        { 'r', "replace", NULL,  "overwrite a recording of that name" },
        { 'L', "loops",   "N",   "play N times, 0..1000000, 0 = until stopped (default 1)" },
        { 'p', "speed",   "PERCENT", "play at PERCENT of the recorded speed, 1..1000 (default 100)" },
        { 'a', "at",      "TIME", "start at TIME: seconds since the epoch, or +DURATION from now" },
        { 's', "socket",  "PATH", "lscd's socket (default $LSCD_SOCKET, else " LSC_CLIENT_DEFAULT_SOCKET ")" },
        { 'j', "json",    NULL,  "print lscd's JSON lines as received" },
        { 'h', "help",    NULL,  "show this help and exit" },
};

static const struct lscctl_cmd lscctl_cmds[] = {
        { "move", "SERVO:POS...", "move each SERVO (id or name) to POS (the board's units: "
          "500..2500 us on an LSC board, 0..1000 on a bus board) or by +N/-N",
          "twaT", lscctl_robot_servo_words, 1, -1, false, lscctl_motion_move },
        { "pose", "NAME", "move the servos to a pose of the robot file",
          "twaT", lscctl_robot_pose_words, 1, 1, false, lscctl_motion_pose },
        { "run", "GROUP", "run action group GROUP (0..254, or its name)",
          "nwdaT", lscctl_robot_group_words, 1, 1, false, lscctl_motion_run },
        { "stop", "", "stop the running action group",
          "", NULL, 0, 0, false, lscctl_motion_stop },
        { "halt", "", "drop every queued move and group run, then stop",
          "", NULL, 0, 0, false, lscctl_motion_halt },
        { "speed", "GROUP|all PERCENT", "set the speed of a group (or all) to PERCENT (1..65535)",
          "", lscctl_motion_speed_words, 2, 2, false, lscctl_motion_speed },
        { "battery", "", "print the battery voltage in millivolts",
          "", NULL, 0, 0, false, lscctl_info_battery },
        { "status", "", "print the device, the running group and lscd's counters",
          "", NULL, 0, 0, false, lscctl_info_status },
        { "version", "", "print the versions of lscctl and lscd",
          "", NULL, 0, 0, false, lscctl_info_version },
        { "servos", "", "print every servo lscd knows: its limits, trim and target",
          "", NULL, 0, 0, false, lscctl_robot_servos },
        { "robot", "", "print the robot model lscd uses: servos, poses, groups",
          "", NULL, 0, 0, false, lscctl_robot_show },
        { "reload", "", "make lscd read its robot file again",
          "", NULL, 0, 0, false, lscctl_robot_reload },
        { "claim", "SERVO...|all -- COMMAND [ARG...]",
          "hold a claim on servos while COMMAND runs; COMMAND's lscctl commands act under it",
          "glSwT", lscctl_robot_claim_words, 1, -1, true, lscctl_claim_run },
        { "unload", "SERVO...|all", "torque off (a bus board): the servos go limp",
          "", lscctl_robot_claim_words, 1, -1, false, lscctl_bus_unload },
        { "positions", "[SERVO...]", "read where the servos are (a bus board; default: the "
          "named ones)", "", lscctl_robot_servo_words, 0, -1, false, lscctl_bus_positions },
        { "clients", "", "list the clients connected to lscd: names, pids, claims",
          "", NULL, 0, 0, false, lscctl_info_clients },
        { "record", "NAME", "record the moves that reach the wire until interrupted",
          "vr", NULL, 1, 1, false, lscctl_sequence_record },
        { "teach", "NAME", "unload the servos (a bus board) and record the moves a hand gives "
          "them until interrupted", "vr", NULL, 1, 1, false, lscctl_sequence_teach },
        { "play", "NAME", "play a sequence (a recording, or a file of lscd's sequences)",
          "LpwaT", lscctl_sequence_words, 1, 1, false, lscctl_sequence_play },
        { "sequences", "", "list the sequences lscd can play, and those playing",
          "", NULL, 0, 0, false, lscctl_sequence_list },
        { "watch", "[EVENT-PREFIX...]", "print events as they arrive (all, or those named)",
          "cT", lscctl_watch_words, 0, -1, false, lscctl_watch_events },
        { "wait", "", "wait until the running action group completes or stops",
          "T", NULL, 0, 0, false, lscctl_watch_wait },
        { "ports", "", "list serial ports and mark likely LSC boards",
          "", NULL, 0, 0, false, lscctl_ports_list },
        { "help", "[COMMAND]", "show help for lscctl or one command",
          "", NULL, 0, 1, false, NULL },
};

static const struct lscctl_cmd *lscctl_find_cmd(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(lscctl_cmds); i++)
                if (strcmp(lscctl_cmds[i].name, name) == 0)
                        return &lscctl_cmds[i];
        return NULL;
}

/* Whether cmd accepts option o (NULL cmd: only the global ones). */
static bool lscctl_accepts(const struct lscctl_cmd *cmd, const struct lscctl_opt *o)
{
        return strchr("sjh", o->letter) || (cmd && strchr(cmd->opts, o->letter));
}

static void lscctl_print_opt(FILE *out, const struct lscctl_opt *o)
{
        char left[40];

        snprintf(left, sizeof(left), "-%c, --%s%s%s", o->letter, o->name,
                 o->arg ? " " : "", o->arg ? o->arg : "");
        fprintf(out, "  %-22s %s\n", left, o->help);
}

static void lscctl_help_cmd(FILE *out, const struct lscctl_cmd *cmd)
{
        fprintf(out, "Usage: lscctl [-s PATH] [--json] %s%s%s%s\n\n%c%s.\n\nOptions:\n",
                cmd->name, *cmd->opts ? " [OPTION...]" : "", *cmd->args ? " " : "",
                cmd->args, toupper((unsigned char)cmd->summary[0]), cmd->summary + 1);
        for (size_t i = 0; i < ELEMENTSOF(lscctl_opts); i++)
                if (lscctl_accepts(cmd, &lscctl_opts[i]))
                        lscctl_print_opt(out, &lscctl_opts[i]);
        fprintf(out, "\nSee lscctl(1) for details and exit statuses.\n");
}

static void lscctl_help(FILE *out)
{
        fprintf(out, "Usage: lscctl [-s PATH] [--json] COMMAND [OPTION...] [ARG...]\n"
                "       lscctl help [COMMAND] | --help | --version\n\n"
                "Control an LSC servo controller board through lscd.\n\nCommands:\n");
        for (size_t i = 0; i < ELEMENTSOF(lscctl_cmds); i++)
                fprintf(out, "  %-9s %s\n", lscctl_cmds[i].name, lscctl_cmds[i].summary);
        fprintf(out, "\nOptions:\n");
        for (size_t i = 0; i < ELEMENTSOF(lscctl_opts); i++)
                if (lscctl_accepts(NULL, &lscctl_opts[i]))
                        lscctl_print_opt(out, &lscctl_opts[i]);
        fprintf(out, "  -V, --version          show lscctl's version and exit\n\n"
                "Exit status: 0 ok, 1 lscd answered an error, 2 usage, 69 lscd unreachable,\n"
                "70 internal error, 75 timed out, 76 invalid answer from lscd,\n"
                "130 or 143 run --wait interrupted (the group was stopped).\n"
                "See lscctl(1).\n");
}

/* "lscctl __complete [-s PATH] [COMMAND]": the words bash completion
 * offers; PATH is the socket of the lscd to ask for names. */
static int lscctl_complete(struct lscctl *ctl, int argc, char **argv)
{
        const struct lscctl_cmd *cmd;

        if (argc > 3 && strcmp(argv[2], "-s") == 0) {
                ctl->socket = argv[3];
                argv += 2;
                argc -= 2;
        }
        cmd = argc > 2 ? lscctl_find_cmd(argv[2]) : NULL;
        if (argc <= 2) {
                for (size_t i = 0; i < ELEMENTSOF(lscctl_cmds); i++)
                        printf("%s\n", lscctl_cmds[i].name);
                printf("--socket\n--json\n--help\n--version\n");
                return LSCCTL_EXIT_OK;
        }
        if (!cmd)
                return LSCCTL_EXIT_USAGE;
        for (size_t i = 0; i < ELEMENTSOF(lscctl_opts); i++)
                if (lscctl_accepts(cmd, &lscctl_opts[i]))
                        printf("--%s\n", lscctl_opts[i].name);
        if (strcmp(cmd->name, "help") == 0)
                for (size_t i = 0; i < ELEMENTSOF(lscctl_cmds); i++)
                        printf("%s\n", lscctl_cmds[i].name);
        if (cmd->words)
                cmd->words(ctl);
        return LSCCTL_EXIT_OK;
}

int lscctl_usage_error(struct lscctl *ctl, const char *format, ...)
{
        va_list ap;

        fprintf(stderr, "lscctl%s%s: ", ctl->command ? " " : "", ctl->command ? ctl->command : "");
        va_start(ap, format);
        vfprintf(stderr, format, ap);
        va_end(ap);
        fprintf(stderr, "\nTry 'lscctl %s%s'.\n", ctl->command ? "help " : "--help",
                ctl->command ? ctl->command : "");
        return LSCCTL_EXIT_USAGE;
}

bool lscctl_parse_long(const char *text, long min, long max, long *ret)
{
        char *end;
        long v;

        if (!text || !((*text >= '0' && *text <= '9') || (*text == '-' && text[1] >= '0' && text[1] <= '9')))
                return false;
        errno = 0;
        v = strtol(text, &end, 10);
        if (errno || *end || v < min || v > max)
                return false;
        *ret = v;
        return true;
}

bool lscctl_is_name(const char *text, size_t len)
{
        if (len == 0 || len > LSCCTL_NAME_MAX || isdigit((unsigned char)text[0]))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!(text[i] == '_' || isalnum((unsigned char)text[i])) || (text[i] & 0x80))
                        return false;
        return true;
}

/* Seconds (decimals allowed, > 0) to milliseconds. */
static bool lscctl_parse_seconds(const char *text, int *ret)
{
        char *end;
        double s;

        if (!text || !((*text >= '0' && *text <= '9') || *text == '.'))
                return false;
        errno = 0;
        s = strtod(text, &end);
        if (errno || *end || !isfinite(s) || s <= 0 || s > 2000000.0)
                return false;
        *ret = (int)ceil(s * 1000);
        return true;
}

bool lscctl_parse_duration(const char *text, long min_ms, long max_ms, long *ret)
{
        static const struct { const char *unit; double ms; int rank; } units[] = {
                { "h", 3600000, 0 }, { "ms", 1, 3 }, { "m", 60000, 1 }, { "s", 1000, 2 },
        };
        const char *p = text;
        double total = 0;
        int last = -1;

        do {
                char *end;
                double v;
                size_t i = 0;

                if (!isdigit((unsigned char)*p))
                        return false;
                errno = 0;
                v = strtod(p, &end);
                if (errno || !isfinite(v))
                        return false;
                if (p == text && !*end) {
                        total = v * 1000;
                        break;
                }
                while (i < ELEMENTSOF(units) && strncmp(end, units[i].unit, strlen(units[i].unit)))
                        i++;
                if (i == ELEMENTSOF(units) || units[i].rank <= last)
                        return false;
                last = units[i].rank;
                total += v * units[i].ms;
                p = end + strlen(units[i].unit);
        } while (*p);
        total = ceil(total);
        if (total < (double)min_ms || total > (double)max_ms)
                return false;
        *ret = (long)total;
        return true;
}

/* "at": seconds since the epoch (after 2000), or "+DURATION" from now. */
static bool lscctl_parse_at(const char *text, double *ret)
{
        struct timespec now;
        long ms;
        char *end;

        if (text[0] == '+') {
                if (!lscctl_parse_duration(text + 1, 1, 3600000, &ms) ||
                    clock_gettime(CLOCK_REALTIME, &now) < 0)
                        return false;
                *ret = (double)now.tv_sec + (double)now.tv_nsec / 1e9 + (double)ms / 1e3;
                return true;
        }
        if (!isdigit((unsigned char)text[0]))
                return false;
        errno = 0;
        *ret = strtod(text, &end);
        return !errno && !*end && *ret >= 946684800.0 && *ret < 253402300800.0;
}

/* Report the option getopt_long() refused with c ('?' or ':'); arg is the
 * word that held it. Returns 2. */
static int lscctl_option_error(struct lscctl *ctl, int c, const char *arg)
{
        if (c == ':')
                return lscctl_usage_error(ctl, "option '%s' needs an argument", arg);
        /* A known long option given a value ("--json=yes") sets optopt. */
        if (optopt && strncmp(arg, "--", 2) == 0)
                return lscctl_usage_error(ctl, "option '%.*s' takes no argument",
                                          (int)strcspn(arg, "="), arg);
        if (optopt)
                return lscctl_usage_error(ctl, "unknown option '-%c'", optopt);
        return lscctl_usage_error(ctl, "unknown option '%s'", arg);
}

/* Store one parsed option; returns 0 or an exit status. */
static int lscctl_set_option(struct lscctl *ctl, int letter, const char *arg)
{
        struct lscctl_options *o = &ctl->opt;

        switch (letter) {
        case 't':
                if (!lscctl_parse_long(arg, 0, LSC_TIME_MAX, &o->time_ms))
                        return lscctl_usage_error(ctl, "invalid time '%s': expected milliseconds 0..%d",
                                                  arg, LSC_TIME_MAX);
                return 0;
        case 'w': o->wait = true; return 0;
        case 'd': o->detach = true; return 0;
        case 'j': ctl->json = true; return 0;
        case 's':
                if (!*arg)
                        return lscctl_usage_error(ctl, "empty socket path");
                ctl->socket = arg;
                return 0;
        case 'n':
                if (!lscctl_parse_long(arg, 0, LSC_RUNS_MAX, &o->runs))
                        return lscctl_usage_error(ctl, "invalid number of runs '%s': expected 0..%d",
                                                  arg, LSC_RUNS_MAX);
                return 0;
        case 'c':
                if (!lscctl_parse_long(arg, 1, 1000000000, &o->count))
                        return lscctl_usage_error(ctl, "invalid count '%s': expected a positive integer", arg);
                return 0;
        case 'T':
                if (!lscctl_parse_seconds(arg, &o->timeout_ms))
                        return lscctl_usage_error(ctl, "invalid timeout '%s': expected seconds > 0", arg);
                return 0;
        case 'g': o->groups = true; return 0;
        case 'r': o->replace = true; return 0;
        case 'v': o->servos = arg; return 0;
        case 'l':
                if (!lscctl_parse_duration(arg, 100, 3600000, &o->lease_ms))
                        return lscctl_usage_error(ctl, "invalid lease '%s': expected a duration "
                                                  "from 100ms to 1h, e.g. 2s, 500ms or 1m30s", arg);
                return 0;
        case 'S':
                if (strcmp(arg, "none") && strcmp(arg, "stop") && strcmp(arg, "home") &&
                    (strncmp(arg, "pose:", 5) || !lscctl_is_name(arg + 5, strlen(arg + 5))))
                        return lscctl_usage_error(ctl, "invalid safe action '%s': expected none, "
                                                  "stop, home or pose:NAME", arg);
                o->safe = arg;
                return 0;
        case 'L':
                if (!lscctl_parse_long(arg, 0, 1000000, &o->loops))
                        return lscctl_usage_error(ctl, "invalid loops '%s': expected 0..1000000", arg);
                return 0;
        case 'p':
                if (!lscctl_parse_long(arg, 1, 1000, &o->speed))
                        return lscctl_usage_error(ctl, "invalid speed '%s': expected percent 1..1000", arg);
                return 0;
        case 'a':
                if (!lscctl_parse_at(arg, &o->at))
                        return lscctl_usage_error(ctl, "invalid time '%s': expected seconds since "
                                                  "the epoch or +DURATION up to 1h, e.g. +2s or "
                                                  "+1m30s", arg);
                return 0;
        default:
                return LSCCTL_EXIT_USAGE;
        }
}

/* Parse the subcommand's options from argv (argv[0] = its name) and move its
 * other arguments, in order, to argv[1..]. A word such as "-1" or "-1:1500"
 * is one of them, a negative value that the subcommand checks and names: no
 * option is a digit, so digits are parsed as options only to tell them
 * apart. Returns 0 with *ret_n = how many, 1 when --help was given, or an
 * exit status. */
static int lscctl_parse_options(struct lscctl *ctl, const struct lscctl_cmd *cmd,
                                int argc, char **argv, int *ret_n)
{
        struct option longopts[ELEMENTSOF(lscctl_opts) + 1] = { { 0 } };
        /* "-": the other arguments come back in order, as 1. */
        char shortopts[80] = "-:0::1::2::3::4::5::6::7::8::9::";
        size_t n = 0;
        int args = 0;

        for (size_t i = 0; i < ELEMENTSOF(lscctl_opts); i++) {
                const struct lscctl_opt *o = &lscctl_opts[i];

                if (!lscctl_accepts(cmd, o))
                        continue;
                longopts[n++] = (struct option) { o->name, o->arg ? required_argument : no_argument, NULL, o->letter };
                snprintf(shortopts + strlen(shortopts), sizeof(shortopts) - strlen(shortopts),
                         "%c%s", o->letter, o->arg ? ":" : "");
        }
        optind = 0;
        opterr = 0;
        for (;;) {
                int c = getopt_long(argc, argv, shortopts, longopts, NULL), r;
                char *word;

                if (c == -1)
                        break;
                word = argv[optind - 1];
                /* Only words already parsed are overwritten. */
                if (c == 1 || (isdigit(c) && word[0] == '-' && word[1] == c)) {
                        argv[++args] = word;
                        continue;
                }
                if (isdigit(c)) /* in a group of flags, such as "-w1" */
                        return lscctl_usage_error(ctl, "unknown option '-%c'", c);
                if (c == 'h')
                        return 1;
                if (c == '?' || c == ':')
                        return lscctl_option_error(ctl, c, word);
                r = lscctl_set_option(ctl, c, optarg);
                if (r)
                        return r;
        }
        while (optind < argc) /* after "--" */
                argv[++args] = argv[optind++];
        *ret_n = args;
        return 0;
}

static int lscctl_run_help(struct lscctl *ctl, int argc, char **argv)
{
        const struct lscctl_cmd *cmd;

        if (argc == 0) {
                lscctl_help(stdout);
                return LSCCTL_EXIT_OK;
        }
        cmd = lscctl_find_cmd(argv[0]);
        if (!cmd)
                return lscctl_usage_error(ctl, "unknown command '%s'", argv[0]);
        lscctl_help_cmd(stdout, cmd);
        return LSCCTL_EXIT_OK;
}

static int lscctl_dispatch(struct lscctl *ctl, int argc, char **argv)
{
        const struct lscctl_cmd *cmd = lscctl_find_cmd(argv[0]);
        int r, n = 0;

        if (!cmd)
                return lscctl_usage_error(ctl, "unknown command '%s'", argv[0]);
        ctl->command = cmd->name;
        if (cmd->command) {
                int k = 1;

                while (k < argc && strcmp(argv[k], "--") != 0)
                        k++;
                if (k + 1 < argc)
                        ctl->run_argv = argv + k + 1;
                argc = k;
        }
        r = lscctl_parse_options(ctl, cmd, argc, argv, &n);
        if (r == 1) {
                lscctl_help_cmd(stdout, cmd);
                return LSCCTL_EXIT_OK;
        }
        if (r)
                return r;
        if (n < cmd->min_args)
                return lscctl_usage_error(ctl, "missing argument: expected %s", cmd->args);
        if (cmd->max_args >= 0 && n > cmd->max_args)
                return lscctl_usage_error(ctl, "unexpected argument '%s'", argv[1 + cmd->max_args]);
        if (cmd->command && !ctl->run_argv)
                return lscctl_usage_error(ctl, "missing command: expected %s", cmd->args);
        if (!cmd->exec)
                return lscctl_run_help(ctl, n, argv + 1);
        return cmd->exec(ctl, n, argv + 1);
}

int lscctl_servos_json(struct lscctl *ctl, char **words, int n, cJSON **ret)
{
        cJSON *servos = cJSON_CreateArray();
        long id;

        *ret = NULL;
        if (n == 1 && strcmp(words[0], "all") == 0) {
                cJSON_Delete(servos);
                *ret = cJSON_CreateString("all");
                return *ret ? 0 : lscctl_fail(ctl, -ENOMEM);
        }
        for (int i = 0; i < n; i++) {
                cJSON *item = NULL;

                if (lscctl_parse_long(words[i], LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX, &id))
                        item = cJSON_CreateNumber((double)id);
                else if (strcmp(words[i], "all") != 0 && lscctl_is_name(words[i], strlen(words[i])))
                        item = cJSON_CreateString(words[i]);
                else {
                        cJSON_Delete(servos);
                        return lscctl_usage_error(ctl, "invalid servo '%s': expected an id %d..%d, "
                                                  "a name, or all alone", words[i],
                                                  LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX);
                }
                if (!cJSON_AddItemToArray(servos, item)) {
                        cJSON_Delete(item);
                        cJSON_Delete(servos);
                        return lscctl_fail(ctl, -ENOMEM);
                }
        }
        *ret = servos;
        return 0;
}

/* Why connecting to path failed: connect() says "Connection refused" for a
 * file that is not a socket as for a socket nobody listens on. */
static const char *lscctl_connect_error(const char *path, int error)
{
        struct stat st;

        if (error == -ECONNREFUSED && stat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
                return "not a socket";
        return strerror(-error);
}

int lscctl_connect(struct lscctl *ctl)
{
        int r;

        if (ctl->client)
                return LSCCTL_EXIT_OK;
        r = lsc_client_connect(ctl->socket, &ctl->client);

        if (r == -ENOMEM)
                return lscctl_fail(ctl, r);
        if (r < 0) {
                fprintf(stderr, "lscctl: cannot connect to lscd at %s: %s\n", ctl->socket,
                        lscctl_connect_error(ctl->socket, r));
                return LSCCTL_EXIT_UNAVAILABLE;
        }
        lsc_client_set_timeout(ctl->client, ctl->call_timeout_ms);
        return LSCCTL_EXIT_OK;
}

int lscctl_fail(struct lscctl *ctl, int error)
{
        const char *code = ctl->client ? lsc_client_error_code(ctl->client) : NULL;
        const char *field = ctl->client ? lsc_client_error_field(ctl->client) : NULL;

        switch (error) {
        case -EREMOTEIO:
                fprintf(stderr, "lscctl %s: %s (%s%s%s)\n", ctl->command,
                        lsc_client_error_message(ctl->client), code,
                        field ? ", field " : "", field ? field : "");
                return strcmp(code, "timeout") == 0 ? LSCCTL_EXIT_TIMEOUT : LSCCTL_EXIT_DAEMON;
        case -ETIMEDOUT:
                fprintf(stderr, "lscctl %s: timed out\n", ctl->command);
                return LSCCTL_EXIT_TIMEOUT;
        case -ECONNREFUSED: /* after connecting: lscd said why */
                fprintf(stderr, "lscctl %s: lscd at %s refused the connection: %s (%s)\n",
                        ctl->command, ctl->socket, lsc_client_error_message(ctl->client), code);
                return LSCCTL_EXIT_UNAVAILABLE;
        case -EPROTO:
        case -EPROTONOSUPPORT:
                fprintf(stderr, "lscctl %s: invalid answer from lscd at %s: %s\n",
                        ctl->command, ctl->socket, strerror(-error));
                return LSCCTL_EXIT_PROTOCOL;
        case -ENOMEM:
        case -EINVAL:
        case -EMSGSIZE:
                fprintf(stderr, "lscctl %s: %s\n", ctl->command, strerror(-error));
                return LSCCTL_EXIT_SOFTWARE;
        default:
                fprintf(stderr, "lscctl %s: lost connection to lscd at %s: %s\n",
                        ctl->command, ctl->socket, strerror(-error));
                return LSCCTL_EXIT_UNAVAILABLE;
        }
}

/* Say who holds the claim that refused a request: "claimed by NAME (pid
 * P)". Returns false when response names no holder. */
static bool lscctl_claimed(const struct lscctl *ctl, const cJSON *response)
{
        const cJSON *error = cJSON_GetObjectItemCaseSensitive(response, "error");
        const cJSON *holder = cJSON_GetObjectItemCaseSensitive(error, "holder");
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(holder, "name");
        const cJSON *client = cJSON_GetObjectItemCaseSensitive(holder, "client");
        const cJSON *pid = cJSON_GetObjectItemCaseSensitive(holder, "pid");

        if (!cJSON_IsObject(holder) || !cJSON_IsNumber(client))
                return false;
        fprintf(stderr, "lscctl %s: claimed by ", ctl->command);
        if (cJSON_IsString(name)) {
                /* The name is the holder's to choose: quoted when not plain. */
                lscctl_print_value_to(stderr, name);
        } else
                fprintf(stderr, "client %.0f", client->valuedouble);
        if (cJSON_IsNumber(pid) && pid->valuedouble > 0)
                fprintf(stderr, " (pid %.0f)", pid->valuedouble);
        fprintf(stderr, "\n");
        return true;
}

int lscctl_answer(struct lscctl *ctl, int error, cJSON *response, cJSON **ret)
{
        *ret = NULL;
        if (error == 0) {
                *ret = response;
                return LSCCTL_EXIT_OK;
        }
        if (ctl->json && response)
                lscctl_print_json(response);
        if (error == -EREMOTEIO && strcmp(lsc_client_error_code(ctl->client), "claimed") == 0 &&
            lscctl_claimed(ctl, response)) {
                cJSON_Delete(response);
                return LSCCTL_EXIT_DAEMON;
        }
        cJSON_Delete(response);
        return lscctl_fail(ctl, error);
}

int lscctl_exchange(struct lscctl *ctl, cJSON *request, int *ret_error, cJSON **ret)
{
        int r = lscctl_connect(ctl);

        *ret = NULL;
        *ret_error = 0;
        if (r == 0)
                *ret_error = request ? lsc_client_call(ctl->client, request, ret) : -ENOMEM;
        cJSON_Delete(request);
        return r;
}

int lscctl_call(struct lscctl *ctl, cJSON *request, cJSON **ret)
{
        cJSON *response;
        int error, r = lscctl_exchange(ctl, request, &error, &response);

        *ret = NULL;
        return r ? r : lscctl_answer(ctl, error, response, ret);
}

int lscctl_show(struct lscctl *ctl, cJSON *response, void (*print)(const cJSON *response))
{
        if (ctl->json)
                lscctl_print_json(response);
        else
                print(response);
        cJSON_Delete(response);
        return LSCCTL_EXIT_OK;
}

int lscctl_query(struct lscctl *ctl, const char *cmd, void (*print)(const cJSON *response))
{
        cJSON *response;
        int r = lscctl_call(ctl, lsc_client_request_new(cmd), &response);

        return r ? r : lscctl_show(ctl, response, print);
}

int64_t lscctl_deadline(const struct lscctl *ctl)
{
        return ctl->opt.timeout_ms < 0 ? -1 : clock_msec() + ctl->opt.timeout_ms;
}

int lscctl_left_ms(int64_t deadline)
{
        int64_t left = deadline - clock_msec();

        if (deadline < 0)
                return -1;
        return left < 0 ? 0 : left > INT32_MAX ? INT32_MAX : (int)left;
}

void lscctl_print_json(const cJSON *object)
{
        const char *line = lsc_client_line(object);
        char *text = line ? NULL : cJSON_PrintUnformatted(object);

        if (line || text)
                printf("%s\n", line ? line : text);
        free(text);
        fflush(stdout);
}

static bool lscctl_skip_member(const char *name)
{
        return !strcmp(name, "event") || !strcmp(name, "time") || !strcmp(name, "id") || !strcmp(name, "ok");
}

/* Whether text is not empty and has no blank, control character, quote,
 * backslash or "=": safe to print as is in name=value output. */
static bool lscctl_is_plain(const char *text)
{
        const unsigned char *s = (const unsigned char *)text;

        for (; *s; s++)
                if (*s <= ' ' || *s == 0x7f || *s == '"' || *s == '\\' || *s == '=')
                        return false;
        return s != (const unsigned char *)text;
}

/* JSON-quoting escapes control characters: a USB product string must not
 * drive the terminal. */
void lscctl_print_value_to(FILE *out, const cJSON *item)
{
        char *text;

        if (cJSON_IsString(item) && lscctl_is_plain(item->valuestring)) {
                fputs(item->valuestring, out);
                return;
        }
        text = cJSON_PrintUnformatted(item);
        fputs(text ? text : "?", out);
        free(text);
}

void lscctl_print_value(const cJSON *item)
{
        lscctl_print_value_to(stdout, item);
}

void lscctl_print_text(const char *text)
{
        cJSON *item = cJSON_CreateString(text);

        if (item)
                lscctl_print_value(item);
        else
                fputs("?", stdout);
        cJSON_Delete(item);
}

static void lscctl_print_members(const cJSON *object, const char *prefix, const char *sep, bool *first)
{
        const cJSON *item;

        cJSON_ArrayForEach(item, object) {
                if (!*prefix && lscctl_skip_member(item->string))
                        continue;
                if (cJSON_IsObject(item) && item->child) {
                        char inner[256];

                        snprintf(inner, sizeof(inner), "%s%s.", prefix, item->string);
                        lscctl_print_members(item, inner, sep, first);
                        continue;
                }
                printf("%s%s%s=", *first ? "" : sep, prefix, item->string);
                lscctl_print_value(item);
                *first = false;
        }
}

void lscctl_print_fields(const cJSON *object, const char *sep)
{
        bool first = true;

        lscctl_print_members(object, "", sep, &first);
        if (!first)
                putchar('\n');
}

void lscctl_format_time(const cJSON *item, char *buf, size_t size)
{
        time_t sec;
        struct tm tm;
        long usec;
        size_t n;

        snprintf(buf, size, "-");
        /* Not every double fits in a time_t: past the year 9999, "-". */
        if (!cJSON_IsNumber(item) || !(item->valuedouble >= 0 && item->valuedouble < 253402300800.0))
                return;
        sec = (time_t)item->valuedouble;
        usec = lround((item->valuedouble - (double)sec) * 1e6);
        if (!localtime_r(&sec, &tm))
                return;
        n = strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
        if (n > 0)
                snprintf(buf + n, size - n, ".%06ld", usec > 999999 ? 999999 : usec);
}

void lscctl_print_event(const struct lscctl *ctl, const cJSON *event)
{
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(event, "event");
        char stamp[64];
        bool first = false;

        if (ctl->json) {
                lscctl_print_json(event);
                return;
        }
        lscctl_format_time(cJSON_GetObjectItemCaseSensitive(event, "time"), stamp, sizeof(stamp));
        printf("%s %s", stamp, cJSON_IsString(name) ? name->valuestring : "?");
        lscctl_print_members(event, "", " ", &first);
        putchar('\n');
        fflush(stdout);
}

/* Global options (before the subcommand). Returns 0 with *ret_index, or 1
 * when main should exit with *ret_status. */
static int lscctl_parse_global(struct lscctl *ctl, int argc, char **argv, int *ret_index, int *ret_status)
{
        static const struct option longopts[] = {
                { "socket", required_argument, NULL, 's' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { 0 }
        };
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, "+:s:jhV", longopts, NULL)) != -1) {
                if (c == 's' || c == 'j') {
                        *ret_status = lscctl_set_option(ctl, c, optarg);
                        if (*ret_status)
                                return 1;
                        continue;
                }
                if (c == 'h')
                        lscctl_help(stdout);
                else if (c == 'V')
                        printf("lscctl %s\n", PACKAGE_VERSION);
                else
                        *ret_status = lscctl_option_error(ctl, c, argv[optind - 1]);
                return 1;
        }
        if (optind >= argc) {
                *ret_status = lscctl_usage_error(ctl, "missing command");
                return 1;
        }
        *ret_index = optind;
        return 0;
}

int main(int argc, char **argv)
{
        struct lscctl ctl = {
                .opt = { .time_ms = 1000, .runs = 1, .count = 0, .timeout_ms = -1,
                         .loops = 1, .speed = 100 },
                .call_timeout_ms = LSC_CLIENT_DEFAULT_TIMEOUT_MS,
        };
        int first, status = LSCCTL_EXIT_OK;

        if (argc >= 2 && strcmp(argv[1], "__complete") == 0) {
                ctl.socket = lsc_client_default_socket();
                ctl.call_timeout_ms = LSCCTL_COMPLETE_TIMEOUT_MS;
                status = lscctl_complete(&ctl, argc, argv);
        } else if (lscctl_parse_global(&ctl, argc, argv, &first, &status) == 0) {
                if (!ctl.socket)
                        ctl.socket = lsc_client_default_socket();
                status = lscctl_dispatch(&ctl, argc - first, argv + first);
        }
        lsc_client_free(ctl.client);
        if (fflush(stdout) != 0 && status == LSCCTL_EXIT_OK) {
                fprintf(stderr, "lscctl: write error: %s\n", strerror(errno));
                status = LSCCTL_EXIT_SOFTWARE;
        }
        return status;
}

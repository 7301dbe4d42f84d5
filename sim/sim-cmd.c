/* SPDX-License-Identifier: MIT */
/* sim-cmd.c: the control commands and their table. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "sim-cmd.h"
#include "sim-control.h"
#include "sim-pty.h"

#define CMD_ARGS_MAX (LSC_FRAME_MAX_SIZE + 2)

/* One command. argv[0] is the name; min_args..max_args count the rest.
 * exec writes the whole reply. */
struct sim_cmd {
        const char *name;
        const char *usage;
        const char *help;
        int min_args, max_args;
        void (*exec)(struct sim *sim, int argc, char **argv, char *reply, size_t size);
};

static void cmd_reply(char *reply, size_t size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void cmd_reply(char *reply, size_t size, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(reply, size, fmt, ap);
        va_end(ap);
}

/* Parse a decimal integer in min..max; on failure write the error reply. */
static int cmd_number(const char *s, const char *what, long min, long max, long *out,
                      char *reply, size_t size)
{
        char *end;
        long v;

        errno = 0;
        v = strtol(s, &end, 10);
        if (errno || end == s || *end || v < min || v > max) {
                cmd_reply(reply, size, "error %s must be an integer in %ld..%ld, not '%s'",
                          what, min, max, s);
                return -EINVAL;
        }
        *out = v;
        return 0;
}

/* "ok", or the error of writing to the line. */
static void cmd_result(int r, char *reply, size_t size)
{
        if (r == -ENOTCONN)
                cmd_reply(reply, size, "error unplugged");
        else if (r == -ENOBUFS)
                cmd_reply(reply, size, "error output queue full");
        else if (r < 0)
                cmd_reply(reply, size, "error %s", strerror(-r));
        else
                cmd_reply(reply, size, "ok");
}

static void cmd_garbage(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        long n;

        if (cmd_number(argv[1], "N", 1, SIM_GARBAGE_MAX, &n, reply, size) == 0)
                cmd_result(sim_garbage(sim, (size_t)n), reply, size);
}

static void cmd_battery(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        if (strcmp(argv[1], "on") && strcmp(argv[1], "off")) {
                cmd_reply(reply, size, "error battery takes on or off, not '%s'", argv[1]);
                return;
        }
        sim->board.battery_on = strcmp(argv[1], "on") == 0;
        cmd_reply(reply, size, "ok battery=%s", argv[1]);
}

static void cmd_battery_mv(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        long mv;

        if (cmd_number(argv[1], "MV", 0, 65535, &mv, reply, size) < 0)
                return;
        sim->board.battery_mv = (unsigned)mv;
        cmd_reply(reply, size, "ok battery_mv=%ld", mv);
}

static void cmd_unplug(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        int r = sim_unplug(sim);

        if (r == -ENOTCONN)
                cmd_reply(reply, size, "error already unplugged");
        else
                cmd_result(r, reply, size);
}

static void cmd_replug(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        int r = sim_replug(sim);

        if (r == -EALREADY)
                cmd_reply(reply, size, "error already plugged");
        else if (r < 0)
                cmd_result(r, reply, size);
        else
                cmd_reply(reply, size, "ok %s", sim_pty_name(sim->pty));
}

/* The "G N" of emit run/complete, on a plugged line. */
static int cmd_emit_args(struct sim *sim, int argc, char **argv, long *g, long *n,
                         char *reply, size_t size)
{
        if (argc != 4) {
                cmd_reply(reply, size, "error usage: emit %s G N", argv[1]);
                return -EINVAL;
        }
        if (cmd_number(argv[2], "G", 0, LSC_GROUP_MAX, g, reply, size) < 0 ||
            cmd_number(argv[3], "N", 0, LSC_RUNS_MAX, n, reply, size) < 0)
                return -EINVAL;
        if (!sim_pty_plugged(sim->pty)) {
                cmd_result(-ENOTCONN, reply, size);
                return -ENOTCONN;
        }
        return 0;
}

/* emit run G N also starts the group's timer, like a gamepad start. */
static void cmd_emit_run(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        struct sim_reply r;
        long g, n;

        if (cmd_emit_args(sim, argc, argv, &g, &n, reply, size) < 0)
                return;
        if (sim_board_emit_run(&sim->board, g, n, sim_now(sim), &r) < 0) {
                cmd_reply(reply, size, "error group %ld not downloaded", g);
                return;
        }
        cmd_result(sim_act(sim, &r, sim_now(sim)), reply, size);
}

static void cmd_emit_complete(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        struct sim_reply r;
        long g, n;

        if (cmd_emit_args(sim, argc, argv, &g, &n, reply, size) < 0)
                return;
        sim_board_emit_complete(&sim->board, g, n, &r);
        cmd_result(sim_act(sim, &r, sim_now(sim)), reply, size);
}

static void cmd_emit(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        struct sim_reply r;

        if (strcmp(argv[1], "run") == 0) {
                cmd_emit_run(sim, argc, argv, reply, size);
        } else if (strcmp(argv[1], "complete") == 0) {
                cmd_emit_complete(sim, argc, argv, reply, size);
        } else if (strcmp(argv[1], "stop") == 0 && argc == 2) {
                if (!sim_pty_plugged(sim->pty)) {
                        cmd_result(-ENOTCONN, reply, size);
                        return;
                }
                sim_board_emit_stop(&sim->board, &r);
                cmd_result(sim_act(sim, &r, sim_now(sim)), reply, size);
        } else {
                cmd_reply(reply, size, "error usage: emit run G N | emit stop | emit complete G N");
        }
}

static int cmd_hex_digit(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

static void cmd_raw(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        uint8_t bytes[SIM_CONTROL_LINE_MAX / 2];
        size_t n = 0;

        for (int i = 1; i < argc; i++) {
                size_t len = strlen(argv[i]);

                for (size_t k = 0; k < len; k += 2) {
                        int hi = cmd_hex_digit(argv[i][k]);
                        int lo = k + 1 < len ? cmd_hex_digit(argv[i][k + 1]) : -1;

                        if (hi < 0 || lo < 0) {
                                cmd_reply(reply, size, "error '%s' is not hex bytes (e.g. 55 55 02 07)",
                                          argv[i]);
                                return;
                        }
                        if (n == sizeof(bytes)) {
                                cmd_reply(reply, size, "error more than %zu bytes", sizeof(bytes));
                                return;
                        }
                        bytes[n++] = (uint8_t)(hi << 4 | lo);
                }
        }
        cmd_result(sim_send(sim, "tx-raw", bytes, n), reply, size);
}

static void cmd_group(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        long g, ms;

        if (cmd_number(argv[1], "G", 0, LSC_GROUP_MAX, &g, reply, size) < 0 ||
            cmd_number(argv[2], "MS", 0, SIM_BOARD_DURATION_MAX, &ms, reply, size) < 0)
                return;
        sim_board_set_group(&sim->board, g, ms);
        cmd_reply(reply, size, "ok group=%ld duration_ms=%ld", g, ms);
}

/* Widths of the state reply's parts, at most: it always fits in a reply. */
#define STATE_TIME_MAX   21     /* seconds.micro of a uint64_t of microseconds */
#define STATE_LIST_MAX   (16 + LSC_SERVO_ID_MAX * (3 + STATE_TIME_MAX + 1))
#define STATE_SPEEDS_MAX (8 + SIM_BOARD_GROUPS * 10)
#define STATE_REPLY_MAX  (96 + STATE_TIME_MAX + 4 * STATE_LIST_MAX + STATE_SPEEDS_MAX + 64)
_Static_assert(STATE_REPLY_MAX <= SIM_CONTROL_REPLY_MAX, "the state reply fits");

static void cmd_append(char *reply, size_t size, size_t *k, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Append to reply[0..size) at *k; what does not fit is cut off. */
static void cmd_append(char *reply, size_t size, size_t *k, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (*k >= size)
                return;
        va_start(ap, fmt);
        n = vsnprintf(reply + *k, size - *k, fmt, ap);
        va_end(ap);
        *k += n > 0 ? (size_t)n : 0;
}

/* "seconds.micro", or "-" for SIM_NEVER. */
static void cmd_append_time(char *reply, size_t size, size_t *k, uint64_t t_us)
{
        if (t_us == SIM_NEVER)
                cmd_append(reply, size, k, "-");
        else
                cmd_append(reply, size, k, "%llu.%06llu", (unsigned long long)(t_us / 1000000),
                           (unsigned long long)(t_us % 1000000));
}

static void cmd_append_position(char *reply, size_t size, size_t *k, int position)
{
        if (position == SIM_UNKNOWN)
                cmd_append(reply, size, k, "-");
        else
                cmd_append(reply, size, k, "%d", position);
}

static void cmd_state_target(struct sim *sim, int id, uint64_t now, char *reply, size_t size,
                             size_t *k)
{
        cmd_append_position(reply, size, k, sim->board.servo[id].target);
}

static void cmd_state_position(struct sim *sim, int id, uint64_t now, char *reply, size_t size,
                               size_t *k)
{
        cmd_append_position(reply, size, k, sim_board_position(&sim->board, id, now));
}

static void cmd_state_arrival(struct sim *sim, int id, uint64_t now, char *reply, size_t size,
                              size_t *k)
{
        uint64_t t = sim_board_arrival(&sim->board, id);

        cmd_append_time(reply, size, k, t == SIM_NEVER ? t : sim_realtime(sim, t));
}

static void cmd_state_arrival_mono(struct sim *sim, int id, uint64_t now, char *reply,
                                   size_t size, size_t *k)
{
        cmd_append_time(reply, size, k, sim_board_arrival(&sim->board, id));
}

/* The per-servo lists of the state reply, "name=ID:VALUE,..." each. */
static const struct cmd_state_list {
        const char *name;
        void (*value)(struct sim *sim, int id, uint64_t now, char *reply, size_t size,
                      size_t *k);
} cmd_state_lists[] = {
        { "servos", cmd_state_target },
        { "positions", cmd_state_position },
        { "arrivals", cmd_state_arrival },
        { "arrivals_mono", cmd_state_arrival_mono },
};

static void cmd_state_servos(struct sim *sim, uint64_t now, char *reply, size_t size,
                             size_t *k)
{
        for (size_t i = 0; i < sizeof(cmd_state_lists) / sizeof(cmd_state_lists[0]); i++) {
                cmd_append(reply, size, k, " %s=", cmd_state_lists[i].name);
                for (int id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++) {
                        cmd_append(reply, size, k, "%s%d:", id > LSC_SERVO_ID_MIN ? "," : "",
                                   id);
                        cmd_state_lists[i].value(sim, id, now, reply, size, k);
                }
        }
}

/* " speeds=G:PCT,..." for the groups not at 100 %, or " speeds=none". */
static void cmd_state_speeds(const struct sim_board *b, char *reply, size_t size, size_t *k)
{
        const char *sep = "";

        cmd_append(reply, size, k, " speeds=");
        for (int g = 0; g < SIM_BOARD_GROUPS; g++)
                if (b->percent[g] != 100) {
                        cmd_append(reply, size, k, "%s%d:%u", sep, g, b->percent[g]);
                        sep = ",";
                }
        if (!*sep)
                cmd_append(reply, size, k, "none");
}

static void cmd_state(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        const struct sim_board *b = &sim->board;
        uint64_t now = sim_now(sim);
        size_t k = 0;

        if (b->running < 0)
                cmd_append(reply, size, &k, "ok running=none");
        else
                cmd_append(reply, size, &k, "ok running=%d", b->running);
        cmd_append(reply, size, &k, " runs=%u now=", b->runs);
        cmd_append_time(reply, size, &k, now);
        cmd_state_servos(sim, now, reply, size, &k);
        cmd_state_speeds(b, reply, size, &k);
        cmd_append(reply, size, &k, " battery=%s battery_mv=%u pty=%s",
                   b->battery_on ? "on" : "off", b->battery_mv,
                   sim_pty_plugged(sim->pty) ? sim_pty_name(sim->pty) : "unplugged");
}

static void cmd_hand(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        long id, position;
        int r;

        if (cmd_number(argv[1], "ID", LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX, &id, reply, size) < 0 ||
            cmd_number(argv[2], "POS", LSC_BUS_POSITION_MIN, LSC_BUS_POSITION_MAX, &position,
                       reply, size) < 0)
                return;
        r = sim_board_hand(&sim->board, (int)id, position);
        if (r == -EPERM)
                cmd_reply(reply, size, "error servo %ld is under torque (not a bus board, or "
                          "not unloaded)", id);
        else
                cmd_reply(reply, size, "ok");
}

static void cmd_quit(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        sim_quit(sim);
        cmd_reply(reply, size, "ok");
}

static void cmd_help(struct sim *sim, int argc, char **argv, char *reply, size_t size);

static const struct sim_cmd sim_cmds[] = {
        { "garbage", "N", "write N (1..4096) random bytes, never 0x55, to the line", 1, 1, cmd_garbage },
        { "battery", "on|off", "answer or ignore GET_BATTERY_VOLTAGE", 1, 1, cmd_battery },
        { "battery-mv", "MV", "set the battery voltage in millivolts", 1, 1, cmd_battery_mv },
        { "unplug", "", "close the pty and remove the link", 0, 0, cmd_unplug },
        { "replug", "", "a new pty behind the same link; the board has power-cycled",
          0, 0, cmd_replug },
        { "emit", "run G N|stop|complete G N",
          "send RUN, STOP or COMPLETE as if the gamepad did it", 1, 3, cmd_emit },
        { "raw", "HEX...", "write these bytes verbatim to the line", 1, CMD_ARGS_MAX, cmd_raw },
        { "group", "G MS", "define group G with a run of MS milliseconds", 2, 2, cmd_group },
        { "state", "", "reply \"ok running=G|none runs=N now=T servos=ID:TARGET,... "
          "positions=ID:POS,... arrivals=ID:T,... arrivals_mono=ID:T,... "
          "speeds=G:PCT,...|none battery=on|off battery_mv=MV pty=PATH|unplugged\"; "
          "- is unknown; see lsc-sim(1)", 0, 0, cmd_state },
        { "hand", "ID POS", "move unloaded servo ID of a bus board by hand to POS (0..1000)",
          2, 2, cmd_hand },
        { "help", "", "list the commands", 0, 0, cmd_help },
        { "quit", "", "exit", 0, 0, cmd_quit },
};

#define SIM_N_CMDS (sizeof(sim_cmds) / sizeof(sim_cmds[0]))

static void cmd_help(struct sim *sim, int argc, char **argv, char *reply, size_t size)
{
        size_t k = (size_t)snprintf(reply, size, "ok");

        for (size_t i = 0; i < SIM_N_CMDS && k < size; i++)
                k += (size_t)snprintf(reply + k, size - k, " %s", sim_cmds[i].name);
}

/* One table row: "  NAME USAGE" in a column, the help wrapped beside it. */
static void cmd_help_row(FILE *f, const struct sim_cmd *c)
{
        enum { COLUMN = 34, WIDTH = 79 };
        char head[64];
        const char *p = c->help;
        int col;

        snprintf(head, sizeof(head), "%s %s", c->name, c->usage);
        col = fprintf(f, "  %-*s", COLUMN - 2, head);
        while (*p) {
                size_t word = strcspn(p, " ");

                if (col > COLUMN && col + 1 + (int)word > WIDTH)
                        col = fprintf(f, "\n%*s", COLUMN, "") - 1;
                else if (col > COLUMN)
                        col += fprintf(f, " ");
                col += fprintf(f, "%.*s", (int)word, p);
                p += word + (p[word] == ' ');
        }
        fputc('\n', f);
}

void sim_cmd_help(FILE *f)
{
        for (size_t i = 0; i < SIM_N_CMDS; i++)
                cmd_help_row(f, &sim_cmds[i]);
}

void sim_cmd_execute(struct sim *sim, char *line, char *reply, size_t size)
{
        char *argv[CMD_ARGS_MAX + 1], *save = NULL;
        int argc = 0;

        for (char *tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
                if (argc == CMD_ARGS_MAX + 1) {
                        cmd_reply(reply, size, "error too many arguments");
                        return;
                }
                argv[argc++] = tok;
        }
        if (argc == 0) {
                cmd_reply(reply, size, "error empty command (try help)");
                return;
        }
        for (size_t i = 0; i < SIM_N_CMDS; i++) {
                const struct sim_cmd *c = &sim_cmds[i];

                if (strcmp(argv[0], c->name))
                        continue;
                if (argc - 1 < c->min_args || argc - 1 > c->max_args)
                        cmd_reply(reply, size, "error usage: %s %s", c->name, c->usage);
                else
                        c->exec(sim, argc, argv, reply, size);
                return;
        }
        cmd_reply(reply, size, "error unknown command '%s' (try help)", argv[0]);
}

/* SPDX-License-Identifier: MIT */
/*
 * lscctl.h: what the lscctl subcommands share: the parsed command line, the
 * connection, exit statuses and output helpers. The table of subcommands is
 * in lscctl.c; each subcommand group has its own lscctl-*.c file.
 */
#ifndef LSCCTL_H
#define LSCCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sysexits.h>

#include "lsc/client.h"

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

/* Of the robot file (lscd-robot(5)) and move (lscd-protocol(7)): the
 * longest name of a servo, pose or group, and the largest delta. */
#define LSCCTL_NAME_MAX  32
#define LSCCTL_DELTA_MAX 2000
/* A position as a frame carries one (16 bits): the range lscd accepts
 * depends on its board, so lscd checks it. */
#define LSCCTL_POSITION_MAX 65535
/* How long completion waits for lscd's robot model. */
#define LSCCTL_COMPLETE_TIMEOUT_MS 1000

/* Exit statuses, documented in lscctl(1). */
enum {
        LSCCTL_EXIT_OK          = 0,
        LSCCTL_EXIT_DAEMON      = 1,              /* lscd answered an error */
        LSCCTL_EXIT_USAGE       = 2,              /* bad command line */
        LSCCTL_EXIT_UNAVAILABLE = EX_UNAVAILABLE, /* 69: lscd unreachable or gone */
        LSCCTL_EXIT_SOFTWARE    = EX_SOFTWARE,    /* 70: out of memory and the like */
        LSCCTL_EXIT_TIMEOUT     = EX_TEMPFAIL,    /* 75: timed out */
        LSCCTL_EXIT_PROTOCOL    = EX_PROTOCOL,    /* 76: lscd sent something invalid */
};

/*
 * Options of every subcommand, parsed before the subcommand runs. Invariant:
 * each value is already range-checked; fields a subcommand does not accept
 * keep their defaults.
 */
struct lscctl_options {
        long time_ms;      /* -t, move duration, default 1000 */
        long runs;         /* -n, default 1 */
        bool wait;         /* -w: run, move, pose */
        bool detach;       /* -d */
        long count;        /* -c, 0 = no limit */
        int timeout_ms;    /* -T, -1 = none */
        bool groups;       /* -g: claim */
        long lease_ms;     /* -l: claim, 0 = none */
        const char *safe;  /* -S: claim, NULL = lscd's default */
        const char *servos; /* -v: record, NULL = all */
        bool replace;      /* -r: record */
        long loops;        /* -L: play, default 1 */
        long speed;        /* -p: play, default 100 */
        double at;         /* -a: play, seconds since the epoch, 0 = now */
};

/*
 * One lscctl run. Invariant: client is NULL until lscctl_connect() succeeded;
 * socket is the path that was (or will be) connected to.
 */
struct lscctl {
        const char *command;       /* subcommand name, for messages */
        const char *socket;
        bool json;
        struct lscctl_options opt;
        int call_timeout_ms;       /* for lscctl_call(), -1 = none */
        char **run_argv;           /* claim: the COMMAND after "--", NULL-terminated */
        struct lsc_client *client;
};

/* Connect to lscd unless connected. Returns an exit status (0 on success)
 * after saying why not. Subcommands validate their arguments first. */
int lscctl_connect(struct lscctl *ctl);
/* Connect if needed, send request (consumed, may be NULL when out of
 * memory) and wait for the answer. Returns 0 with *ret set, or the exit
 * status after printing the error (and, with --json, the daemon's error
 * response) with *ret NULL. */
int lscctl_call(struct lscctl *ctl, cJSON *request, cJSON **ret);
/* The same without judging the answer: 0 with the library's result in
 * *ret_error (0, -EREMOTEIO, ...) and the response, if one came, in *ret;
 * or the exit status when connecting failed. */
int lscctl_exchange(struct lscctl *ctl, cJSON *request, int *ret_error, cJSON **ret);
/* Print response as JSON with --json, else let print do it; consume it.
 * Returns 0. */
int lscctl_show(struct lscctl *ctl, cJSON *response, void (*print)(const cJSON *response));
/* Call cmd (no arguments) and show its response. Returns an exit status. */
int lscctl_query(struct lscctl *ctl, const char *cmd, void (*print)(const cJSON *response));
/* Finish a call answered with error and response (consumed, may be NULL):
 * 0 with *ret = response when error is 0, else the exit status after
 * printing the error (and, with --json, the response) with *ret NULL. */
int lscctl_answer(struct lscctl *ctl, int error, cJSON *response, cJSON **ret);
/* Turn a library error into a message on stderr and an exit status. */
int lscctl_fail(struct lscctl *ctl, int error);
/* Print "lscctl COMMAND: MESSAGE" and "Try ..." on stderr; returns 2. */
int lscctl_usage_error(struct lscctl *ctl, const char *format, ...)
        __attribute__((format(printf, 2, 3)));

/* The end of --timeout in CLOCK_MONOTONIC milliseconds, -1 for none. */
int64_t lscctl_deadline(const struct lscctl *ctl);
/* Milliseconds left until deadline, for poll(): -1 for none, 0 once passed. */
int lscctl_left_ms(int64_t deadline);

/* Parse a duration into milliseconds within min_ms..max_ms; false if it is
 * not one. A decimal number of seconds, or decimal numbers each with a unit,
 * h, m, s and ms in that order, each at most once: "1h", "1m30s", "250ms". */
bool lscctl_parse_duration(const char *text, long min_ms, long max_ms, long *ret);
/* The "servos" of a request from n words, each an id or a name, or the one
 * word "all": 0 with *ret, or the exit status after saying why not. */
int lscctl_servos_json(struct lscctl *ctl, char **words, int n, cJSON **ret);
/* Parse a decimal integer within min..max; false if it is not one. */
bool lscctl_parse_long(const char *text, long min, long max, long *ret);
/* Whether the len bytes at text are a name of the robot file:
 * [A-Za-z_][A-Za-z0-9_]*, at most LSCCTL_NAME_MAX bytes. */
bool lscctl_is_name(const char *text, size_t len);
/* Print a JSON object on one line and flush: lscd's messages as received,
 * lscctl's own (ports) as cJSON prints them. */
void lscctl_print_json(const cJSON *object);
/* Print text as is when it is plain (no blank, control character, quote,
 * backslash or "="), else JSON-quoted. */
void lscctl_print_text(const char *text);
/* Print a JSON value: a string as lscctl_print_text() does, others as JSON. */
void lscctl_print_value(const cJSON *item);
void lscctl_print_value_to(FILE *out, const cJSON *item);
/* Format an event time T (seconds since the epoch) as local time with
 * microseconds into buf, or "-" when item is not such a time. */
void lscctl_format_time(const cJSON *item, char *buf, size_t size);
/* Print every member of object as "name=value" separated by sep, nested
 * objects as "outer.inner=value", skipping event/time/id/ok. */
void lscctl_print_fields(const cJSON *object, const char *sep);
/* Print an event: "TIME NAME field=value ..." or its JSON; then flush. */
void lscctl_print_event(const struct lscctl *ctl, const cJSON *event);

/* The answer to a request sent with lscctl_motion_wait_reply as its
 * callback. */
struct motion_wait {
        bool done;
        int error;
        cJSON *response;
};
void lscctl_motion_wait_reply(void *userdata, struct lsc_client *c, const cJSON *response, int error);
/* Block SIGINT and SIGTERM and return a signalfd that reads them, or a
 * negative errno. */
int lscctl_motion_signalfd(void);
/* Wait until w is answered or the deadline (-1: none) passes, reading
 * signals from sfd (-1: none). Returns 0 once answered, the number of a
 * signal that came first, or a negative errno (-ETIMEDOUT). */
int lscctl_motion_wait_answer(struct lscctl *ctl, const struct motion_wait *w, int sfd, int64_t deadline);

/* Subcommands: each returns an exit status. */
int lscctl_motion_move(struct lscctl *ctl, int argc, char **argv);
int lscctl_motion_pose(struct lscctl *ctl, int argc, char **argv);
int lscctl_motion_run(struct lscctl *ctl, int argc, char **argv);
int lscctl_motion_stop(struct lscctl *ctl, int argc, char **argv);
int lscctl_motion_halt(struct lscctl *ctl, int argc, char **argv);
int lscctl_motion_speed(struct lscctl *ctl, int argc, char **argv);
int lscctl_info_battery(struct lscctl *ctl, int argc, char **argv);
int lscctl_info_status(struct lscctl *ctl, int argc, char **argv);
int lscctl_info_version(struct lscctl *ctl, int argc, char **argv);

int lscctl_claim_run(struct lscctl *ctl, int argc, char **argv);
int lscctl_info_clients(struct lscctl *ctl, int argc, char **argv);
int lscctl_sequence_record(struct lscctl *ctl, int argc, char **argv);
int lscctl_sequence_teach(struct lscctl *ctl, int argc, char **argv);
int lscctl_sequence_play(struct lscctl *ctl, int argc, char **argv);
int lscctl_sequence_list(struct lscctl *ctl, int argc, char **argv);



int lscctl_watch_events(struct lscctl *ctl, int argc, char **argv);
int lscctl_watch_wait(struct lscctl *ctl, int argc, char **argv);
int lscctl_ports_list(struct lscctl *ctl, int argc, char **argv);
int lscctl_robot_servos(struct lscctl *ctl, int argc, char **argv);
/* lscctl-bus.c: a bus board's unload and positions. */
int lscctl_bus_unload(struct lscctl *ctl, int argc, char **argv);
int lscctl_bus_positions(struct lscctl *ctl, int argc, char **argv);
int lscctl_robot_show(struct lscctl *ctl, int argc, char **argv);
int lscctl_robot_reload(struct lscctl *ctl, int argc, char **argv);
/* Completion words of subcommand arguments, one a line on stdout; those of
 * the robot model come from lscd at ctl->socket, or none when it does not
 * answer within LSCCTL_COMPLETE_TIMEOUT_MS. */
void lscctl_motion_speed_words(struct lscctl *ctl);
void lscctl_watch_words(struct lscctl *ctl);
void lscctl_robot_servo_words(struct lscctl *ctl);
void lscctl_robot_claim_words(struct lscctl *ctl);
void lscctl_robot_pose_words(struct lscctl *ctl);
void lscctl_robot_group_words(struct lscctl *ctl);
void lscctl_sequence_words(struct lscctl *ctl);


#endif

/* SPDX-License-Identifier: MIT */
/*
 * cmd.h: the request verbs. cmd_table[] lists every verb once with its
 * arguments (name, type, range, default, help); that one table drives
 * dispatch, argument validation and the help text. Each verb lives in its
 * own cmd-<verb>.c: its argument list, the frame it encodes (through the
 * codec, so that only valid frames exist) and what it does when run.
 */
#ifndef LSCD_CMD_H
#define LSCD_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "board.h"
#include "lsc/frame.h"
#include "lsc/protocol.h"
#include "wire.h"

struct call;
struct peer;

enum cmd_arg_type {
        CMD_ARG_INT,            /* an integer within min..max */
        CMD_ARG_BOOL,
        CMD_ARG_GROUP_OR_ALL,   /* an integer within min..max, or "all" */
        CMD_ARG_SERVOS,         /* [{"id":N,"position":N},...] */
        CMD_ARG_EVENTS,         /* ["name" or "prefix.",...] */
};

/* The typed arguments of every verb; each verb uses the fields it names in
 * its argument list. Values are within the ranges of their cmd_arg. */
struct cmd_args {
        long group;             /* LSC_GROUP_ALL for "all" */
        long runs;
        long percent;
        long time_ms;
        bool wait;
        bool replace;
        bool has_events;        /* false: "events" absent */
        unsigned events;        /* event mask */
        size_t n_servos;
        uint64_t servo_mask;    /* bit N set: servo N is in servos[] */
        struct lsc_servo servos[LSC_MOVE_MAX_SERVOS];
};

struct cmd_arg {
        const char *name;
        enum cmd_arg_type type;
        bool required;
        long min, max;          /* CMD_ARG_INT, CMD_ARG_GROUP_OR_ALL */
        long def;               /* value when absent and not required */
        size_t offset;          /* of the long or bool in struct cmd_args */
        const char *help;
};

struct cmd_counters {
        uint64_t requests, errors;
};

/* The figures of status that only the daemon's loop knows. */
struct cmd_stats {
        uint64_t frames_in, bytes_in, bytes_discarded, uptime_ms;
        size_t clients, subscribers;
};

/* What a verb may use, and nothing more: the wire (submit a frame in a
 * lane, halt, its queue), the board, publishing an event, and the daemon's
 * figures. The manager owns it and fills in the functions. */
struct cmd_context {
        struct wire *wire;
        struct board *board;
        struct cmd_counters counters;
        void *userdata;
        /* Send EVENT (not consumed) to every subscriber of TYPE. */
        void (*publish)(void *userdata, enum lsc_event type, const cJSON *event);
        /* {"path","connected","baud","usb"}, as in the hello event. */
        cJSON *(*device)(void *userdata);
        void (*stats)(void *userdata, struct cmd_stats *ret);
};

/* A verb. encode is NULL for verbs that write no frame. run answers the
 * call, or hands it to whoever will (the wire, the board). written, when
 * set, is called instead of the default "ok {}" once the frame is written.
 * board_reply answers a call the board took as a waiter, on success
 * (VALUE: the verb's result); failures are answered by cmd.c. */
struct cmd {
        const char *name;
        const char *help;
        const struct cmd_arg *args;  /* terminated by an entry with name NULL */
        int (*encode)(const struct cmd_args *args, uint8_t *buf, size_t size);
        void (*run)(struct cmd_context *ctx, struct call *call);
        void (*written)(struct cmd_context *ctx, struct call *call);
        void (*board_reply)(struct call *call, unsigned value);
};

extern const struct cmd *const cmd_table[];

const struct cmd *cmd_find(const char *name);

/* Encode the frame of a validated request into BUF. Returns its size, 0 for
 * verbs without a frame, or a negative lsc_error (which validation rules out:
 * a failure here is a bug, and no frame reaches the wire). */
int cmd_encode(const struct cmd *cmd, const struct cmd_args *args, uint8_t *buf, size_t size);

/* Parse one request line of PEER and run it: every line is answered. */
void cmd_dispatch(struct cmd_context *ctx, struct peer *peer, const char *line, size_t len);

/* Encode CALL's frame and queue it on LANE with FLAGS (enum wire_flags);
 * the call is answered when the wire is done with it. */
void cmd_submit(struct cmd_context *ctx, struct call *call, enum wire_lane lane, unsigned flags);

/* The board's decisions for calls and subscribers; userdata is the
 * struct cmd_context. */
extern const struct board_ops cmd_board_ops;

/* Comma-separated verb names, for the unknown_command message. */
const char *cmd_names(void);

/* One paragraph per verb: name, help, arguments with type and range. */
void cmd_print_help(FILE *f);

/* Verbs, one per cmd-<verb>.c. */
extern const struct cmd cmd_ping, cmd_version, cmd_status, cmd_move, cmd_group_run,
        cmd_group_stop, cmd_halt, cmd_group_speed, cmd_battery, cmd_subscribe,
        cmd_unsubscribe;

#endif

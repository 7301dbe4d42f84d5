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
#include "fail.h"
#include "player.h"
#include "robot.h"
#include "sequence.h"
#include "lsc/frame.h"
#include "lsc/protocol.h"
#include "wire.h"

struct call;
struct peer;

enum cmd_arg_type {
        CMD_ARG_INT,            /* an integer within min..max */
        CMD_ARG_BOOL,
        CMD_ARG_GROUP,          /* an integer within min..max, or a group's name */
        CMD_ARG_GROUP_OR_ALL,   /* the same, or "all" */
        CMD_ARG_NAME,           /* a name from the robot file (an identifier) */
        CMD_ARG_SERVOS,         /* [{"id":N|"name":S,"position":N|"delta":N},...] */
        CMD_ARG_EVENTS,         /* ["name" or "prefix.",...] */
        CMD_ARG_TEXT,           /* printable UTF-8, 1..CMD_TEXT_MAX bytes */
        CMD_ARG_CHOICE,         /* one of choices[]: its index */
        CMD_ARG_SERVO_SET,      /* [id or name,...] or "all" */
        CMD_ARG_SAFE,           /* "none", "stop", "home" or "pose:NAME" */
        CMD_ARG_STEPS,          /* [{"pose":S or "servos":{...},"time_ms":N,...},...] */
        CMD_ARG_TIME,           /* a wall-clock time, seconds since the epoch, as events' */
        CMD_ARG_ANY,            /* any JSON value, kept as its text */
};

#define CMD_TEXT_MAX 64

/* What a verb does, for the observe socket and for claims. */
enum cmd_flags {
        CMD_WRITE          = 1 << 0,    /* changes the robot: forbidden to observers */
        CMD_ESTOP          = 1 << 1,    /* an emergency stop: never refused for a claim */
        CMD_CLAIMS_SERVOS  = 1 << 2,    /* refused while another client claims a servo
                                           of its plan */
        CMD_CLAIMS_GROUPS  = 1 << 3,    /* refused while another client claims groups */
};

/* The typed arguments of every verb; each verb uses the fields it names in
 * its argument list. Values are within the ranges of their cmd_arg. Names
 * are resolved against the robot model by cmd_prepare(): group_name into
 * group, specs (or a pose's name) into plan, the frame's servos. */
struct cmd_args {
        long group;             /* LSC_GROUP_ALL for "all" */
        char group_name[MODEL_NAME_MAX + 1];    /* "" when given by number */
        char name[MODEL_NAME_MAX + 1];          /* CMD_ARG_NAME */
        long runs;
        long percent;
        long time_ms;
        bool wait;
        bool replace;
        bool teach;                             /* record.start */
        bool confirm;                           /* move */
        long tolerance;
        bool has_events;        /* false: "events" absent */
        unsigned events;        /* event mask */
        size_t n_specs;
        struct servos_spec specs[LSC_MOVE_MAX_SERVOS];
        struct servos_plan plan;
        char text[CMD_TEXT_MAX + 1];            /* CMD_ARG_TEXT */
        long choice;                            /* CMD_ARG_CHOICE */
        bool all;                               /* CMD_ARG_SERVO_SET "all" */
        bool groups;
        long lease_ms;
        long timeout_ms;
        long claim;
        long safe;                              /* enum claims_safe */
        char safe_pose[MODEL_NAME_MAX + 1];
        long loops;
        long speed;
        long run;
        char *steps_text;                       /* CMD_ARG_STEPS, as JSON text; owned */
        struct sequence *sequence;              /* steps_text read by sequence.run's prepare; owned */
        uint64_t at;                            /* CMD_ARG_TIME, CLOCK_REALTIME usec; 0: now */
        char *any_text;                         /* CMD_ARG_ANY, as JSON text; owned */
};

/* Free what ARGS owns (steps_text, sequence, any_text); NULL after. */
void cmd_args_free(struct cmd_args *args);

struct cmd_arg {
        const char *name;
        enum cmd_arg_type type;
        bool required;
        long min, max;          /* CMD_ARG_INT, CMD_ARG_GROUP_OR_ALL */
        long def;               /* value when absent and not required */
        size_t offset;          /* of the long or bool in struct cmd_args */
        const char *const *choices;     /* CMD_ARG_CHOICE, NULL-terminated */
        const char *help;
};

/* Arguments several verbs share, one definition each. */
#define CMD_ARG_AT \
        { .name = "at", .type = CMD_ARG_TIME, \
          .help = "start at this wall-clock time (seconds since the epoch, as events' time), " \
                  "at most an hour ahead" }
#define CMD_ARG_MOTION_WAIT \
        { .name = "wait", .type = CMD_ARG_BOOL, .def = false, \
          .offset = offsetof(struct cmd_args, wait), \
          .help = "answer when the move has ended (its predicted end), not when written" }

struct cmd_counters {
        uint64_t requests, errors;
};

/* The figures of status that only the daemon's loop knows. */
struct cmd_stats {
        uint64_t frames_in, bytes_in, bytes_discarded, uptime_ms;
        size_t clients, subscribers;
        const char *realtime_policy;    /* "fifo", "rr"; NULL: normal priority */
        int realtime_priority;
        const char *memory_locked;      /* "all", "current", "none" */
};

/* What a verb may use, and nothing more: the wire (submit a frame in a
 * lane, halt, its queue), the board, publishing an event, and the daemon's
 * figures. The manager owns it and fills in the functions. */
struct cmd_context {
        struct wire *wire;
        struct board *board;
        struct robot *robot;
        struct player *player;
        sd_event *event;                /* for requests scheduled "at" */
        struct call *scheduled;         /* those requests (call.h: sched_*) */
        const char *sequence_dirs[2];   /* read-only ones, then recorded ones */
        struct sequence_cache *sequence_cache;  /* sequence.list's */
        struct cmd_counters counters;
        unsigned board_epoch;           /* board changes so far (cmd_reload) */
        uint64_t recordings;            /* recordings started so far (cmd-record.c) */
        void *userdata;
        /* Send EVENT (not consumed) to every subscriber of TYPE. */
        void (*publish)(void *userdata, enum lsc_event type, const cJSON *event);
        /* {"path","connected","baud","usb"}, as in the hello event. */
        cJSON *(*device)(void *userdata);
        /* Call FN for every connected client's peer. */
        void (*each_peer)(void *userdata, void (*fn)(struct peer *p, void *arg), void *arg);
        void (*stats)(void *userdata, struct cmd_stats *ret);
};

/* A verb. prepare, when set, resolves the arguments against the robot
 * model M and the servos' state S (a move's plan), or fails with F.
 * encode is NULL for verbs that write no frame (record.start's returns 0
 * for a request without teach, which writes none). run answers the
 * call, or hands it to whoever will (the wire, the board). written, when
 * set, is called instead of the default "ok {}" once the frame is written.
 * board_reply answers a call the board took as a waiter, on success
 * (VALUE: the verb's result); failures are answered by cmd.c. board_cmd,
 * when not 0, is the board command the verb needs: on a board whose
 * profile lacks it the verb is refused "unsupported" before anything
 * else. */
struct cmd {
        const char *name;
        const char *help;
        const struct cmd_arg *args;  /* terminated by an entry with name NULL */
        unsigned flags;              /* enum cmd_flags */
        /* A request scheduled "at" runs this long before its time, and
         * keeps the time itself (sequence.run: its first step's timer). */
        uint64_t lead_usec;
        enum lsc_cmd board_cmd;
        int (*prepare)(const struct model *m, const struct servos *s, struct cmd_args *args,
                       struct fail *f);
        int (*encode)(const struct cmd_args *args, uint8_t *buf, size_t size);
        void (*run)(struct cmd_context *ctx, struct call *call);
        void (*written)(struct cmd_context *ctx, struct call *call);
        /* When set, called before the error answer of a frame that will
         * never be written (dropped, halted, device lost). */
        void (*unwritten)(struct cmd_context *ctx, struct call *call);
        void (*board_reply)(struct call *call, unsigned value);
};

extern const struct cmd *const cmd_table[];

const struct cmd *cmd_find(const char *name);

/* Resolve the names of a parsed request (groups, servos, poses) against
 * the model M and the servos' state S: 0, or -EINVAL with F. Pure. */
int cmd_prepare(const struct cmd *cmd, const struct model *m, const struct servos *s,
                struct cmd_args *args, struct fail *f);

/* A CMD_ARG_SERVO_SET into plan.mask ("all": every servo, and groups set):
 * 0, or -EINVAL with F (unknown_servo). */
int cmd_servo_set(const struct model *m, struct cmd_args *args, struct fail *f);
/* cmd_servo_set() where "all" is the servos the robot file names (a
 * board's query): 0, or -EINVAL with F. */
int cmd_named_servos(const struct model *m, struct cmd_args *args, struct fail *f);
/* Fails when the servo set names none (an empty array). */
int cmd_some_servos(const struct cmd_args *args, struct fail *f);
/* The UNLOAD frame of plan.mask's servos (unload, teach mode). */
int cmd_encode_unload(const struct cmd_args *args, uint8_t *buf, size_t size);
/* 0 when the board of M takes CMD, else -EINVAL with F (unsupported) for
 * VERB. */
int cmd_board_takes(const struct model *m, enum lsc_cmd cmd, const char *verb, struct fail *f);
/* The ids of MASK, ascending, into IDS (room for LSC_MOVE_MAX_SERVOS):
 * how many. */
size_t cmd_mask_ids(uint64_t mask, int *ids);

/* Encode the frame of a validated, prepared request into BUF. Returns its size, 0 for
 * verbs without a frame, or a negative lsc_error (which validation rules out:
 * a failure here is a bug, and no frame reaches the wire). */
int cmd_encode(const struct cmd *cmd, const struct cmd_args *args, uint8_t *buf, size_t size);

/* The SERVO_MOVE frame of a prepared plan (move, pose). */
int cmd_encode_motion(const struct cmd_args *args, uint8_t *buf, size_t size);

/* Parse one request line of PEER and run it: every line is answered. */
void cmd_dispatch(struct cmd_context *ctx, struct peer *peer, const char *line, size_t len);

/* Encode CALL's frame and queue it on LANE with FLAGS (enum wire_flags);
 * the call is answered when the wire is done with it. */
/* Returns 0, or -errno once CALL is answered (the wire refused it). */
int cmd_submit(struct cmd_context *ctx, struct call *call, enum wire_lane lane, unsigned flags);

/* The board's decisions for calls and subscribers; userdata is the
 * struct cmd_context. */
extern const struct board_ops cmd_board_ops;

/* Whether CALL may move SERVOS (and GROUPS) now, as far as claims go;
 * false after answering it "claimed". For verbs that learn what they move
 * only when they run (a sequence file). */
bool cmd_claims_allow(struct cmd_context *ctx, struct call *call, uint64_t servos, bool groups);

/* Answer CALL "claimed", naming HOLDER (its client, name and pid). */
void cmd_claim_refuse(struct call *call, const struct claim *holder);

/* Answer CODE every scheduled request (of PEER only, when not NULL), and
 * return how many. */
size_t cmd_cancel_scheduled(struct cmd_context *ctx, const struct peer *peer, enum lsc_errcode code);

/* PEER's connection closed: its claims expire, and with on_disconnect
 * "drop" its scheduled requests are cancelled, its runs stopped and its
 * queued frames dropped. */
void cmd_peer_gone(struct cmd_context *ctx, struct peer *peer);

/* The claims' decisions (grants, expiries and their safe actions);
 * userdata is the struct cmd_context. */
extern const struct claims_ops cmd_claims_ops;

/* The servos' state's decisions (move waits, move.completed); userdata
 * is the struct cmd_context. */
extern const struct servos_ops cmd_servos_ops;

/* The response of a move or pose: {"time_ms"}, and "completed":true
 * once it ended. */
cJSON *cmd_motion_response(struct call *call, bool completed);

/* A move or pose CALL was written: its plan is the servos' new state; the
 * call is answered now, or with wait when the move ends. */
void cmd_motion_written(struct cmd_context *ctx, struct call *call, const char *source);

/* Reload the robot file (config.reload by BY, SIGHUP with BY NULL) and
 * publish robot.changed.
 * On failure the old model stays, the first error is logged, and *errors
 * (free it) holds every one. */
int cmd_reload(struct cmd_context *ctx, const struct board_by *by, char **errors);

/* The model's fields of a servo (min, max, home, trim, invert, max_speed),
 * and the whole model with its path and load time (robot, robot.changed). */
void cmd_add_servo_model(cJSON *o, const struct model_servo *s);
void cmd_add_robot(cJSON *o, const struct robot *r);

/* Comma-separated verb names, for the unknown_command message. */
const char *cmd_names(void);

/* One paragraph per verb: name, help, arguments with type and range. */
void cmd_print_help(FILE *f);

/* The last positions read for the servos of MASK, as the positions verb
 * answers them ([{"id","name","position"}]); LOGICAL[id] holds each one
 * read (bit id of *READ), which becomes the servo's target when no move
 * drives it. */
cJSON *cmd_positions_read(struct cmd_context *ctx, uint64_t mask, int *logical, uint64_t *read);

/* A recording ended by a reload that changed the board: written as
 * record.stop would (REC consumed), with the names of M, the model it was
 * recorded with; {"name","path","steps","dropped","skipped"},
 * {"name","steps":0} when nothing was recorded, or {"name","error"}. */
cJSON *cmd_record_end(struct cmd_context *ctx, struct recorder *rec, const struct model *m);
/* The board is connected again (a power cycle): teach mode's servos are
 * under torque; unload them again. */
void cmd_record_connected(struct cmd_context *ctx);

/* Verbs, one per cmd-<verb>.c. */
extern const struct cmd cmd_ping, cmd_version, cmd_status, cmd_move, cmd_pose, cmd_group_run,
        cmd_group_stop, cmd_halt, cmd_group_speed, cmd_battery, cmd_subscribe,
        cmd_unsubscribe, cmd_servos, cmd_robot, cmd_config_reload, cmd_hello, cmd_claim,
        cmd_release, cmd_sequence_run, cmd_sequence_stop, cmd_sequence_list, cmd_cancel,
        cmd_record_start, cmd_record_stop, cmd_unload, cmd_positions;

/* The player's decisions (sequence events and waits); userdata is the
 * struct cmd_context. */
extern const struct player_ops cmd_player_ops;

#endif

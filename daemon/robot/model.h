/* SPDX-License-Identifier: MIT */
/*
 * model.h: the robot model, from the robot file (lscd-robot(5)): named
 * servos with limits, trim and inversion, poses, and group names. Pure: no
 * I/O, no clock. model-yaml.c reads the file into it.
 *
 * Positions in the protocol are logical; on the wire
 *     wire = (invert ? wire_min + wire_max - logical : logical) + trim,
 * wire_min..wire_max being the board's range (profile.h): 500..2500 on an
 * LSC board (3000 - logical when inverted), 0..1000 on a bus board.
 * Every servo id 1..32 has an entry: a servo the file does not name keeps
 * the defaults (the board's range, home in its middle: 1500 on an LSC
 * board, 500 on a bus board; no trim, not inverted, no speed limit).
 */
#ifndef LSCD_MODEL_H
#define LSCD_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lsc/frame.h"
#include "profile.h"

#define MODEL_NAME_MAX 32               /* bytes of a name, without the NUL */
#define MODEL_HOME_DEFAULT 1500         /* on an LSC board */
#define MODEL_TRIM_MAX 1000
/* The least speed limit that still lets the longest move fit in one frame's
 * time: 2000 us in LSC_TIME_MAX ms. */
#define MODEL_SPEED_MIN (((LSC_POSITION_MAX - LSC_POSITION_MIN) * 1000 + LSC_TIME_MAX - 1) / LSC_TIME_MAX)
#define MODEL_SPEED_MAX 1000000         /* us per second */
#define MODEL_POSES_MAX 256             /* poses in a robot file */

/* Invariant: min <= home <= max, and the wire positions of min and max
 * (hence of every position between) are within wire_min..wire_max, the
 * board's; name is "" when the file does not name the servo. max_speed 0:
 * no limit. */
struct model_servo {
        char name[MODEL_NAME_MAX + 1];
        int min, max, home, trim;
        int wire_min, wire_max;
        bool invert;
        unsigned max_speed;             /* us per second */
        unsigned line;                  /* in the file; 0 when not named */
};

struct model_target {
        unsigned id;
        int position;                   /* logical, within the servo's limits */
};

/* Invariant: the targets' ids are distinct. */
struct model_pose {
        char name[MODEL_NAME_MAX + 1];
        size_t n;
        struct model_target targets[LSC_MOVE_MAX_SERVOS];
};

struct model_group {
        char name[MODEL_NAME_MAX + 1];
        unsigned number;                /* 0..LSC_GROUP_MAX */
};

/* Invariants: names are identifiers, distinct among servos, among poses and
 * among groups; no group is named "all" (group.speed's name for every
 * group); once complete (model_add_home), exactly one pose is named
 * "home": the file's, or every named servo at its home; path is NULL for
 * the model without a file; every servo's wire range is the profile's. */
struct model {
        const struct profile *profile;  /* the file's "board", or lscd's --board */
        struct model_servo servos[LSC_SERVO_ID_MAX + 1];        /* by id; [0] unused */
        struct model_pose *poses;
        size_t n_poses;
        struct model_group *groups;
        size_t n_groups;
        char *path;
};

/* Every servo at the defaults of board P, and no pose yet: model_add_home()
 * completes it (the model without a file: an empty home pose). */
struct model *model_new(const struct profile *p);
struct model *model_free(struct model *m);

/* A name lscd accepts for a servo, pose or group: [A-Za-z_][A-Za-z0-9_]*,
 * at most MODEL_NAME_MAX bytes. */
bool model_name_valid(const char *name);

/* How many servos the file names. */
unsigned model_n_named(const struct model *m);
/* The id of the servo named NAME, or 0. */
unsigned model_servo_id(const struct model *m, const char *name);
const struct model_pose *model_pose(const struct model *m, const char *name);
/* The number of the group named NAME, or -1. */
int model_group(const struct model *m, const char *name);

/* Add the "home" pose when the file has none: every named servo at home. */
void model_add_home(struct model *m);

int model_wire(const struct model_servo *s, int logical);
/* The logical position of a wire position (trim and inversion undone). */
int model_logical(const struct model_servo *s, int wire);
bool model_in_limits(const struct model_servo *s, int logical);
/* Whether a logical position maps to a wire position within the board's range. */
bool model_wire_valid(const struct model_servo *s, int logical);

/* The time a move from FROM to TO needs at the servo's max_speed (ms,
 * rounded up), or 0 without a limit. */
unsigned model_min_time_ms(const struct model_servo *s, int from, int to);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * state.h: what lscd keeps across its own restarts, not across reboots: the
 * remembered group speeds, the running group, and each servo's last target
 * with the predicted end of its move. One JSON file (by default
 * /run/lscd/state.json, which RuntimeDirectoryPreserve= keeps), written
 * whole to a temporary name and renamed, so a reader never sees half of it.
 * A file from another boot (boot_id), of another format, of another board
 * (its "board", the profile's name: positions in other units) or damaged
 * is ignored: it never stops lscd. Reading is pure: the file into a snapshot,
 * which the caller (robot.c) applies to the board and the servos.
 */
#ifndef LSCD_STATE_H
#define LSCD_STATE_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "board-state.h"
#include "servos.h"

#define STATE_VERSION 1

/* Both clocks at one moment: the file keeps CLOCK_REALTIME, lscd's timers
 * CLOCK_MONOTONIC (which restarts at boot, as the file's boot_id says). */
struct state_now {
        uint64_t mono, real;
};

/* A saved state, read and checked whole so that nothing of a damaged file
 * is applied: the remembered speeds (0: not set since the last "all"), the
 * running group, and the servos' last targets with the predicted ends of
 * their moves (CLOCK_MONOTONIC; 0: none). */
struct state_snapshot {
        bool speed_all_set;
        unsigned speed_all;
        unsigned speeds[LSC_GROUP_MAX + 1];
        bool running, from_lscd;
        unsigned group, runs;
        bool known[LSC_SERVO_ID_MAX + 1];
        int target[LSC_SERVO_ID_MAX + 1];
        uint64_t until[LSC_SERVO_ID_MAX + 1];
};

/* What a save writes: taken in the loop (a copy, cheap), written by the
 * saver's thread. board is the profile's name (static). */
struct state_save {
        const char *board;
        struct state_now now;
        struct state_snapshot snap;
};

/* B's board kind (b->profile) must be set. */
void state_take(const struct board_state *b, const struct servos *s, const struct state_now *now,
                struct state_save *save);
cJSON *state_to_json(const struct state_save *save, const char *boot_id);
/* Read a saved state of BOARD (a profile's name) into *SNAP, which is set
 * only when it returns 0; otherwise -ESTALE (another boot or format),
 * -EMEDIUMTYPE (another board) or -EBADMSG (damaged). */
int state_from_json(const cJSON *json, const struct state_now *now, const char *boot_id,
                    const char *board, struct state_snapshot *snap);

/* The file's text (freed by the caller) of SAVE, a struct state_save: a
 * saver_format_fn (saver.h). */
char *state_text(const void *save);
/* 0 with *SNAP set, -ENOENT (no file), -ESTALE, -EMEDIUMTYPE, -EBADMSG
 * or another negative errno. */
int state_load(const char *path, const struct state_now *now, const char *board,
               struct state_snapshot *snap);

#endif

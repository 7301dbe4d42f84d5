/* SPDX-License-Identifier: MIT */
/*
 * state.h: what lscd keeps across its own restarts, not across reboots: the
 * remembered group speeds, the running group, and each servo's last target
 * with the predicted end of its move. One JSON file (by default
 * /run/lscd/state.json, which RuntimeDirectoryPreserve= keeps), written
 * whole to a temporary name and renamed, so a reader never sees half of it.
 * A file from another boot (boot_id), of another format or damaged is
 * ignored: it never stops lscd.
 */
#ifndef LSCD_STATE_H
#define LSCD_STATE_H

#include <stdint.h>
#include <cjson/cJSON.h>

#include "board.h"
#include "servos.h"

#define STATE_VERSION 1

/* Both clocks at one moment: the file keeps CLOCK_REALTIME, lscd's timers
 * CLOCK_MONOTONIC (which restarts at boot, as the file's boot_id says). */
struct state_now {
        uint64_t mono, real;
};

cJSON *state_to_json(const struct board_state *b, const struct servos *s,
                     const struct state_now *now, const char *boot_id);
/* Apply a saved state. Returns 0, -ESTALE (another boot or format) or
 * -EBADMSG (damaged); nothing is applied unless 0. */
int state_from_json(const cJSON *json, const struct state_now *now, const char *boot_id,
                    struct board *b, struct servos *s);

int state_save(const char *path, const struct board_state *b, const struct servos *s,
               const struct state_now *now);
/* 0, -ENOENT (no file), -ESTALE, -EBADMSG or another negative errno. */
int state_load(const char *path, const struct state_now *now, struct board *b, struct servos *s);

#endif

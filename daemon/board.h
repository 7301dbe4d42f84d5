/* SPDX-License-Identifier: MIT */
/*
 * board.h: what lscd knows of the board, and the calls that wait on it:
 * the running group and who started it, RUN frames written and not yet
 * echoed (to tell lscd's starts from the gamepad's, and for the 1 s
 * "not_started" timeout), group.run calls waiting for completion, the
 * group speeds to re-apply after a reconnect, and the battery query shared
 * by concurrent battery requests.
 */
#ifndef LSCD_BOARD_H
#define LSCD_BOARD_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include <systemd/sd-event.h>

#include "errcode.h"
#include "lsc/frame.h"

struct manager;
struct call;
struct board;

int board_new(struct board **ret, struct manager *m, sd_event *event, uint64_t battery_timeout_usec);
/* Answers every waiting call "shutdown". */
struct board *board_free(struct board *b);

/* A frame decoded from the board: updates state, answers waiting calls and
 * publishes the events. */
void board_frame(struct board *b, const struct lsc_frame *frame);

/* A group.run call's RUN frame was written: answered now, or (wait) kept
 * until the board reports the outcome. */
void board_run_written(struct board *b, struct call *call);
/* A group.speed frame was written: remember it for reconnects. */
void board_speed_written(struct board *b, long group, long percent);
/* Answer CALL with the battery voltage, sharing one query on the wire. */
void board_battery(struct board *b, struct call *call);

/* The device is connected: re-apply the remembered speeds (before any other
 * frame can be queued). */
void board_connected(struct board *b);
/* Answer every waiting call with CODE and forget the running group. */
void board_abort(struct board *b, enum errcode code);

/* {"group":N,"runs":N,"source":"lscd"|"external"}, or a JSON null. */
cJSON *board_group_json(const struct board *b);

#endif

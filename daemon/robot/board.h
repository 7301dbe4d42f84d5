/* SPDX-License-Identifier: MIT */
/*
 * board.h: the board state (board-state.h) in lscd's event loop: one timer
 * armed at the state's next deadline, and lscd's own frames queued on the
 * wire: the battery query in the priority lane, remembered speeds in the
 * restore lane (behind every STOP, ahead of every client's frame). Every call
 * into the state goes through here, so that the timer always follows it.
 */
#ifndef LSCD_BOARD_H
#define LSCD_BOARD_H

#include <systemd/sd-event.h>

#include "board-state.h"
#include "wire.h"

struct board;

/* OPS->send is supplied by the board itself (the wire); answer and event
 * are the caller's. */
int board_new(struct board **ret, sd_event *event, struct wire *wire,
              const struct board_ops *ops, void *userdata, uint64_t battery_timeout_usec);
/* Answers every waiter BOARD_SHUTDOWN. */
struct board *board_free(struct board *b);

void board_frame(struct board *b, const struct lsc_frame *frame);
void board_run_written(struct board *b, struct board_waiter *w, unsigned group, unsigned runs,
                       const struct board_by *by);
void board_stop_written(struct board *b, const struct board_by *by);
void board_speed(struct board *b, unsigned group, unsigned percent);
void board_restore_group(struct board *b, unsigned group, unsigned runs, bool from_lscd);
void board_battery(struct board *b, struct board_waiter *w);
void board_positions(struct board *b, struct board_waiter *w);
void board_profile(struct board *b, const struct profile *p);
void board_connected(struct board *b);
void board_abort(struct board *b, enum board_result result);

/* Read-only view, for status. */
const struct board_state *board_state(const struct board *b);

#endif

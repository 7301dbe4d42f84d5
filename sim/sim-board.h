/* SPDX-License-Identifier: MIT */
/*
 * sim-board.h: the LSC board's behaviour, as a pure state machine. It is fed
 * decoded frames and the time, and says what the board sends back. No I/O,
 * no clock reads, no allocation: the caller owns time and the line.
 */
#ifndef LSC_SIM_BOARD_H
#define LSC_SIM_BOARD_H

#include <stdbool.h>
#include <stdint.h>

#include <lsc/frame.h>

#define SIM_BOARD_GROUPS      (LSC_GROUP_MAX + 1)   /* groups 0..254 */
#define SIM_BOARD_DURATION_MS 1000                  /* default group length */
#define SIM_BOARD_DURATION_MAX 3600000u             /* one hour per run */
#define SIM_BOARD_BATTERY_MV  7400
#define SIM_NEVER             UINT64_MAX
#define SIM_UNKNOWN           (-1)                  /* a position nobody knows */

/*
 * One servo's motion: the pulse width the board drives goes in a straight
 * line from `from` at start_us to `target` at start_us + time_ms ms, then
 * stays at target. Invariants:
 *  - target is within the board's positions (500..2500 on an LSC board,
 *    0..1000 on a bus board), or SIM_UNKNOWN when the servo has not been
 *    moved since power-on or since a group started (a bus servo is at 500
 *    after power-on: it reports where it is);
 *  - limp: torque off (a bus board's UNLOAD); target = from = where a hand
 *    left it, time_ms 0. A move drives it again.
 *  - from is a position, or SIM_UNKNOWN when the move started from an
 *    unknown position (and always when target is SIM_UNKNOWN);
 *  - start_us is the CLOCK_MONOTONIC arrival of the move frame's last byte.
 */
struct sim_servo {
        int from;
        int target;
        uint64_t start_us;
        unsigned time_ms;
        bool limp;
};

/*
 * Board state. Invariants:
 *  - running is a downloaded group (0..254) or -1 when idle;
 *  - deadline_us is SIM_NEVER when idle or when the group runs forever,
 *    else the CLOCK_MONOTONIC time its COMPLETE is due;
 *  - percent[g] is 100 after power-on and never 0;
 *  - servo[id] for id 1..32 (index 0 unused) is that servo's last move;
 *    every servo is unknown after power-on and after a group starts.
 * downloaded/duration_ms stand for the flash and survive power cycles.
 */
struct sim_board {
        bool downloaded[SIM_BOARD_GROUPS];
        uint32_t duration_ms[SIM_BOARD_GROUPS];
        uint16_t percent[SIM_BOARD_GROUPS];
        int running;
        unsigned runs;
        uint64_t deadline_us;
        struct sim_servo servo[LSC_SERVO_ID_MAX + 1];
        bool battery_on;
        unsigned battery_mv;
        bool bus;               /* a Bus Servo Controller: takes 20 and 21 */
        bool old_firmware;      /* reports a run as 55 55 02 06, a natural end as STOP */
};

/* What the board did about one input. */
enum sim_action {
        SIM_NOTHING,            /* e.g. STOP while idle, battery off */
        SIM_SEND,               /* send frame[0..size) */
        SIM_BEEP,               /* malformed frame: beep twice, send nothing */
        SIM_NOT_DOWNLOADED,     /* RUN of a group not in flash: ignored */
};

struct sim_reply {
        enum sim_action action;
        unsigned group;         /* SIM_NOT_DOWNLOADED */
        int size;
        uint8_t frame[LSC_FRAME_MAX_SIZE];
};

/* Power-on state: no group downloaded, battery answering at
 * SIM_BOARD_BATTERY_MV. */
void sim_board_init(struct sim_board *b);

/* Mark group g as downloaded with duration ms (0..SIM_BOARD_DURATION_MAX).
 * Returns 0 or -EINVAL. */
int sim_board_set_group(struct sim_board *b, long g, long ms);

/* Power cycle: the group stops, speeds are forgotten, every servo's
 * position becomes unknown (unpowered, it can be anywhere). */
void sim_board_power_cycle(struct sim_board *b);

/* A frame from the host, received (last byte) at now_us. A move starts
 * each of its servos at now_us from where it is then; a group start makes
 * every servo unknown (the simulated groups carry no positions). */
void sim_board_receive(struct sim_board *b, const struct lsc_frame *f,
                       uint64_t now_us, struct sim_reply *r);

/* Move a limp servo of a bus board by hand to POSITION (0..1000):
 * 0, -EPERM when it is under torque (or the board is not a bus board),
 * -EINVAL outside the range. */
int sim_board_hand(struct sim_board *b, int id, long position);

/* Servo id's (1..32) pulse width at now_us in whole microseconds (a half
 * rounded towards the target), or SIM_UNKNOWN. */
int sim_board_position(const struct sim_board *b, int id, uint64_t now_us);
/* When servo id reached or will reach its target (CLOCK_MONOTONIC), or
 * SIM_NEVER when its target is unknown. */
uint64_t sim_board_arrival(const struct sim_board *b, int id);

/* Send COMPLETE if the running group's deadline is at or before now_us. */
void sim_board_expire(struct sim_board *b, uint64_t now_us, struct sim_reply *r);

/* Gamepad buttons. emit_run returns -ENOENT for a group not downloaded and
 * -EINVAL for values outside their fields; the others always send. */
int sim_board_emit_run(struct sim_board *b, long g, long runs, uint64_t now_us,
                       struct sim_reply *r);
void sim_board_emit_stop(struct sim_board *b, struct sim_reply *r);
int sim_board_emit_complete(struct sim_board *b, long g, long runs,
                            struct sim_reply *r);

#endif

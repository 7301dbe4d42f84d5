/* SPDX-License-Identifier: MIT */
/*
 * profile.h: what kind of board lscd drives (--board, or the robot file's
 * "board"): the host commands it takes, the position units of its servos,
 * and the reports it sends. Constant tables, pure.
 *  - lsc: the PWM LSC boards (LSC-6, 16, 24, 32): commands 3, 6, 7, 11 and
 *    15; positions 500..2500 us (lsc-serial-protocol-v1.1.md).
 *  - bus: Hiwonder's Bus Servo Controller: the same, plus 20 (unload) and
 *    21 (read positions); positions 0..1000 over 240 degrees
 *    (bus-servo-and-d6a.md, "Framing", "CMD 20", "CMD 21").
 * Both report 6, 7, 8 and 15; bus also 21.
 */
#ifndef LSCD_PROFILE_H
#define LSCD_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "lsc/frame.h"

#define PROFILE_BIT(cmd) (UINT32_C(1) << (cmd))

/* Invariant: position_min < position_max, within 0..65535. */
struct profile {
        const char *name;
        uint32_t commands;              /* bit N: the board takes host command N */
        uint32_t reports;               /* bit N: the board sends frames of command N */
        int position_min, position_max; /* a servo's wire positions */
};

extern const struct profile profile_lsc, profile_bus;

/* The profile named NAME ("lsc", "bus"), or NULL. */
const struct profile *profile_find(const char *name);
/* "lsc, bus", for errors and help. */
#define PROFILE_NAMES "lsc, bus"

bool profile_takes(const struct profile *p, enum lsc_cmd cmd);
bool profile_reports(const struct profile *p, uint8_t cmd);

#endif

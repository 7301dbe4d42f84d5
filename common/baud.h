/* SPDX-License-Identifier: MIT */
/*
 * baud.h: the line speeds that can be set through termios, shared by lscd
 * (pseudo-terminals, --baud checking) and lsc-sim (its pty).
 */
#ifndef LSCD_BAUD_H
#define LSCD_BAUD_H

#include <stdbool.h>
#include <termios.h>

/* The termios speed for BAUD, or B0 when it has none. */
speed_t baud_speed(unsigned baud);
bool baud_supported(unsigned baud);

#endif

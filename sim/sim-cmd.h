/* SPDX-License-Identifier: MIT */
/*
 * sim-cmd.h: the control commands, one table that drives parsing, argument
 * counts, execution and the help text.
 */
#ifndef LSC_SIM_CMD_H
#define LSC_SIM_CMD_H

#include <stddef.h>
#include <stdio.h>

struct sim;

/* Run one command line; reply is "ok[ ...]" or "error <message>". */
void sim_cmd_execute(struct sim *sim, char *line, char *reply, size_t size);
/* The command list, for --help and the "help" command. */
void sim_cmd_help(FILE *f);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * recorder.h: a recording: every move that reaches the wire for chosen
 * servos, from any client or from lscd, with the moment its frame left the
 * wire; and the sequence file it makes: one step per move, its hold the gap
 * to the next move, both moves' times rounded to the ms from the first
 * move's so that a replay never drifts (a gap shorter than the move's time is lengthened to
 * it: a step cannot start before the one before has ended; a pause longer
 * than SEQUENCE_HOLD_MAX is held that long, so that the file plays). Pure.
 */
#ifndef LSCD_RECORDER_H
#define LSCD_RECORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "servos.h"

#define RECORDER_MOVES_MAX 10000        /* a sequence's steps */
/* Teach mode reads positions at least this far apart: 10 readings a
 * second, 16 minutes in RECORDER_MOVES_MAX steps when the arm never rests. */
#define RECORDER_TEACH_PERIOD_MIN_MS 100
/* A taught sequence's first step comes from wherever the arm is: it takes
 * at least this long for a servo's whole range (recorder.c says why). */
#define RECORDER_APPROACH_MS 2000

struct recorder_move {
        uint64_t sent;                  /* CLOCK_MONOTONIC usec */
        unsigned time_ms;
        size_t n;
        unsigned ids[LSC_MOVE_MAX_SERVOS];
        int logical[LSC_MOVE_MAX_SERVOS];
};

/* Invariant: moves holds n_moves entries (room allocated), in the order
 * they were sent. */
struct recorder {
        char name[MODEL_NAME_MAX + 1];
        uint64_t servos;                /* bit N: servo N is recorded */
        struct recorder_move *moves;
        size_t n_moves, room;
        size_t dropped;                 /* moves past RECORDER_MOVES_MAX */
        size_t skipped;                 /* teach: periods whose read was still outstanding */
        size_t clamped;                 /* teach: readings past a limit, kept at the limit */
        bool teach;                     /* samples were recorded (recorder_sample) */
        uint64_t number;                /* its starter's: tells it from later recordings */
        char *text;                     /* its file, once stopped (NULL before) */
};

struct recorder *recorder_new(const char *name, uint64_t servos);
struct recorder *recorder_free(struct recorder *r);
/* A move reached the wire: its servos that are recorded are kept. */
void recorder_add(struct recorder *r, const struct servos_plan *plan, uint64_t sent);
/* Teach mode: the period of position reads of N servos (1..32) on a bus
 * board's 9600-baud line, in ms. */
unsigned recorder_teach_period_ms(size_t n);
/* Teach mode: the servos of PLAN were read at SENT (PLAN's time_ms: the
 * period); kept as a move when they are not where the last one kept left
 * them, so that a servo at rest makes a hold, not steps. */
void recorder_sample(struct recorder *r, const struct servos_plan *plan, uint64_t sent);
/* The time of MOVE when it is a taught sequence's first step: its own, or
 * longer so that each servo may cross its limits at RECORDER_APPROACH_MS
 * for the board's whole range, and within its max_speed. */
unsigned recorder_approach_ms(const struct recorder_move *move, const struct model *m);
/* The sequence file's text (names from M where it has them), at most MAX
 * bytes (a file lscd reads: SEQUENCE_FILE_MAX); free it. The moves past
 * what fits are dropped from R and counted in R->dropped. A taught
 * recording's first step takes recorder_approach_ms(). */
char *recorder_yaml(struct recorder *r, const struct model *m, const char *header, size_t max);

#endif

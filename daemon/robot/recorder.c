/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "recorder.h"
#include "sequence.h"

_Static_assert(RECORDER_MOVES_MAX <= SEQUENCE_STEPS_MAX, "a recording is a sequence lscd plays");

struct recorder *recorder_new(const char *name, uint64_t servos)
{
        struct recorder *r = mem_new0(struct recorder);

        snprintf(r->name, sizeof(r->name), "%s", name);
        r->servos = servos;
        return r;
}

struct recorder *recorder_free(struct recorder *r)
{
        if (!r)
                return NULL;
        free(r->moves);
        free(r->text);
        free(r);
        return NULL;
}

void recorder_add(struct recorder *r, const struct servos_plan *plan, uint64_t sent)
{
        struct recorder_move m = { .sent = sent, .time_ms = plan->time_ms };

        for (size_t i = 0; i < plan->n; i++)
                if (r->servos & (UINT64_C(1) << plan->ids[i])) {
                        m.ids[m.n] = plan->ids[i];
                        m.logical[m.n++] = plan->logical[i];
                }
        if (m.n == 0)
                return;
        if (r->n_moves == RECORDER_MOVES_MAX) {
                r->dropped++;
                return;
        }
        /* Room doubles: a recording of 10000 moves is not copied 10000 times. */
        if (r->n_moves == r->room) {
                r->room = r->room ? 2 * r->room : 64;
                r->moves = mem_realloc_array(r->moves, r->room, sizeof(*r->moves));
        }
        r->moves[r->n_moves++] = m;
}

/*
 * A read of n servos costs n + 5 bytes to the board and 3n + 5 back
 * (bus-servo-and-d6a.md, "CMD 21"), 10 bits each at 9600 baud: 1.04 ms a
 * byte. The host-to-board direction is the one moves need; a read takes at
 * most 38 ms of it (32 servos). The reply is the longer, up to 105 ms: a
 * period of three replies leaves two thirds of the board-to-host direction
 * to the board's reports and other queries, and never lets reads queue up.
 * The period is at least RECORDER_TEACH_PERIOD_MIN_MS: up to 9 servos
 * (6: 23 bytes, 24 ms) are read every 100 ms, 32 servos every 316 ms. The
 * board also asks each servo on its own bus; how long that takes is not
 * documented.
 */
unsigned recorder_teach_period_ms(size_t n)
{
        unsigned reply_us = (unsigned)(LSC_FRAME_SIZE_POSITIONS(n) * 10 * 1000000 / 9600);
        unsigned ms = (3 * reply_us + 999) / 1000;

        return ms > RECORDER_TEACH_PERIOD_MIN_MS ? ms : RECORDER_TEACH_PERIOD_MIN_MS;
}

void recorder_sample(struct recorder *r, const struct servos_plan *plan, uint64_t sent)
{
        const struct recorder_move *last = r->n_moves ? &r->moves[r->n_moves - 1] : NULL;
        size_t same = 0;

        r->teach = true;
        for (size_t i = 0; last && i < plan->n; i++)
                for (size_t k = 0; k < last->n; k++)
                        if (last->ids[k] == plan->ids[i] && last->logical[k] == plan->logical[i])
                                same++;
        if (!last || same != plan->n || last->n != plan->n)
                recorder_add(r, plan, sent);
}

/*
 * Teach mode unloads the servos, and a replay starts wherever the arm
 * then is: the first step may cross a servo's whole range, which the
 * recorded period (100 ms) would make a jump. 2 s for the board's whole
 * range is 120 degrees a second on a bus servo (1000 units over 240
 * degrees), about a third of an LX-16A's rated no-load speed (0.16 s per
 * 60 degrees), and 90 degrees a second on a PWM servo (500..2500 us over
 * 180 degrees): slow enough under load, and for a hand nearby. A servo's
 * max_speed lengthens it further; a narrower range of limits shortens it.
 */
unsigned recorder_approach_ms(const struct recorder_move *move, const struct model *m)
{
        unsigned t = move->time_ms;

        for (size_t k = 0; k < move->n; k++) {
                const struct model_servo *s = &m->servos[move->ids[k]];
                uint64_t range = (uint64_t) (s->wire_max - s->wire_min);
                unsigned whole = (unsigned) (((uint64_t) (s->max - s->min) * RECORDER_APPROACH_MS +
                                              range - 1) / range);
                unsigned speed = model_min_time_ms(s, s->min, s->max);

                if (whole > t)
                        t = whole;
                if (speed > t)
                        t = speed;
        }
        return t;
}

/* When move I was sent, in ms from the recording's first move, rounded. */
static uint64_t recorder_at_ms(const struct recorder *r, size_t i)
{
        return (r->moves[i].sent - r->moves[0].sent + 500) / 1000;
}

/* Write the step of move I to F: its hold is what the hand held after
 * the recorded move, whatever the first step's approach. Each gap is
 * the difference of two starts rounded from the recording's first move,
 * so that the rounding of one gap never adds to the next: a replay's
 * every step starts within 0.5 ms of its recorded time (when no gap was
 * shorter than its move's time or longer than SEQUENCE_HOLD_MAX). */
static void recorder_step(const struct recorder *r, size_t i, const struct model *m, FILE *f)
{
        const struct recorder_move *mv = &r->moves[i];
        uint64_t gap = i + 1 < r->n_moves ? recorder_at_ms(r, i + 1) - recorder_at_ms(r, i) : 0;
        uint64_t hold = gap > mv->time_ms ? gap - mv->time_ms : 0;
        unsigned time_ms = i == 0 && r->teach ? recorder_approach_ms(mv, m) : mv->time_ms;

        if (hold > SEQUENCE_HOLD_MAX)
                hold = SEQUENCE_HOLD_MAX;

        fputs("  - {servos: {", f);
        for (size_t k = 0; k < mv->n; k++) {
                const char *name = m->servos[mv->ids[k]].name;

                if (name[0])
                        fprintf(f, "%s%s: %d", k ? ", " : "", name, mv->logical[k]);
                else
                        fprintf(f, "%s%u: %d", k ? ", " : "", mv->ids[k], mv->logical[k]);
        }
        fprintf(f, "}, time_ms: %u, hold_ms: %llu}\n", time_ms, (unsigned long long) hold);
}

/* Step I's line of the file: free it. */
static char *recorder_step_text(const struct recorder *r, size_t i, const struct model *m,
                                size_t *len)
{
        char *text = NULL;
        FILE *f = open_memstream(&text, len);

        if (!f)
                mem_oom();
        recorder_step(r, i, m, f);
        if (fclose(f) != 0)
                mem_oom();
        return text;
}

char *recorder_yaml(struct recorder *r, const struct model *m, const char *header, size_t max)
{
        char *text = NULL, *step;
        size_t size = 0, len, kept;
        FILE *f = open_memstream(&text, &size);

        if (!f)
                mem_oom();
        fprintf(f, "# %s\nsteps:\n", header);
        for (kept = 0; kept < r->n_moves; kept++) {
                step = recorder_step_text(r, kept, m, &len);
                if (fflush(f) != 0)
                        mem_oom();
                if (size + len > max) {
                        free(step);
                        break;
                }
                fwrite(step, 1, len, f);
                free(step);
        }
        if (fclose(f) != 0)
                mem_oom();
        r->dropped += r->n_moves - kept;
        r->n_moves = kept;
        return text;
}

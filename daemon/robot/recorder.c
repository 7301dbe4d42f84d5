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
        r->moves = mem_realloc_array(r->moves, r->n_moves + 1, sizeof(*r->moves));
        r->moves[r->n_moves++] = m;
}

/* Write the step of move I to F. */
static void recorder_step(const struct recorder *r, size_t i, const struct model *m, FILE *f)
{
        const struct recorder_move *mv = &r->moves[i];
        uint64_t gap = i + 1 < r->n_moves ? (r->moves[i + 1].sent - mv->sent) / 1000 : 0;
        uint64_t hold = gap > mv->time_ms ? gap - mv->time_ms : 0;

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
        fprintf(f, "}, time_ms: %u, hold_ms: %llu}\n", mv->time_ms, (unsigned long long) hold);
}

char *recorder_yaml(const struct recorder *r, const struct model *m, const char *header)
{
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        if (!f)
                mem_oom();
        fprintf(f, "# %s\nsteps:\n", header);
        for (size_t i = 0; i < r->n_moves; i++)
                recorder_step(r, i, m, f);
        if (fclose(f) != 0)
                mem_oom();
        return text;
}

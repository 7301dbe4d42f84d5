/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "log.h"
#include "mem.h"
#include "player.h"
#include "robot.h"

/* Steps are due within this of their time. */
#define PLAYER_TIMER_ACCURACY_USEC 1

struct player_run;

/* A step's frame handed to the wire. Invariant: run is NULL once the run
 * ended; until then the frame is on the run's frames list. */
struct player_frame {
        struct player_frame *prev, *next;
        struct player *player;
        struct player_run *run;
        struct servos_plan plan;
        uint64_t loop;
        size_t step;
};

/* Invariants: step < seq->n_steps until every step was queued (then
 * finishing is set and the timer waits for the last step's end); next_at
 * is the offset from start of the next step (or of the end). */
struct player_run {
        struct player_run *prev, *next;
        struct player *player;
        struct player_run_info info;
        struct board_by by;
        struct sequence *seq;
        struct servos_plan *plans;
        uint64_t owner;
        const void *wire_owner;
        uint64_t start, next_at, loop;
        size_t step;
        bool finishing;
        bool complete;                  /* its end passed; waits for its last frame */
        sd_event_source *timer;
        void *waiter;
        struct player_frame *frames;
};

struct player {
        sd_event *event;
        struct wire *wire;
        struct robot *robot;
        const struct player_ops *ops;
        void *userdata;
        struct player_run *runs;
        uint64_t last_id;
};

static void player_end(struct player_run *run, enum player_end how, const struct board_by *by);

static void player_frame_done(void *userdata, enum wire_result result)
{
        struct player_frame *f = userdata;
        struct player *p = f->player;
        struct player_run *run = f->run;

        if (result == WIRE_WRITTEN)
                robot_written(p->robot, &f->plan, wire_sent_at(p->wire), "sequence", NULL);
        else
                robot_dropped(p->robot, &f->plan);
        if (run) {
                LIST_REMOVE(run->frames, f, prev, next);
                if (result == WIRE_WRITTEN)
                        p->ops->step(p->userdata, &run->info, f->loop, f->step);
                if (result == WIRE_CLAIMED)
                        player_stop(p, run->info.id, PLAYER_PREEMPTED, NULL);
                else if (run->complete && !run->frames)
                        player_end(run, PLAYER_COMPLETED, NULL);
        }
        free(f);
}

/* End RUN: no frame of it reaches the wire after this. */
static void player_end(struct player_run *run, enum player_end how, const struct board_by *by)
{
        struct player *p = run->player;

        LIST_REMOVE(p->runs, run, prev, next);
        run->timer = sd_event_source_disable_unref(run->timer);
        while (run->frames) {
                struct player_frame *f = run->frames;

                LIST_REMOVE(run->frames, f, prev, next);
                f->run = NULL;
                wire_cancel(p->wire, f, WIRE_DROPPED);
        }
        p->ops->ended(p->userdata, &run->info, how, by, run->waiter);
        sequence_free(run->seq);
        free(run->plans);
        free(run);
}

/* Queue the step's frame; false when the wire refused it. */
static bool player_queue(struct player_run *run)
{
        struct player *p = run->player;
        struct player_frame *f = mem_new0(struct player_frame);
        uint8_t frame[LSC_FRAME_MAX_SIZE];
        struct wire_request req;
        int size, r;

        *f = (struct player_frame) { .player = p, .run = run, .plan = run->plans[run->step],
                                     .loop = run->loop, .step = run->step };
        size = servos_encode(&f->plan, frame, sizeof(frame));
        req = (struct wire_request) {
                .frame = frame, .size = (size_t) size, .owner = run->wire_owner,
                .lane = WIRE_LANE_RESTORE, .flags = WIRE_HALTABLE, .servo_mask = f->plan.mask,
                .done = player_frame_done, .userdata = f,
        };
        r = wire_submit(p->wire, &req);
        if (r < 0) {
                free(f);
                return false;
        }
        robot_queued(p->robot, &f->plan);
        LIST_PREPEND(run->frames, f, prev, next);
        return true;
}

/* Move on to the next step: its offset, and whether every step is done. */
static void player_advance(struct player_run *run)
{
        run->next_at += sequence_step_usec(run->seq, run->plans, run->info.speed, run->step);
        if (++run->step < run->seq->n_steps)
                return;
        run->step = 0;
        run->loop++;
        run->finishing = run->info.loops && run->loop == run->info.loops;
}

static int player_on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct player_run *run = userdata;
        struct player *p = run->player;

        if (run->finishing) {
                /* Not before its last frame is on the wire. */
                run->complete = true;
                if (!run->frames)
                        player_end(run, PLAYER_COMPLETED, NULL);
                return 0;
        }
        if (claims_conflict(robot_claims(p->robot), run->owner, run->info.servos, false)) {
                player_end(run, PLAYER_PREEMPTED, NULL);
                return 0;
        }
        if (!player_queue(run)) {
                player_end(run, PLAYER_DEVICE_LOST, NULL);
                return 0;
        }
        player_advance(run);
        sd_event_source_set_time(run->timer, run->start + run->next_at);
        sd_event_source_set_enabled(run->timer, SD_EVENT_ONESHOT);
        return 0;
}

int player_new(struct player **ret, sd_event *event, struct wire *wire, struct robot *robot,
               const struct player_ops *ops, void *userdata)
{
        struct player *p = mem_new0(struct player);

        *p = (struct player) { .event = sd_event_ref(event), .wire = wire, .robot = robot,
                               .ops = ops, .userdata = userdata };
        *ret = p;
        return 0;
}

struct player *player_free(struct player *p)
{
        if (!p)
                return NULL;
        player_stop(p, 0, PLAYER_SHUTDOWN, NULL);
        sd_event_unref(p->event);
        free(p);
        return NULL;
}

uint64_t player_start(struct player *p, const struct player_start *start)
{
        struct player_run *run = mem_new0(struct player_run);
        uint64_t servos = 0;
        int r;

        for (size_t i = 0; i < start->seq->n_steps; i++)
                servos |= start->plans[i].mask;
        *run = (struct player_run) {
                .player = p, .seq = start->seq, .plans = start->plans, .owner = start->owner,
                .wire_owner = start->wire_owner, .start = start->start, .waiter = start->waiter,
        };
        run->info = (struct player_run_info) {
                .id = ++p->last_id, .name = run->seq->name, .n_steps = run->seq->n_steps,
                .loops = start->loops, .speed = start->speed, .servos = servos,
                .by = start->by ? &run->by : NULL,
        };
        if (start->by)
                run->by = *start->by;
        player_preempt(p, 0, servos, start->by);
        LIST_PREPEND(p->runs, run, prev, next);
        r = sd_event_add_time(p->event, &run->timer, CLOCK_MONOTONIC, run->start,
                              PLAYER_TIMER_ACCURACY_USEC, player_on_timer, run);
        if (r < 0) {
                log_error_errno(r, "Cannot arm a sequence's timer");
                player_end(run, PLAYER_SHUTDOWN, NULL);
                return 0;
        }
        p->ops->started(p->userdata, &run->info);
        return run->info.id;
}

/* End the runs SELECTED (by id, owner or servos) HOW. */
static size_t player_stop_if(struct player *p, bool (*selected)(const struct player_run *run,
                                                                 uint64_t a, uint64_t b),
                             uint64_t a, uint64_t b, enum player_end how,
                             const struct board_by *by)
{
        struct player_run *run = p->runs, *next;
        size_t n = 0;

        for (; run; run = next) {
                next = run->next;
                if (!selected(run, a, b))
                        continue;
                player_end(run, how, by);
                n++;
                /* An answer may have started or stopped runs: begin again. */
                next = p->runs;
        }
        return n;
}

static bool player_by_id(const struct player_run *run, uint64_t id, uint64_t unused)
{
        return id == 0 || run->info.id == id;
}

static bool player_by_owner(const struct player_run *run, uint64_t owner, uint64_t unused)
{
        return run->owner == owner;
}

static bool player_by_servos(const struct player_run *run, uint64_t owner, uint64_t servos)
{
        return (owner == 0 || run->owner != owner) && (run->info.servos & servos);
}

size_t player_stop(struct player *p, uint64_t id, enum player_end how, const struct board_by *by)
{
        return player_stop_if(p, player_by_id, id, 0, how, by);
}

size_t player_stop_owner(struct player *p, uint64_t owner, enum player_end how,
                         const struct board_by *by)
{
        return player_stop_if(p, player_by_owner, owner, 0, how, by);
}

size_t player_preempt(struct player *p, uint64_t owner, uint64_t servos,
                      const struct board_by *by)
{
        return player_stop_if(p, player_by_servos, owner, servos, PLAYER_PREEMPTED, by);
}

void player_each(const struct player *p, void (*fn)(const struct player_run_info *run, void *arg),
                 void *arg)
{
        for (const struct player_run *run = p->runs; run; run = run->next)
                fn(&run->info, arg);
}

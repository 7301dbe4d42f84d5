/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "deadline.h"
#include "log.h"
#include "mem.h"
#include "model-yaml.h"
#include "robot.h"
#include "saver.h"
#include "state.h"

/* move.completed and wait answers come within this of the predicted end. */
#define ROBOT_TIMER_ACCURACY_USEC 1
/* Changes are saved this long after the first one, and at exit. */
#define ROBOT_SAVE_DELAY_USEC 1000000

/* Invariants: model is always complete (model_add_home); timer is enabled
 * exactly while the servos have a deadline, and set to it; save_timer is
 * enabled while a change is not yet handed to the saver, which exists
 * exactly while state_path is set. */
struct robot {
        struct model *model;
        char *path;
        char *state_path;
        const struct profile *kind;     /* --board */
        uint64_t loaded;
        int save_error;                 /* of the last save, logged once */
        struct servos servos;
        struct claims claims;
        struct recorder *recorder;      /* NULL: not recording */
        struct recorder *kept;          /* stopped, its file not written: NULL or text set */
        struct board *board;
        sd_event *event;
        sd_event_source *timer;
        sd_event_source *claims_timer;
        sd_event_source *save_timer;
        struct saver *saver;            /* NULL without a state file */
        sd_event_source *teach_timer;   /* teach mode: while recording */
        uint64_t teach_usec;
        void (*teach_fire)(void *userdata);
        void *teach_userdata;
};

_Static_assert(SERVOS_NEVER == DEADLINE_NEVER, "the state's \"no deadline\" is the timer's");

static void robot_arm(struct robot *r)
{
        deadline_arm(r->timer, servos_deadline(&r->servos));
}

static void robot_arm_claims(struct robot *r)
{
        deadline_arm(r->claims_timer, claims_deadline(&r->claims));
}

static int robot_on_claims_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct robot *r = userdata;

        claims_expire(&r->claims, usec);
        robot_arm_claims(r);
        return 0;
}

static int robot_on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct robot *r = userdata;

        servos_expire(&r->servos, usec);
        robot_arm(r);
        return 0;
}

static struct state_now robot_state_now(void)
{
        return (struct state_now) { .mono = clock_usec(CLOCK_MONOTONIC),
                                    .real = clock_usec(CLOCK_REALTIME) };
}

/* A save's result, logged once until it changes. */
static void robot_on_saved(void *userdata, int result)
{
        struct robot *r = userdata;

        if (result < 0 && result != r->save_error)
                log_warning_errno(result, "Cannot save the state in %s (it will not survive a "
                                  "restart)", r->state_path);
        r->save_error = result;
}

/* Hand a copy of the state to the saver's thread, which formats and writes
 * it: the loop never waits for the disk. */
static void robot_save(struct robot *r)
{
        struct state_now now = robot_state_now();
        struct state_save *save;

        sd_event_source_set_enabled(r->save_timer, SD_EVENT_OFF);
        if (!r->saver)
                return;
        save = mem_new0(struct state_save);
        state_take(board_state(r->board), &r->servos, &now, save);
        saver_put(r->saver, save);
}

/* Save and wait until it is written, at exit. */
static void robot_save_now(struct robot *r)
{
        robot_save(r);
        if (r->saver)
                robot_on_saved(r, saver_flush(r->saver));
}

static int robot_on_save(sd_event_source *s, uint64_t usec, void *userdata)
{
        robot_save(userdata);
        return 0;
}

void robot_touch(struct robot *r)
{
        int enabled = SD_EVENT_OFF;

        if (!r->state_path)
                return;
        sd_event_source_get_enabled(r->save_timer, &enabled);
        if (enabled != SD_EVENT_OFF)
                return;
        sd_event_source_set_time_relative(r->save_timer, ROBOT_SAVE_DELAY_USEC);
        sd_event_source_set_enabled(r->save_timer, SD_EVENT_ONESHOT);
}

/* The state the previous lscd saved, applied to the board and the servos. */
static void robot_restore(struct robot *r, const struct state_snapshot *snap)
{
        if (snap->speed_all_set)
                board_speed(r->board, LSC_GROUP_ALL, snap->speed_all);
        for (unsigned g = 0; g <= LSC_GROUP_MAX; g++)
                if (snap->speeds[g])
                        board_speed(r->board, g, snap->speeds[g]);
        if (snap->running)
                board_restore_group(r->board, snap->group, snap->runs, snap->from_lscd);
        /* A target outside the limits was saved for another board. */
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                if (snap->known[id] && model_in_limits(&r->model->servos[id], snap->target[id]))
                        servos_restore(&r->servos, id, snap->target[id], snap->until[id]);
}

static void robot_load_state(struct robot *r)
{
        struct state_now now = robot_state_now();
        struct state_snapshot *snap = mem_new0(struct state_snapshot);
        int e = state_load(r->state_path, &now, r->model->profile->name, snap);

        if (e == 0) {
                robot_restore(r, snap);
                log_info("Restored the state of the previous lscd from %s", r->state_path);
        } else if (e == -EMEDIUMTYPE) {
                log_info("Ignoring %s: saved for another board (lscd drives a \"%s\" board now)",
                         r->state_path, r->model->profile->name);
        } else if (e == -ESTALE) {
                log_info("Ignoring %s: saved before the last boot, or by another version",
                         r->state_path);
        } else if (e == -EBADMSG) {
                log_warning("Ignoring %s: it is damaged", r->state_path);
        } else if (e != -ENOENT) {
                log_warning_errno(e, "Ignoring %s", r->state_path);
        }
        free(snap);
}

/* The model of r->path: the file's, or, at start only (STARTING), the
 * default when it is missing. A file that vanished since is an error on
 * reload: a file briefly absent while an editor saves it must never lift
 * every limit. */
static int robot_load(const struct robot *r, bool starting, struct model **ret, char **errors)
{
        int e;

        *errors = NULL;
        if (!r->path) {
                *ret = model_new(r->kind);
                model_add_home(*ret);
                return 0;
        }
        e = model_load(r->path, r->kind, ret, errors);
        if (e != -ENOENT || !starting)
                return e;
        free(*errors);
        *errors = NULL;
        log_info("No robot file %s: servos have their ids and default limits", r->path);
        *ret = model_new(r->kind);
        model_add_home(*ret);
        return 0;
}

int robot_new(struct robot **ret, sd_event *event, const struct robot_config *config,
              struct board *board, const struct servos_ops *servos_ops,
              const struct claims_ops *claims_ops, void *userdata)
{
        struct robot *r = mem_new0(struct robot);
        char *errors = NULL;
        int e;

        r->path = config->path ? mem_strdup(config->path) : NULL;
        r->state_path = config->state_path ? mem_strdup(config->state_path) : NULL;
        r->kind = config->board;
        r->board = board;
        r->event = sd_event_ref(event);
        servos_init(&r->servos, servos_ops, userdata);
        claims_init(&r->claims, claims_ops, userdata);
        e = robot_load(r, true, &r->model, &errors);
        if (e < 0) {
                log_lines(LOG_ERR, errors);
                free(errors);
                robot_free(r);
                return e;
        }
        r->loaded = clock_usec(CLOCK_REALTIME);
        board_profile(board, r->model->profile);
        e = sd_event_add_time(event, &r->timer, CLOCK_MONOTONIC, SERVOS_NEVER,
                              ROBOT_TIMER_ACCURACY_USEC, robot_on_timer, r);
        if (e >= 0)
                e = sd_event_source_set_enabled(r->timer, SD_EVENT_OFF);
        if (e >= 0)
                e = sd_event_add_time(event, &r->claims_timer, CLOCK_MONOTONIC, CLAIMS_NEVER,
                                      ROBOT_TIMER_ACCURACY_USEC, robot_on_claims_timer, r);
        if (e >= 0)
                e = sd_event_source_set_enabled(r->claims_timer, SD_EVENT_OFF);
        if (e >= 0)
                e = sd_event_add_time_relative(event, &r->save_timer, CLOCK_MONOTONIC,
                                               ROBOT_SAVE_DELAY_USEC, 0, robot_on_save, r);
        if (e >= 0)
                e = sd_event_source_set_enabled(r->save_timer, SD_EVENT_OFF);
        /* When it fires with a sequence's step, the step's frame goes first. */
        if (e >= 0)
                e = sd_event_source_set_priority(r->save_timer, SD_EVENT_PRIORITY_IDLE);
        if (e >= 0 && r->state_path)
                e = saver_new(&r->saver, event, r->state_path, state_text, robot_on_saved, r);
        if (e < 0) {
                robot_free(r);
                return e;
        }
        if (r->state_path)
                robot_load_state(r);
        *ret = r;
        return 0;
}

void robot_shutdown(struct robot *r)
{
        robot_save_now(r);
        r->saver = saver_free(r->saver);
        free(r->state_path);
        r->state_path = NULL;
        servos_done(&r->servos);
        claims_done(&r->claims);
        robot_arm(r);
        robot_arm_claims(r);
}

struct robot *robot_free(struct robot *r)
{
        if (!r)
                return NULL;
        if (r->save_timer)
                robot_save_now(r);
        saver_free(r->saver);
        servos_done(&r->servos);
        claims_done(&r->claims);
        sd_event_source_disable_unref(r->timer);
        sd_event_source_disable_unref(r->claims_timer);
        sd_event_source_disable_unref(r->save_timer);
        sd_event_source_disable_unref(r->teach_timer);
        sd_event_unref(r->event);
        recorder_free(r->recorder);
        recorder_free(r->kept);
        model_free(r->model);
        free(r->path);
        free(r->state_path);
        free(r);
        return NULL;
}

int robot_reload(struct robot *r, char **errors, struct recorder **ended,
                 struct model **ended_model)
{
        struct model *m;
        int e = robot_load(r, false, &m, errors);

        *ended = NULL;
        *ended_model = NULL;
        if (e < 0)
                return e;
        /* Targets in the old board's units mean nothing on the new one,
         * nor does a recording of them; teach mode's reads stop. */
        if (m->profile != r->model->profile) {
                robot_forget(r, SERVOS_CANCELLED);
                *ended = robot_record_stop(r);
        }
        /* The recording's names and limits are the old file's. */
        if (*ended)
                *ended_model = r->model;
        else
                model_free(r->model);
        r->model = m;
        board_profile(r->board, m->profile);
        r->loaded = clock_usec(CLOCK_REALTIME);
        return 0;
}

const struct model *robot_model(const struct robot *r)
{
        return r->model;
}

const char *robot_path(const struct robot *r)
{
        return r->path;
}

uint64_t robot_loaded(const struct robot *r)
{
        return r->loaded;
}

const struct servos *robot_servos(const struct robot *r)
{
        return &r->servos;
}

void robot_queued(struct robot *r, const struct servos_plan *plan)
{
        servos_queued(&r->servos, plan);
}

void robot_dropped(struct robot *r, const struct servos_plan *plan)
{
        servos_dropped(&r->servos, plan);
}

void robot_written(struct robot *r, const struct servos_plan *plan, uint64_t sent,
                   const char *source, void *waiter)
{
        servos_written(&r->servos, plan, sent, source, waiter);
        if (r->recorder)
                recorder_add(r->recorder, plan, sent);
        robot_arm(r);
        robot_touch(r);
}

void robot_forget(struct robot *r, enum servos_result result)
{
        servos_forget(&r->servos, result);
        robot_arm(r);
        robot_touch(r);
}

void robot_unloaded(struct robot *r, uint64_t mask)
{
        servos_unloaded(&r->servos, mask);
        robot_arm(r);
        robot_touch(r);
}

void robot_observe(struct robot *r, unsigned id, int position)
{
        /* Moved by hand past its limits: the reading is the client's, but
         * no target lscd would send. */
        if (!model_in_limits(&r->model->servos[id], position))
                return;
        if (servos_observe(&r->servos, id, position))
                robot_touch(r);
}

const struct claims *robot_claims(const struct robot *r)
{
        return &r->claims;
}

static uint64_t robot_now(const struct robot *r)
{
        uint64_t now = 0;

        sd_event_now(r->event, CLOCK_MONOTONIC, &now);
        return now;
}

int robot_claim(struct robot *r, const struct claim *want, bool wait, uint64_t wait_usec,
                void *waiter, struct claim **ret)
{
        uint64_t now = robot_now(r);
        int e = claims_request(&r->claims, want, wait,
                               wait_usec == CLAIMS_NEVER ? CLAIMS_NEVER : now + wait_usec,
                               waiter, now, ret);

        robot_arm_claims(r);
        return e;
}

void robot_renew(struct robot *r, uint64_t owner)
{
        claims_renew(&r->claims, owner, robot_now(r));
        robot_arm_claims(r);
}

int robot_release(struct robot *r, uint64_t owner, uint64_t id)
{
        int n = claims_release(&r->claims, owner, id, robot_now(r));

        robot_arm_claims(r);
        return n;
}

void robot_owner_gone(struct robot *r, uint64_t owner)
{
        claims_owner_gone(&r->claims, owner, robot_now(r));
        robot_arm_claims(r);
}

static int robot_on_teach(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct robot *r = userdata;

        sd_event_source_set_time(s, usec + r->teach_usec);
        r->teach_fire(r->teach_userdata);
        return 0;
}

int robot_teach(struct robot *r, unsigned period_ms, void (*fire)(void *userdata), void *userdata)
{
        int e;

        assert(r->recorder && !r->teach_timer);
        r->teach_usec = (uint64_t) period_ms * 1000;
        r->teach_fire = fire;
        r->teach_userdata = userdata;
        e = sd_event_add_time_relative(r->event, &r->teach_timer, CLOCK_MONOTONIC, 0,
                                       ROBOT_TIMER_ACCURACY_USEC, robot_on_teach, r);
        if (e >= 0)
                e = sd_event_source_set_enabled(r->teach_timer, SD_EVENT_ON);
        if (e < 0)
                r->teach_timer = sd_event_source_disable_unref(r->teach_timer);
        return e;
}

void robot_teach_skip(struct robot *r)
{
        if (r->recorder)
                r->recorder->skipped++;
}

bool robot_teaching(const struct robot *r)
{
        return r->teach_timer != NULL;
}

void robot_teach_sample(struct robot *r, const struct servos_plan *plan, size_t clamped)
{
        if (!r->recorder || !r->teach_timer)
                return;
        r->recorder->clamped += clamped;
        recorder_sample(r->recorder, plan, clock_usec(CLOCK_MONOTONIC));
}

void robot_record(struct robot *r, struct recorder *rec)
{
        recorder_free(r->recorder);
        r->recorder = rec;
}

struct recorder *robot_record_stop(struct robot *r)
{
        struct recorder *rec = r->recorder;

        r->recorder = NULL;
        r->teach_timer = sd_event_source_disable_unref(r->teach_timer);
        return rec;
}

const struct recorder *robot_recording(const struct robot *r)
{
        return r->recorder;
}

void robot_record_keep(struct robot *r, struct recorder *rec)
{
        assert(rec->text);
        recorder_free(r->kept);
        r->kept = rec;
}

struct recorder *robot_record_kept(struct robot *r)
{
        struct recorder *rec = r->kept;

        r->kept = NULL;
        return rec;
}

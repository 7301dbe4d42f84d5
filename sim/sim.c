/* SPDX-License-Identifier: MIT */
/* sim.c: the simulator's manager: event loop, line, board, control, log. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "mem.h"
#include "sim.h"
#include "sim-cmd.h"
#include "sim-control.h"
#include "sim-pty.h"

uint64_t sim_now(struct sim *sim)
{
        uint64_t now = 0;

        sd_event_now(sim->event, CLOCK_MONOTONIC, &now);
        return now;
}

uint64_t sim_realtime(struct sim *sim, uint64_t mono_us)
{
        uint64_t real = 0, mono = 0;

        sd_event_now(sim->event, CLOCK_REALTIME, &real);
        sd_event_now(sim->event, CLOCK_MONOTONIC, &mono);
        return real - mono + mono_us;
}

int sim_send(struct sim *sim, const char *kind, const uint8_t *bytes, size_t n)
{
        int r = sim_pty_write(sim->pty, bytes, n);

        if (r == -ENOBUFS)
                sim_log_line(&sim->log, sim_now(sim), "note",
                             "output queue full: %zu bytes dropped", n);
        else if (r == 0)
                sim_log_bytes(&sim->log, sim_now(sim), kind, bytes, n);
        return r;
}

void sim_sync_deadline(struct sim *sim)
{
        uint64_t t = sim->board.deadline_us;

        if (t == SIM_NEVER) {
                sd_event_source_set_enabled(sim->complete, SD_EVENT_OFF);
                return;
        }
        sd_event_source_set_time(sim->complete, t);
        sd_event_source_set_enabled(sim->complete, SD_EVENT_ONESHOT);
}

int sim_act(struct sim *sim, const struct sim_reply *r, uint64_t t_us)
{
        int ret = 0;

        if (r->action == SIM_SEND)
                ret = sim_send(sim, "tx", r->frame, (size_t)r->size);
        else if (r->action == SIM_NOT_DOWNLOADED)
                sim_log_line(&sim->log, t_us, "note", "group %u not downloaded", r->group);
        sim_sync_deadline(sim);
        return ret;
}

/* xorshift64*: plenty for line noise. */
static uint8_t sim_random_byte(struct sim *sim)
{
        uint8_t b;

        do {
                sim->rng ^= sim->rng >> 12;
                sim->rng ^= sim->rng << 25;
                sim->rng ^= sim->rng >> 27;
                b = (uint8_t)((sim->rng * 0x2545F4914F6CDD1Dull) >> 56);
        } while (b == LSC_FRAME_HEADER);
        return b;
}

int sim_garbage(struct sim *sim, size_t n)
{
        uint8_t buf[SIM_GARBAGE_MAX];

        if (n == 0 || n > sizeof(buf))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                buf[i] = sim_random_byte(sim);
        return sim_send(sim, "tx-garbage", buf, n);
}

/* Log the bytes the decoder discarded since the last report. */
static void sim_log_discards(struct sim *sim, uint64_t t_us)
{
        if (sim->decoder.discarded == sim->discarded)
                return;
        sim_log_line(&sim->log, t_us, "discard", "%llu",
                     (unsigned long long)(sim->decoder.discarded - sim->discarded));
        sim->discarded = sim->decoder.discarded;
}

static void sim_receive(struct sim *sim, const struct lsc_frame *f, uint64_t t_us)
{
        uint8_t bytes[LSC_FRAME_MAX_SIZE];
        int n = lsc_frame_write(bytes, sizeof(bytes), f);
        struct sim_reply r;

        sim_board_receive(&sim->board, f, t_us, &r);
        sim_log_bytes(&sim->log, t_us, r.action == SIM_BEEP ? "beep" : "rx", bytes,
                      n > 0 ? (size_t)n : 0);
        sim_act(sim, &r, t_us);
}

/* Frames are handled as they complete; discarded bytes are reported before
 * the next frame or when the line goes quiet, so garbage makes few lines. */
static void sim_on_input(void *userdata, const uint8_t *buf, size_t n,
                         const uint64_t *arrival_us, bool idle)
{
        struct sim *sim = userdata;
        const uint8_t *p = buf;
        size_t left = n;
        struct lsc_frame f;

        while (lsc_decoder_next(&sim->decoder, &p, &left, &f) > 0) {
                uint64_t t = arrival_us[p - buf - 1];

                sim_log_discards(sim, t);
                sim_receive(sim, &f, t);
        }
        if (n > 0)
                sim->last_arrival = arrival_us[n - 1];
        if (idle)
                sim_log_discards(sim, sim->last_arrival);
}

int sim_unplug(struct sim *sim)
{
        int r = sim_pty_unplug(sim->pty);

        if (r < 0)
                return r;
        sim_board_power_cycle(&sim->board);
        sim_sync_deadline(sim);
        /* A frame cut off by the unplug is discarded, and logged so. */
        lsc_decoder_reset(&sim->decoder);
        sim_log_discards(sim, sim_now(sim));
        sim_log_line(&sim->log, sim_now(sim), "unplug", "%s", "");
        return 0;
}

int sim_replug(struct sim *sim)
{
        int r = sim_pty_plug(sim->pty);

        if (r < 0)
                return r;
        sim_log_line(&sim->log, sim_now(sim), "replug", "%s", sim_pty_name(sim->pty));
        return 0;
}

void sim_quit(struct sim *sim)
{
        sd_event_exit(sim->event, 0);
}

static int sim_on_complete(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct sim *sim = userdata;
        struct sim_reply r;

        sim_board_expire(&sim->board, sim_now(sim), &r);
        sim_act(sim, &r, sim_now(sim));
        return 0;
}

static int sim_on_garbage(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct sim *sim = userdata;

        if (sim_pty_plugged(sim->pty))
                sim_garbage(sim, sim->garbage_bytes);
        sd_event_source_set_time(s, usec + sim->garbage_us);
        return 0;
}

static void sim_on_line(void *userdata, char *line, char *reply, size_t size)
{
        sim_cmd_execute(userdata, line, reply, size);
}

static int sim_add_sources(struct sim *sim)
{
        int r;

        r = sd_event_add_time(sim->event, &sim->complete, CLOCK_MONOTONIC, 0, 1000,
                              sim_on_complete, sim);
        if (r >= 0)
                r = sd_event_source_set_enabled(sim->complete, SD_EVENT_OFF);
        if (r >= 0 && sim->garbage_us > 0)
                r = sd_event_add_time_relative(sim->event, &sim->garbage, CLOCK_MONOTONIC,
                                               sim->garbage_us, 1000, sim_on_garbage, sim);
        if (r >= 0 && sim->garbage)
                r = sd_event_source_set_enabled(sim->garbage, SD_EVENT_ON);
        if (r >= 0)
                r = sd_event_add_signal(sim->event, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_signal(sim->event, NULL, SIGINT, NULL, NULL);
        return r < 0 ? r : 0;
}

/* Errors are reported here, once, with what failed. */
int sim_new(struct sim **ret, const struct sim_config *c)
{
        struct sim *sim = mem_new0(struct sim);
        int r;

        sim->board = c->board;
        sim->garbage_bytes = c->garbage_bytes;
        sim->garbage_us = (uint64_t)c->garbage_ms * 1000;
        lsc_decoder_init(&sim->decoder);
        if (getrandom(&sim->rng, sizeof(sim->rng), 0) != sizeof(sim->rng) || sim->rng == 0)
                sim->rng = 0x9E3779B97F4A7C15ull;
        r = sim_log_open(&sim->log, c->log_path, c->verbose);
        if (r < 0)
                fprintf(stderr, "lsc-sim: cannot open log %s: %s\n", c->log_path, strerror(-r));
        if (r >= 0) {
                r = sd_event_new(&sim->event);
                if (r >= 0)
                        r = sim_add_sources(sim);
                if (r < 0)
                        fprintf(stderr, "lsc-sim: event loop: %s\n", strerror(-r));
        }
        if (r >= 0) {
                r = sim_pty_new(&sim->pty, sim->event, c->link, c->baud, sim_on_input, sim);
                if (r >= 0)
                        r = sim_pty_plug(sim->pty);
                if (r == -EEXIST)
                        fprintf(stderr, "lsc-sim: %s exists and is not a symlink: not replacing it\n",
                                c->link);
                else if (r < 0)
                        fprintf(stderr, "lsc-sim: cannot publish a pty at %s: %s\n", c->link,
                                strerror(-r));
        }
        if (r >= 0 && c->control_path) {
                r = sim_control_new(&sim->control, sim->event, c->control_path, sim_on_line, sim);
                if (r < 0)
                        fprintf(stderr, "lsc-sim: cannot listen on %s: %s\n", c->control_path,
                                strerror(-r));
        }
        if (r < 0) {
                sim_free(sim);
                return r;
        }
        *ret = sim;
        return 0;
}

struct sim *sim_free(struct sim *sim)
{
        if (!sim)
                return NULL;
        sim->control = sim_control_free(sim->control);
        sim->pty = sim_pty_free(sim->pty);
        sd_event_source_disable_unref(sim->complete);
        sd_event_source_disable_unref(sim->garbage);
        sd_event_unref(sim->event);
        sim_log_close(&sim->log);
        free(sim);
        return NULL;
}

int sim_run(struct sim *sim)
{
        sim_log_line(&sim->log, sim_now(sim), "plug", "%s", sim_pty_name(sim->pty));
        printf("lsc-sim: %s -> %s\n", sim_pty_link(sim->pty), sim_pty_name(sim->pty));
        fflush(stdout);
        return sd_event_loop(sim->event);
}

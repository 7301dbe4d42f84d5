/* SPDX-License-Identifier: MIT */
/*
 * wire.h: the transmit side of the serial line. Frames wait in lscd's own
 * queues, where they can still be reordered, dropped or superseded, and are
 * handed to the kernel paced to the baud rate so that its transmit buffer
 * holds at most about one frame. Ordering: the priority lane (STOP, battery
 * query) first, then clients (and lscd's position queries) round-robin,
 * each client's frames in order.
 *
 * Every submitted frame gets exactly one completion call: WIRE_WRITTEN once
 * write(2) accepted all of it, or the reason it never will be.
 */
#ifndef LSCD_WIRE_H
#define LSCD_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "serial.h"

struct wire;

enum wire_result {
        WIRE_WRITTEN = 0,
        WIRE_HALTED,        /* dropped by wire_halt() */
        WIRE_SUPERSEDED,    /* replaced by a later move of the same owner */
        WIRE_DEVICE_LOST,   /* the port went away (wire_detach) */
        WIRE_SHUTDOWN,      /* wire_shutdown() or wire_free() with frames still queued */
        WIRE_DROPPED,       /* wire_drop() of its owner's frames: its claim ended, or
                               it went away with on_disconnect "drop" */
        WIRE_CLAIMED,       /* wire_drop() of others' frames: another client claimed
                               what it moves */
        WIRE_BOARD_CHANGED, /* wire_drop() of frames planned for the board a reload
                               replaced (positions in its units, its commands) */
};

enum wire_lane {
        WIRE_LANE_NORMAL = 0, /* round-robin between owners */
        WIRE_LANE_PRIORITY,   /* before every other frame, FIFO: STOP, battery */
        WIRE_LANE_RESTORE,    /* after the priority lane, before every normal
                                 frame, FIFO: state lscd re-applies */
};

enum wire_flags {
        WIRE_HALTABLE = 1 << 0, /* dropped by wire_halt() (moves, group runs) */
        WIRE_REPLACE  = 1 << 1, /* supersede this owner's queued moves whose
                                   servo_mask is a subset of this one's */
        WIRE_GROUP    = 1 << 2, /* runs or speeds an action group */
};

/* Called with the request's userdata first. May be called synchronously from
 * wire_halt(), wire_detach() and wire_free(), and from wire_submit() for
 * frames superseded by it, never for the frame being submitted; otherwise
 * from the event loop. The callee must not call wire_free(). */
typedef void (*wire_done_fn)(void *userdata, enum wire_result result);

/* Called once when a write fails with anything but EAGAIN (device lost). */
typedef void (*wire_error_fn)(void *userdata, int error);

struct wire_request {
        const uint8_t *frame;  /* copied by wire_submit() */
        size_t size;
        const void *owner;     /* fairness key: the client; NULL for lscd */
        enum wire_lane lane;
        unsigned flags;        /* enum wire_flags */
        uint64_t servo_mask;   /* bit N = servo id N, for WIRE_REPLACE */
        wire_done_fn done;
        void *userdata;
};

struct wire_stats {
        uint64_t frames;       /* frames written */
        uint64_t bytes;        /* bytes written */
        uint64_t halted, superseded;
};

int wire_new(struct wire **ret, sd_event *event, wire_error_fn on_error, void *userdata);
/* Answers every queued frame WIRE_SHUTDOWN; wire_submit() from those
 * completions returns -ENOTCONN. */
struct wire *wire_free(struct wire *w);

/* Start writing to PORT (not owned); the line is assumed idle. */
void wire_attach(struct wire *w, struct serial *port);
/* Stop writing; every queued frame is answered WIRE_DEVICE_LOST. */
/* Shorten the lead to what a real-time lscd's wake-ups need (top of
 * wire.c); the default is a normal-priority lscd's. */
void wire_set_realtime(struct wire *w, bool realtime);
void wire_detach(struct wire *w);
/* lscd is stopping: stop writing, answer every queued frame WIRE_SHUTDOWN
 * and refuse every later one (-ESHUTDOWN), while the loop still runs. */
void wire_shutdown(struct wire *w);
/* Attached to a port and not shut down. */
bool wire_attached(const struct wire *w);
/* What a result means, for an error message. */
const char *wire_result_string(enum wire_result result);

/* Queue a frame, and write it before returning when the line takes it now
 * (its answer still comes from the loop). Returns 0, -ESHUTDOWN after wire_shutdown(), -ENOTCONN when detached, -ENOBUFS when the
 * owner already has WIRE_OWNER_MAX frames queued, -EINVAL on a bad size. */
#define WIRE_OWNER_MAX 4096
int wire_submit(struct wire *w, const struct wire_request *req);

/* Drop every queued WIRE_HALTABLE frame of every owner (answered
 * WIRE_HALTED). Returns how many were dropped. */
size_t wire_halt(struct wire *w);

/* Drop the normal-lane frames MATCH selects (txqueue.h), answering them
 * RESULT (WIRE_DROPPED or WIRE_CLAIMED). Returns how many. */
struct txqueue_match;
size_t wire_drop(struct wire *w, const struct txqueue_match *match, enum wire_result result);

/* Drop the queued frames (restore and normal lanes) whose completion has
 * USERDATA, answering them RESULT. Returns how many. */
size_t wire_cancel(struct wire *w, const void *userdata, enum wire_result result);

size_t wire_queued(const struct wire *w);
/* Frames OWNER has queued. */
size_t wire_owner_queued(const struct wire *w, const void *owner);
/* When the bytes written so far will have left the wire (CLOCK_MONOTONIC
 * usec): in a WIRE_WRITTEN completion, the moment that frame's last byte
 * leaves it. */
uint64_t wire_sent_at(const struct wire *w);
const struct wire_stats *wire_stats(const struct wire *w);

#endif

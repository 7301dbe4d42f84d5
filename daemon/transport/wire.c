/* SPDX-License-Identifier: MIT */
/*
 * wire.c: frames onto the serial line, paced to the baud rate.
 *
 * How we know the wire is free. A byte takes 10 bit times on an 8N1 line
 * (start, 8 data, stop): 10/baud s, 1042 us at 9600 baud. lscd knows every
 * byte it wrote, so it keeps busy_until, the monotonic time at which all of
 * them will have left the wire: a write of N bytes at time now sets
 * busy_until = max(now, busy_until) + N * 10 / baud. Where the driver
 * reports its transmit buffer (TIOCOUTQ: serial_outq()), busy_until is
 * raised to now + outq * 10 / baud when that is later, so a line slower
 * than its nominal rate (a bridge clocking differently, a stalled FIFO)
 * only delays us, never lets the kernel buffer grow. Pseudo-terminals
 * report 0 always, so for the simulator time alone decides; the simulator
 * reads paced to the baud rate, so its log and our clock agree.
 *
 * Neither measure sees the bytes a USB-serial bridge (CH340, CP210x) or a
 * UART's hardware FIFO already took from the driver: TIOCOUTQ drops to 0
 * while up to a FIFO's worth is still being shifted out. The computed time
 * covers them as long as the line runs at its nominal rate.
 *
 * When to write the next frame: once the time left on the wire is at most
 * the lead, the wake-up latency it absorbs: 1 ms for lscd at normal
 * priority, 250 us for a real-time lscd (realtime.c). Written any later,
 * the line would idle for the wake-up latency between frames; any earlier,
 * more would wait in the kernel ahead of a STOP. On 2 cores with a load
 * average of 5, 91% of a normal-priority timer's wake-ups came within 1 ms
 * of their time; a real-time one comes within tens of microseconds.
 *
 * A frame the line takes at once (it is idle, or within the lead) is
 * written by wire_submit() itself, in the loop iteration that read its
 * request; only its answer waits for the loop (a defer source), so no
 * caller sees its frame's completion from inside its own submit (those of
the queued frames it supersedes are answered there, as wire.h says). The one
 * CLOCK_MONOTONIC timer (accuracy 1 us) serves the rest: armed for
 * busy_until - lead while frames wait, one frame time later after EAGAIN,
 * off when nothing is queued. Its time depends on the line alone, never
 * on the frame, so a STOP never waits for a timer a normal frame armed.
 *
 * The bound. A STOP requested at time t waits for what was written before
 * t: at most the lead's worth of one frame (the next was written only
 * then) and one whole frame written just before t. Its last byte leaves at
 * most lead + frame + STOP after lscd read the request: at 9600 baud with
 * one-servo moves (10.42 ms) and the STOP (4.17 ms), 15.6 ms at normal
 * priority and 14.8 ms real-time. This holds while lscd wakes within the
 * lead; a wake-up later than that, and the time lscd takes to read the
 * request, add to it one for one. Both are where a busy machine hurts a
 * normal-priority lscd, and what real-time scheduling removes
 * (bench/README.md, "STOP"). Two moves can end after the request: the one
 * finishing and the one written in the lead. A longer frame in flight (a
 * move of many servos) adds its own time: the wire cannot be interrupted
 * inside a frame without the board misreading the STOP as its rest.
 *
 * The manager owns the port's io source (reading); wire.c adds none.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "lsc/frame.h"
#include "mem.h"
#include "txqueue.h"
#include "wire.h"

/* The lead: how early the next frame is written, the wake-up latency it
 * absorbs (see the top of the file). */
#define WIRE_LEAD_USEC 1000ULL
#define WIRE_LEAD_REALTIME_USEC 250ULL
/* Recycled frame records kept for reuse. */
#define WIRE_SPARE_MAX 64

/* A queued frame. Invariant: item is linked in the queue, or in a list
 * being answered, or the frame is w->current, or on the spare list. */
struct wire_frame {
        struct txqueue_item item;
        wire_done_fn done;
        void *userdata;
        size_t size;
        uint8_t bytes[LSC_FRAME_MAX_SIZE];
};

#define WIRE_FRAME(i) ((struct wire_frame *)((char *)(i) - offsetof(struct wire_frame, item)))

/* Invariants: port is NULL while detached, and stays NULL once shut_down; failed is set after a write
 * error until the next wire_attach(), and nothing is written meanwhile;
 * current is a frame partly written (already popped from queue; it must
 * finish before any other); the timer is enabled only while attached, not
 * failed, and something is queued. */
struct wire {
        sd_event *event;
        sd_event_source *timer;
        struct serial *port;
        bool failed;
        bool shut_down;                 /* wire_shutdown(): refuses every frame */
        struct txqueue *queue;
        struct wire_frame *current;
        size_t current_off;
        uint64_t busy_until; /* CLOCK_MONOTONIC usec */
        uint64_t lead;       /* usec, see the top of the file */
        wire_error_fn on_error;
        void *userdata;
        struct wire_stats stats;
        sd_event_source *answer;         /* defer: answers the frames in written */
        struct txqueue_item *written;    /* written whole, not answered yet, FIFO */
        struct txqueue_item **written_tail;
        struct txqueue_item *spare; /* recycled frames, linked by next */
        size_t n_spare;
};

static void wire_detach_with(struct wire *w, enum wire_result result);

/* Time BYTES take on the wire at BAUD, rounded up. */
static uint64_t wire_usec(uint64_t bytes, unsigned baud)
{
        return (bytes * 10 * CLOCK_USEC_PER_SEC + baud - 1) / baud;
}

static struct wire_frame *wire_frame_get(struct wire *w)
{
        struct txqueue_item *item = w->spare;

        if (!item)
                return mem_new0(struct wire_frame);
        w->spare = item->next;
        w->n_spare--;
        return WIRE_FRAME(item);
}

static void wire_frame_put(struct wire *w, struct wire_frame *f)
{
        if (w->n_spare >= WIRE_SPARE_MAX) {
                free(f);
                return;
        }
        f->item.next = w->spare;
        w->spare = &f->item;
        w->n_spare++;
}

/* Recycle F and call its completion: the last use of F. */
static void wire_frame_done(struct wire *w, struct wire_frame *f, enum wire_result result)
{
        wire_done_fn done = f->done;
        void *userdata = f->userdata;

        wire_frame_put(w, f);
        if (done)
                done(userdata, result);
}

/* Answer every frame of LIST (unlinked from the queue) with RESULT. */
static void wire_answer(struct wire *w, struct txqueue_item *list, enum wire_result result)
{
        while (list) {
                struct txqueue_item *next = list->next;

                wire_frame_done(w, WIRE_FRAME(list), result);
                list = next;
        }
}

/* Answer the partly written frame and every queued one with RESULT. */
static void wire_answer_all(struct wire *w, enum wire_result result)
{
        struct wire_frame *current = w->current;

        w->current = NULL;
        if (current)
                wire_frame_done(w, current, result);
        wire_answer(w, txqueue_drain(w->queue), result);
}

static int wire_arm(struct wire *w, uint64_t usec)
{
        int r = sd_event_source_set_time(w->timer, usec);

        return r < 0 ? r : sd_event_source_set_enabled(w->timer, SD_EVENT_ONESHOT);
}

static void wire_fail(struct wire *w, int error)
{
        w->failed = true;
        sd_event_source_set_enabled(w->timer, SD_EVENT_OFF);
        if (w->on_error)
                w->on_error(w->userdata, error);
}

/* Time left on the wire at NOW, raising busy_until to what the driver
 * reports still waiting when that is more. */
static uint64_t wire_remaining(struct wire *w, uint64_t now)
{
        int outq = serial_outq(w->port);
        uint64_t drained = outq > 0 ? now + wire_usec((uint64_t)outq, serial_baud(w->port)) : 0;

        if (drained > w->busy_until)
                w->busy_until = drained;
        return w->busy_until > now ? w->busy_until - now : 0;
}

/* Write (the rest of) F. 0 when it was written whole, 1 when part of it
 * still waits (it is w->current then), or a negative errno. */
static int wire_write(struct wire *w, struct wire_frame *f, uint64_t now)
{
        size_t off = f == w->current ? w->current_off : 0;
        ssize_t n = serial_write(w->port, f->bytes + off, f->size - off);

        if (n <= 0)
                return n == 0 ? -EAGAIN : (int)n;
        if (f != w->current)
                txqueue_pop(w->queue);
        if (now < w->busy_until)
                now = w->busy_until;
        w->busy_until = now + wire_usec((uint64_t)n, serial_baud(w->port));
        w->stats.bytes += (uint64_t)n;
        if (off + (size_t)n < f->size) {
                w->current = f;
                w->current_off = off + (size_t)n;
                return 1;
        }
        w->current = NULL;
        w->stats.frames++;
        f->item.next = NULL;
        *w->written_tail = &f->item;
        w->written_tail = &f->item.next;
        return 0;
}

/* Answer the frames written so far, in order. A completion may submit, and
 * so write, more: those are answered too. */
static void wire_answer_written(struct wire *w)
{
        struct txqueue_item *item;

        while ((item = w->written)) {
                w->written = item->next;
                if (!w->written)
                        w->written_tail = &w->written;
                wire_frame_done(w, WIRE_FRAME(item), WIRE_WRITTEN);
        }
}

/* The next frame to write: the partly written one first. */
static struct wire_frame *wire_next(const struct wire *w)
{
        struct txqueue_item *item;

        if (w->current)
                return w->current;
        item = txqueue_peek(w->queue);
        return item ? WIRE_FRAME(item) : NULL;
}

/* Write what the line takes now, the partly written frame first; arm the
 * timer for when it takes the next. Answers nothing (wire_answer_written). */
static void wire_pump(struct wire *w)
{
        struct wire_frame *f;

        while (w->port && !w->failed && (f = wire_next(w))) {
                uint64_t now = clock_usec(CLOCK_MONOTONIC), remaining = wire_remaining(w, now);
                int r;

                if (remaining > w->lead)
                        r = wire_arm(w, now + remaining - w->lead);
                else if ((r = wire_write(w, f, now)) == -EAGAIN)
                        r = wire_arm(w, now + wire_usec(f->size, serial_baud(w->port)));
                else if (r >= 0)
                        continue;
                if (r < 0)
                        wire_fail(w, r);
                break;
        }
}

static int wire_on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct wire *w = userdata;

        wire_pump(w);
        wire_answer_written(w);
        return 0;
}

static int wire_on_answer(sd_event_source *s, void *userdata)
{
        struct wire *w = userdata;

        wire_answer_written(w);
        return 0;
}

/* Write now what the line takes; the answers follow from the loop, never
 * from inside the caller's wire_submit(). */
static void wire_push_out(struct wire *w)
{
        int r;

        wire_pump(w);
        if (!w->written)
                return;
        r = sd_event_source_set_enabled(w->answer, SD_EVENT_ONESHOT);
        if (r < 0)
                wire_fail(w, r);
}

int wire_new(struct wire **ret, sd_event *event, wire_error_fn on_error, void *userdata)
{
        struct wire *w = mem_new0(struct wire);
        int r;

        w->event = sd_event_ref(event);
        w->on_error = on_error;
        w->userdata = userdata;
        w->written_tail = &w->written;
        w->lead = WIRE_LEAD_USEC;
        r = txqueue_new(&w->queue, WIRE_OWNER_MAX);
        if (r >= 0)
                r = sd_event_add_time(event, &w->timer, CLOCK_MONOTONIC, 0, 1, wire_on_timer, w);
        if (r >= 0)
                r = sd_event_source_set_enabled(w->timer, SD_EVENT_OFF);
        /* Pacing is only as precise as the timer's dispatch. */
        if (r >= 0)
                r = sd_event_source_set_priority(w->timer, SD_EVENT_PRIORITY_IMPORTANT);
        if (r >= 0)
                r = sd_event_source_set_description(w->timer, "wire-pacing");
        if (r >= 0)
                r = sd_event_add_defer(event, &w->answer, wire_on_answer, w);
        if (r >= 0)
                r = sd_event_source_set_enabled(w->answer, SD_EVENT_OFF);
        if (r >= 0)
                r = sd_event_source_set_priority(w->answer, SD_EVENT_PRIORITY_IMPORTANT);
        if (r < 0) {
                wire_free(w);
                return r;
        }
        *ret = w;
        return 0;
}

struct wire *wire_free(struct wire *w)
{
        if (!w)
                return NULL;
        w->timer = sd_event_source_disable_unref(w->timer);
        w->answer = sd_event_source_disable_unref(w->answer);
        /* A completion below that submits is refused (-ENOTCONN). */
        w->port = NULL;
        wire_answer_written(w);
        if (w->queue)
                wire_answer_all(w, WIRE_SHUTDOWN);
        while (w->spare) {
                struct txqueue_item *next = w->spare->next;

                free(WIRE_FRAME(w->spare));
                w->spare = next;
        }
        txqueue_free(w->queue);
        sd_event_unref(w->event);
        free(w);
        return NULL;
}

void wire_attach(struct wire *w, struct serial *port)
{
        w->port = port;
        w->failed = false;
        w->busy_until = clock_usec(CLOCK_MONOTONIC);
        wire_push_out(w);
}

void wire_set_realtime(struct wire *w, bool realtime)
{
        w->lead = realtime ? WIRE_LEAD_REALTIME_USEC : WIRE_LEAD_USEC;
}

void wire_shutdown(struct wire *w)
{
        w->shut_down = true;
        wire_detach_with(w, WIRE_SHUTDOWN);
}

bool wire_attached(const struct wire *w)
{
        return w->port && !w->shut_down;
}

const char *wire_result_string(enum wire_result result)
{
        switch (result) {
        case WIRE_WRITTEN:
                return "written";
        case WIRE_HALTED:
                return "dropped from the queue by a halt";
        case WIRE_SUPERSEDED:
                return "replaced by a later move of the same servos";
        case WIRE_SHUTDOWN:
                return "lscd is shutting down";
        case WIRE_DROPPED:
                return "dropped before it was written: its client's claim ended, or the client "
                       "went away";
        case WIRE_CLAIMED:
                return "dropped before it was written: another client claimed what it moves";
        case WIRE_BOARD_CHANGED:
                return "dropped before it was written: a reload changed the board it was "
                       "planned for";
        case WIRE_DEVICE_LOST:
                break;
        }
        return "the device was lost before the frame was written";
}

void wire_detach(struct wire *w)
{
        wire_detach_with(w, WIRE_DEVICE_LOST);
}

static void wire_detach_with(struct wire *w, enum wire_result result)
{
        w->port = NULL;
        sd_event_source_set_enabled(w->timer, SD_EVENT_OFF);
        wire_answer_written(w);
        wire_answer_all(w, result);
}

int wire_submit(struct wire *w, const struct wire_request *req)
{
        struct txqueue_item *superseded;
        struct wire_frame *f;
        int r;

        if (!req->frame || req->size == 0 || req->size > LSC_FRAME_MAX_SIZE)
                return -EINVAL;
        if (w->shut_down)
                return -ESHUTDOWN;
        if (!w->port || w->failed)
                return -ENOTCONN;
        f = wire_frame_get(w);
        memcpy(f->bytes, req->frame, req->size);
        f->size = req->size;
        f->done = req->done;
        f->userdata = req->userdata;
        f->item = (struct txqueue_item){
                .priority = req->lane == WIRE_LANE_PRIORITY,
                .restore = req->lane == WIRE_LANE_RESTORE,
                .haltable = req->flags & WIRE_HALTABLE,
                .replace = req->flags & WIRE_REPLACE,
                .group = req->flags & WIRE_GROUP,
                .servo_mask = req->servo_mask,
        };
        r = txqueue_push(w->queue, &f->item, req->owner, &superseded);
        if (r < 0)
                wire_frame_put(w, f);
        for (struct txqueue_item *i = superseded; i; i = i->next)
                w->stats.superseded++;
        wire_answer(w, superseded, WIRE_SUPERSEDED);
        wire_push_out(w);
        return r;
}

size_t wire_halt(struct wire *w)
{
        size_t n;
        struct txqueue_item *list = txqueue_halt(w->queue, &n);

        w->stats.halted += n;
        wire_answer(w, list, WIRE_HALTED);
        return n;
}

size_t wire_drop(struct wire *w, const struct txqueue_match *match, enum wire_result result)
{
        size_t n;
        struct txqueue_item *list = txqueue_drop(w->queue, match, &n);

        wire_answer(w, list, result);
        return n;
}

static bool wire_cancel_select(const struct txqueue_item *item, const void *userdata)
{
        return WIRE_FRAME(item)->userdata == userdata;
}

size_t wire_cancel(struct wire *w, const void *userdata, enum wire_result result)
{
        const struct txqueue_match match = { .select = wire_cancel_select, .arg = userdata };

        return wire_drop(w, &match, result);
}

size_t wire_owner_queued(const struct wire *w, const void *owner)
{
        return txqueue_owner_len(w->queue, owner);
}

size_t wire_queued(const struct wire *w)
{
        return txqueue_len(w->queue) + (w->current ? 1 : 0);
}

uint64_t wire_sent_at(const struct wire *w)
{
        return w->busy_until;
}

const struct wire_stats *wire_stats(const struct wire *w)
{
        return &w->stats;
}

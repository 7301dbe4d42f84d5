/* SPDX-License-Identifier: MIT */
/* saver.c: a file replaced whole, off the loop (saver.h says why). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "mem.h"
#include "replace.h"
#include "saver.h"

/* replace_file() needs little; a small stack stays small under mlockall(). */
#define SAVER_STACK_SIZE (64 * 1024)

/*
 * Invariants: mutex guards data, busy, result and quit; cond is signalled
 * whenever one of them changes. data is the newest put and not yet taken
 * by the thread (NULL: none); busy while the thread writes what it took; result is the last finished write's. The thread runs from
 * saver_new() to saver_free() (quit), which it leaves only with data NULL.
 * Each finished write adds 1 to efd, which io watches in the loop.
 */
struct saver {
        char *path;
        saver_format_fn format;
        saver_done_fn done;
        void *userdata;
        int efd;
        sd_event_source *io;
        pthread_t thread;
        bool started;

        pthread_mutex_t mutex;
        pthread_cond_t cond;
        void *data;
        bool busy, quit;
        int result;
};

/* Take the next data to write (NULL once quit and none is left); called
 * with the mutex held. */
static void *saver_take(struct saver *s)
{
        void *data;

        while (!s->data && !s->quit)
                pthread_cond_wait(&s->cond, &s->mutex);
        data = s->data;
        s->data = NULL;
        s->busy = data != NULL;
        return data;
}

static void *saver_thread(void *userdata)
{
        struct saver *s = userdata;
        uint64_t one = 1;
        void *data;
        char *text;
        int r;

        pthread_mutex_lock(&s->mutex);
        while ((data = saver_take(s))) {
                pthread_mutex_unlock(&s->mutex);
                text = s->format(data);
                free(data);
                r = replace_file(s->path, text, strlen(text));
                free(text);
                pthread_mutex_lock(&s->mutex);
                s->busy = false;
                s->result = r;
                pthread_cond_broadcast(&s->cond);
                /* Fails only when the counter is full: it is non-zero then. */
                (void) !write(s->efd, &one, sizeof(one));
        }
        pthread_mutex_unlock(&s->mutex);
        return NULL;
}

static int saver_on_written(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
        struct saver *s = userdata;
        uint64_t n;
        int r;

        if (read(fd, &n, sizeof(n)) < 0)
                return 0;
        pthread_mutex_lock(&s->mutex);
        r = s->result;
        pthread_mutex_unlock(&s->mutex);
        s->done(s->userdata, r);
        return 0;
}

/* The thread takes no signal: the loop takes them through signalfd, which
 * needs them blocked everywhere. It runs at normal priority: lscd's
 * real-time policy is SCHED_RESET_ON_FORK (realtime.c), which a new thread
 * does not inherit either (an explicit policy would need
 * sched_setscheduler(), which the units' system call filter denies). */
static int saver_start(struct saver *s)
{
        sigset_t all, old;
        pthread_attr_t attr;
        int r;

        pthread_attr_init(&attr);
        pthread_attr_setstacksize(&attr, SAVER_STACK_SIZE);
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        r = pthread_create(&s->thread, &attr, saver_thread, s);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        pthread_attr_destroy(&attr);
        s->started = r == 0;
        return -r;
}

int saver_new(struct saver **ret, sd_event *event, const char *path, saver_format_fn format,
              saver_done_fn done, void *userdata)
{
        struct saver *s = mem_new0(struct saver);
        int r;

        *s = (struct saver) { .path = mem_strdup(path), .format = format, .done = done,
                              .userdata = userdata };
        pthread_mutex_init(&s->mutex, NULL);
        pthread_cond_init(&s->cond, NULL);
        s->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        r = s->efd < 0 ? -errno : sd_event_add_io(event, &s->io, s->efd, EPOLLIN,
                                                   saver_on_written, s);
        if (r >= 0)
                r = saver_start(s);
        if (r < 0) {
                saver_free(s);
                return r;
        }
        *ret = s;
        return 0;
}

struct saver *saver_free(struct saver *s)
{
        if (!s)
                return NULL;
        if (s->started) {
                pthread_mutex_lock(&s->mutex);
                s->quit = true;
                pthread_cond_broadcast(&s->cond);
                pthread_mutex_unlock(&s->mutex);
                pthread_join(s->thread, NULL);
        }
        sd_event_source_disable_unref(s->io);
        if (s->efd >= 0)
                close(s->efd);
        pthread_cond_destroy(&s->cond);
        pthread_mutex_destroy(&s->mutex);
        free(s->data);
        free(s->path);
        free(s);
        return NULL;
}

void saver_put(struct saver *s, void *data)
{
        pthread_mutex_lock(&s->mutex);
        free(s->data);
        s->data = data;
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->mutex);
}

int saver_flush(struct saver *s)
{
        int r;

        pthread_mutex_lock(&s->mutex);
        while (s->data || s->busy)
                pthread_cond_wait(&s->cond, &s->mutex);
        r = s->result;
        pthread_mutex_unlock(&s->mutex);
        return r;
}

/* SPDX-License-Identifier: MIT */
/*
 * timerfloor.c: the machine's own floor under bench/'s sequence timing
 * figure (not installed). A loop that does nothing but wake up on time,
 * the way a cyclictest measures a machine: clock_nanosleep(CLOCK_MONOTONIC,
 * TIMER_ABSTIME) to each step's time, then read the clock. No socket, no
 * wire: what is left is the kernel's wake-up latency, which no player of
 * timed motion on this machine can beat.
 *
 *   timerfloor STEP_US COUNT [PRIORITY]
 *       With PRIORITY, run SCHED_FIFO at that priority with memory locked
 *       (as lscd --realtime does); exit 1 if that is refused. Print each
 *       wake-up's lateness in microseconds, one per line.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#define TIMERFLOOR_NSEC 1000000000LL

static long long timerfloor_number(const char *arg, long long min, long long max)
{
        char *end;
        long long v;

        errno = 0;
        v = strtoll(arg, &end, 10);
        if (errno || end == arg || *end || v < min || v > max) {
                fprintf(stderr, "timerfloor: \"%s\" is not a number from %lld to %lld\n", arg,
                        min, max);
                exit(1);
        }
        return v;
}

static long long timerfloor_now(void)
{
        struct timespec t;

        clock_gettime(CLOCK_MONOTONIC, &t);
        return t.tv_sec * TIMERFLOOR_NSEC + t.tv_nsec;
}

static void timerfloor_realtime(int priority)
{
        struct sched_param p = { .sched_priority = priority };

        if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &p) < 0 ||
            mlockall(MCL_CURRENT | MCL_FUTURE) < 0) {
                fprintf(stderr, "timerfloor: real-time priority %d: %s\n", priority,
                        strerror(errno));
                exit(1);
        }
}

int main(int argc, char **argv)
{
        long long step, count, due;

        if (argc != 3 && argc != 4) {
                fprintf(stderr, "usage: timerfloor STEP_US COUNT [PRIORITY]\n");
                return 1;
        }
        step = timerfloor_number(argv[1], 1, 10 * 1000 * 1000) * 1000;
        count = timerfloor_number(argv[2], 1, 1000000);
        if (argc == 4)
                timerfloor_realtime((int)timerfloor_number(argv[3], 1, 99));
        due = timerfloor_now() + step;
        for (long long i = 0; i < count; i++, due += step) {
                struct timespec t = { .tv_sec = due / TIMERFLOOR_NSEC,
                                      .tv_nsec = due % TIMERFLOOR_NSEC };

                while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
                        ;
                printf("%lld\n", (timerfloor_now() - due) / 1000);
        }
        return 0;
}

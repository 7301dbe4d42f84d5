/* SPDX-License-Identifier: MIT */
/*
 * seqpeer.c: the C peer of bench/'s sequence timing figure (not installed).
 * It plays timed motion the best way a client of lscd can without lscd's
 * sequences: liblsc, and clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)
 * to each step's time counted from the start, so that a late step never
 * delays the next.
 *
 *   seqpeer SOCKET STEP_MS SERVO POSITION...
 *       Connect to lscd at SOCKET and print "ready"; read START_NS
 *       (CLOCK_MONOTONIC, ns) from a line of stdin; at START_NS + i *
 *       STEP_MS send move i: SERVO to POSITION i in STEP_MS, and wait for
 *       its answer (once written). Exit 0 when every move was answered ok;
 *       otherwise say why on stderr and exit 1. Starting the process and
 *       connecting are done before the start is chosen.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lsc/client.h>

#define SEQPEER_NSEC 1000000000ULL

/* ARG as an unsigned number within MIN..MAX, or exit. */
static unsigned long long seqpeer_number(const char *arg, unsigned long long min,
                                         unsigned long long max)
{
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(arg, &end, 10);
        if (errno || end == arg || *end || v < min || v > max) {
                fprintf(stderr, "seqpeer: \"%s\" is not a number from %llu to %llu\n", arg, min,
                        max);
                exit(1);
        }
        return v;
}

static int seqpeer_fail(struct lsc_client *c, const char *what, int r)
{
        fprintf(stderr, "seqpeer: %s: %s%s%s\n", what, strerror(-r), r == -EREMOTEIO ? ": " : "",
                r == -EREMOTEIO ? lsc_client_error_message(c) : "");
        lsc_client_free(c);
        return 1;
}

int main(int argc, char **argv)
{
        struct lsc_client *c = NULL;
        uint64_t start, step_ns;
        unsigned step_ms;
        char line[32];
        int servo, r;

        if (argc < 5) {
                fprintf(stderr, "usage: seqpeer SOCKET STEP_MS SERVO POSITION...\n");
                return 1;
        }
        step_ms = (unsigned) seqpeer_number(argv[2], 0, LSC_TIME_MAX);
        step_ns = step_ms * 1000000ULL;
        servo = (int) seqpeer_number(argv[3], LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX);
        r = lsc_client_connect(argv[1], &c);
        if (r < 0)
                return seqpeer_fail(c, "connect", r);
        /* Read the hello before the first step's time. */
        r = lsc_client_ping(c);
        if (r < 0)
                return seqpeer_fail(c, "ping", r);
        printf("ready\n");
        fflush(stdout);
        if (!fgets(line, sizeof(line), stdin))
                return seqpeer_fail(c, "no start on stdin", -EINVAL);
        line[strcspn(line, "\n")] = '\0';
        start = seqpeer_number(line, 0, UINT64_MAX / 2);
        for (int i = 4; i < argc; i++) {
                uint64_t at = start + (uint64_t) (i - 4) * step_ns;
                struct timespec ts = { .tv_sec = (time_t) (at / SEQPEER_NSEC),
                                       .tv_nsec = (long) (at % SEQPEER_NSEC) };
                struct lsc_servo s = {
                        .id = servo,
                        .position = (int) seqpeer_number(argv[i], LSC_POSITION_MIN, LSC_POSITION_MAX),
                };

                while ((r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL)) == EINTR)
                        ;
                if (r != 0)
                        return seqpeer_fail(c, "clock_nanosleep", -r);
                r = lsc_client_move(c, &s, 1, step_ms, false);
                if (r < 0)
                        return seqpeer_fail(c, "move", r);
        }
        lsc_client_free(c);
        return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * realtime.c: a STOP's latency is bounded by lscd waking on time (the top
 * of transport/wire.c). A real-time lscd preempts every normal task the
 * moment its timer or a client's request is due, and its memory is locked
 * so that no page fault (a page of code not touched since start, swapped
 * out on a small board) delays it. SCHED_RESET_ON_FORK: nothing lscd might
 * start inherits the policy.
 */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>

#include "log.h"
#include "realtime.h"

int realtime_request(int priority)
{
        struct sched_param p = { .sched_priority = priority };

        if (priority == 0)
                return 0;
        if (sched_setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &p) == 0)
                return 0;
        return log_warning_errno(errno, "--realtime %d refused, running at normal priority: "
                                 "SCHED_FIFO needs CAP_SYS_NICE or a real-time priority limit "
                                 "(RLIMIT_RTPRIO, LimitRTPRIO=) of at least %d, and no "
                                 "RestrictRealtime=yes", priority, priority);
}

struct realtime realtime_settle(void)
{
        struct realtime rt = { 0 };
        struct sched_param p;
        int policy = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;

        if ((policy != SCHED_FIFO && policy != SCHED_RR) || sched_getparam(0, &p) < 0)
                return rt;
        rt.priority = p.sched_priority;
        rt.memory_locked = mlockall(MCL_CURRENT | MCL_FUTURE) == 0;
        if (!rt.memory_locked)
                log_warning_errno(errno, "Real-time (%s %d), but its memory is not locked "
                                  "(raise RLIMIT_MEMLOCK, LimitMEMLOCK=)",
                                  policy == SCHED_FIFO ? "SCHED_FIFO" : "SCHED_RR", rt.priority);
        else
                log_info("Real-time: %s %d, memory locked",
                         policy == SCHED_FIFO ? "SCHED_FIFO" : "SCHED_RR", rt.priority);
        return rt;
}

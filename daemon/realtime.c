/* SPDX-License-Identifier: MIT */
/*
 * realtime.c: a STOP's latency is bounded by lscd waking on time (the top
 * of transport/wire.c). A real-time lscd preempts every normal task the
 * moment its timer or a client's request is due, and its memory is locked
 * so that no page fault (a page of code not touched since start, swapped
 * out on a small board) delays it. SCHED_RESET_ON_FORK: nothing lscd might
 * start inherits the policy.
 *
 * Locking future memory too (MCL_FUTURE) is only safe without a limit: once
 * RLIMIT_MEMLOCK is reached, every allocation fails and lscd would abort.
 * So under a finite limit and without CAP_IPC_LOCK, lscd locks what is
 * mapped at start (its code, libraries and heap so far) and no more.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

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

/* Whether the memory lock is unbounded: no RLIMIT_MEMLOCK, or CAP_IPC_LOCK. */
static bool realtime_lock_unbounded(void)
{
        struct __user_cap_header_struct head = { .version = _LINUX_CAPABILITY_VERSION_3 };
        struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3] = { { 0 } };
        struct rlimit lim;

        if (getrlimit(RLIMIT_MEMLOCK, &lim) == 0 && lim.rlim_cur == RLIM_INFINITY)
                return true;
        return syscall(SYS_capget, &head, caps) == 0 &&
               (caps[CAP_IPC_LOCK / 32].effective & (1U << (CAP_IPC_LOCK % 32)));
}

static enum realtime_lock realtime_lock_memory(void)
{
        if (realtime_lock_unbounded())
                return mlockall(MCL_CURRENT | MCL_FUTURE) == 0 ? REALTIME_LOCK_ALL
                                                                : REALTIME_LOCK_NONE;
        return mlockall(MCL_CURRENT) == 0 ? REALTIME_LOCK_CURRENT : REALTIME_LOCK_NONE;
}

const char *realtime_lock_string(enum realtime_lock lock)
{
        switch (lock) {
        case REALTIME_LOCK_ALL:
                return "all";
        case REALTIME_LOCK_CURRENT:
                return "current";
        case REALTIME_LOCK_NONE:
                break;
        }
        return "none";
}

const char *realtime_policy_string(int policy)
{
        return policy == SCHED_RR ? "rr" : "fifo";
}

struct realtime realtime_settle(void)
{
        struct realtime rt = { 0 };
        struct sched_param p;
        int policy = sched_getscheduler(0) & ~SCHED_RESET_ON_FORK;

        if ((policy != SCHED_FIFO && policy != SCHED_RR) || sched_getparam(0, &p) < 0)
                return rt;
        rt.policy = policy;
        rt.priority = p.sched_priority;
        rt.lock = realtime_lock_memory();
        if (rt.lock == REALTIME_LOCK_NONE)
                log_warning_errno(errno, "Real-time (%s %d), but its memory is not locked "
                                  "(RLIMIT_MEMLOCK, LimitMEMLOCK=)",
                                  realtime_policy_string(policy), rt.priority);
        else if (rt.lock == REALTIME_LOCK_CURRENT)
                log_notice("Real-time: %s %d, memory locked as mapped now, not what it "
                           "allocates later (RLIMIT_MEMLOCK is finite: LimitMEMLOCK=infinity "
                           "locks that too)", realtime_policy_string(policy), rt.priority);
        else
                log_info("Real-time: %s %d, memory locked", realtime_policy_string(policy),
                         rt.priority);
        return rt;
}

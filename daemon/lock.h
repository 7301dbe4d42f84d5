/* SPDX-License-Identifier: MIT */
/*
 * lock.h: one lscd per device. A lock file per device name, held for as
 * long as lscd runs, whether the device is present or not (lock.c).
 */
#ifndef LSCD_LOCK_H
#define LSCD_LOCK_H

struct lock;

/* Lock DEVICE (a path, or "auto") in the directory DIR, which is created
 * if need be, and write our pid in the lock file. Returns 0, or a negative
 * errno once logged: -EBUSY when another process holds the lock (the
 * message names the pid it wrote). */
int lock_take(struct lock **ret, const char *dir, const char *device);

/* Remove the lock file, then release the lock. */
struct lock *lock_free(struct lock *l);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * saver.h: one file replaced whole (replace_file()) by a thread of its own,
 * so that the disk never holds up lscd's loop. Renaming over a file makes
 * ext4 write the new one's blocks at once (auto_da_alloc): in the loop, each
 * state save put lscd in uninterruptible sleep for about a millisecond on a
 * VM's disk, coalesced with a sequence's step timer (bench/README.md), and
 * an SD card can take far longer; a STOP read meanwhile waited for it.
 * Formatting the text is the thread's too: a real-time lscd holds its CPU
 * until it sleeps, and on a pseudo-terminal the kernel's worker that moves
 * a frame written just before to the other side waits for that CPU.
 */
#ifndef LSCD_SAVER_H
#define LSCD_SAVER_H

#include <systemd/sd-event.h>

struct saver;

/* The file's text (NUL-terminated, freed by the saver) of what was put:
 * called on the saver's thread, with nothing else of lscd's. */
typedef char *(*saver_format_fn)(const void *data);

/* Called in the loop after writes: the result of the last one (0 or a
 * negative errno); writes done back to back are reported once. */
typedef void (*saver_done_fn)(void *userdata, int result);

int saver_new(struct saver **ret, sd_event *event, const char *path, saver_format_fn format,
              saver_done_fn done, void *userdata);
/* Write everything put, then end the thread. Accepts NULL; returns NULL. */
struct saver *saver_free(struct saver *s);
/* Write DATA (taken, freed with free() once formatted; a copy of what the
 * loop owns, so that the thread shares nothing) soon; it replaces data put
 * before and not yet taken by the thread. */
void saver_put(struct saver *s, void *data);
/* Wait until everything put is written: the last write's result. */
int saver_flush(struct saver *s);

#endif

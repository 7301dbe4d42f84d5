/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json.h"
#include "mem.h"
#include "replace.h"
#include "state.h"

#define STATE_FILE_MAX 65536
#define STATE_TIME_MAX 1000000000000000000L     /* usec of CLOCK_REALTIME: year 33658 */

static uint64_t state_mono_to_real(const struct state_now *now, uint64_t mono)
{
        if (mono == 0)
                return 0;
        return mono >= now->mono ? now->real + (mono - now->mono)
                                 : now->real - (now->mono - mono);
}

static uint64_t state_real_to_mono(const struct state_now *now, uint64_t real)
{
        if (real == 0)
                return 0;
        if (real >= now->real)
                return now->mono + (real - now->real);
        return now->real - real < now->mono ? now->mono - (now->real - real) : 1;
}

static cJSON *state_speeds_json(const struct state_snapshot *snap)
{
        cJSON *speeds = cJSON_CreateObject();
        char key[8];

        if (snap->speed_all_set)
                cJSON_AddNumberToObject(speeds, "all", snap->speed_all);
        for (unsigned g = 0; g <= LSC_GROUP_MAX; g++)
                if (snap->speeds[g]) {
                        snprintf(key, sizeof(key), "%u", g);
                        cJSON_AddNumberToObject(speeds, key, snap->speeds[g]);
                }
        return speeds;
}

void state_take(const struct board_state *b, const struct servos *s, const struct state_now *now,
                struct state_save *save)
{
        struct state_snapshot *snap = &save->snap;

        assert(b->profile);
        *save = (struct state_save) { .board = b->profile->name, .now = *now };
        snap->speed_all_set = b->speed_all_set;
        snap->speed_all = b->speed_all;
        memcpy(snap->speeds, b->speeds, sizeof(snap->speeds));
        snap->running = b->running;
        snap->from_lscd = b->from_lscd;
        snap->group = b->group;
        snap->runs = b->runs;
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++) {
                snap->known[id] = s->servo[id].known;
                snap->target[id] = s->servo[id].target;
                snap->until[id] = s->servo[id].until;
        }
}

cJSON *state_to_json(const struct state_save *save, const char *boot_id)
{
        const struct state_snapshot *snap = &save->snap;
        cJSON *j = cJSON_CreateObject(), *servos = cJSON_CreateObject(), *group;
        char key[8];

        cJSON_AddNumberToObject(j, "version", STATE_VERSION);
        cJSON_AddStringToObject(j, "boot_id", boot_id);
        cJSON_AddStringToObject(j, "board", save->board);
        cJSON_AddNumberToObject(j, "saved", (double) save->now.real);
        cJSON_AddItemToObject(j, "speeds", state_speeds_json(snap));
        group = snap->running ? cJSON_AddObjectToObject(j, "group")
                              : cJSON_AddNullToObject(j, "group");
        if (snap->running) {
                cJSON_AddNumberToObject(group, "group", snap->group);
                cJSON_AddNumberToObject(group, "runs", snap->runs);
                cJSON_AddBoolToObject(group, "from_lscd", snap->from_lscd);
        }
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++) {
                cJSON *o;

                if (!snap->known[id])
                        continue;
                snprintf(key, sizeof(key), "%u", id);
                o = cJSON_AddObjectToObject(servos, key);
                cJSON_AddNumberToObject(o, "target", snap->target[id]);
                cJSON_AddNumberToObject(o, "until",
                                        (double) state_mono_to_real(&save->now, snap->until[id]));
        }
        cJSON_AddItemToObject(j, "servos", servos);
        return j;
}

/* KEY (decimal) within MIN..MAX. */
static bool state_key(const char *key, long min, long max, unsigned *ret)
{
        char *end;
        long v = strtol(key, &end, 10);

        if (end == key || *end != '\0' || v < min || v > max)
                return false;
        *ret = (unsigned) v;
        return true;
}

/* Member NAME of O: an integer within MIN..MAX. */
static bool state_integer(const cJSON *o, const char *name, long min, long max, long *ret)
{
        return json_get_integer(cJSON_GetObjectItemCaseSensitive(o, name), min, max, ret) == 0;
}

static bool state_read_speeds(const cJSON *speeds, struct state_snapshot *snap)
{
        const cJSON *e;

        if (!cJSON_IsObject(speeds))
                return false;
        cJSON_ArrayForEach(e, speeds) {
                unsigned g;
                long percent;

                if (json_get_integer(e, LSC_PERCENT_MIN, LSC_PERCENT_MAX, &percent) < 0)
                        return false;
                if (strcmp(e->string, "all") == 0) {
                        snap->speed_all_set = true;
                        snap->speed_all = (unsigned) percent;
                } else if (state_key(e->string, 0, LSC_GROUP_MAX, &g)) {
                        snap->speeds[g] = (unsigned) percent;
                } else {
                        return false;
                }
        }
        return true;
}

static bool state_read_group(const cJSON *group, struct state_snapshot *snap)
{
        long g, runs;
        const cJSON *from = cJSON_GetObjectItemCaseSensitive(group, "from_lscd");

        if (cJSON_IsNull(group))
                return true;
        if (!state_integer(group, "group", 0, LSC_GROUP_MAX, &g) ||
            !state_integer(group, "runs", 0, LSC_RUNS_MAX, &runs) || !cJSON_IsBool(from))
                return false;
        snap->running = true;
        snap->group = (unsigned) g;
        snap->runs = (unsigned) runs;
        snap->from_lscd = cJSON_IsTrue(from);
        return true;
}

static bool state_read_servos(const cJSON *servos, const struct state_now *now,
                              struct state_snapshot *snap)
{
        const cJSON *e;

        if (!cJSON_IsObject(servos))
                return false;
        cJSON_ArrayForEach(e, servos) {
                unsigned id;
                long target, until;

                /* A logical target is within its servo's limits, which are
                 * within a board's range, 0..2500 for any board (robot.c
                 * checks the model's): further, a speed limit could ask
                 * for more than a frame's time. */
                if (!state_key(e->string, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX, &id) ||
                    !state_integer(e, "target", LSC_BUS_POSITION_MIN, LSC_POSITION_MAX, &target) ||
                    !state_integer(e, "until", 0, STATE_TIME_MAX, &until))
                        return false;
                snap->known[id] = true;
                snap->target[id] = (int) target;
                snap->until[id] = state_real_to_mono(now, (uint64_t) until);
        }
        return true;
}

int state_from_json(const cJSON *json, const struct state_now *now, const char *boot_id,
                    const char *board, struct state_snapshot *snap)
{
        const cJSON *boot = cJSON_GetObjectItemCaseSensitive(json, "boot_id");
        const cJSON *kind = cJSON_GetObjectItemCaseSensitive(json, "board");
        struct state_snapshot read;
        long version;

        if (!cJSON_IsObject(json) || !state_integer(json, "version", 0, LONG_MAX, &version) ||
            !cJSON_IsString(boot))
                return -EBADMSG;
        if (version != STATE_VERSION || strcmp(boot->valuestring, boot_id) != 0)
                return -ESTALE;
        /* Saved before lscd recorded its board: whose, nobody knows. */
        if (!kind)
                return -ESTALE;
        if (!cJSON_IsString(kind))
                return -EBADMSG;
        /* Positions in another board's units. */
        if (strcmp(kind->valuestring, board) != 0)
                return -EMEDIUMTYPE;
        memset(&read, 0, sizeof(read));
        if (!state_read_speeds(cJSON_GetObjectItemCaseSensitive(json, "speeds"), &read) ||
            !state_read_group(cJSON_GetObjectItemCaseSensitive(json, "group"), &read) ||
            !state_read_servos(cJSON_GetObjectItemCaseSensitive(json, "servos"), now, &read))
                return -EBADMSG;
        *snap = read;
        return 0;
}

/* This boot's id, from the kernel; "" when it cannot be read. */
static void state_boot_id(char id[64])
{
        FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

        id[0] = '\0';
        if (f) {
                if (!fgets(id, 64, f))
                        id[0] = '\0';
                fclose(f);
        }
        id[strcspn(id, "\n")] = '\0';
}

char *state_text(const void *save)
{
        char boot[64], *text;
        cJSON *j;

        state_boot_id(boot);
        j = state_to_json(save, boot);
        text = mem_check(cJSON_PrintUnformatted(j));
        cJSON_Delete(j);
        return text;
}

int state_load(const char *path, const struct state_now *now, const char *board,
               struct state_snapshot *snap)
{
        char boot[64], *text = mem_alloc(STATE_FILE_MAX + 1);
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), r;
        ssize_t n;
        cJSON *j;

        if (fd < 0) {
                free(text);
                return -errno;
        }
        n = read(fd, text, STATE_FILE_MAX + 1);
        r = n < 0 ? -errno : 0;
        close(fd);
        if (r == 0 && n > STATE_FILE_MAX)
                r = -EBADMSG;
        if (r == 0) {
                text[n] = '\0';
                j = cJSON_Parse(text);
                state_boot_id(boot);
                r = j ? state_from_json(j, now, boot, board, snap) : -EBADMSG;
                cJSON_Delete(j);
        }
        free(text);
        return r;
}

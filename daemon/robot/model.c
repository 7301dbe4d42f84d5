/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "mem.h"
#include "model.h"

_Static_assert((LSC_POSITION_MIN + LSC_POSITION_MAX) / 2 == MODEL_HOME_DEFAULT,
               "an LSC board's default home is the middle of its range");

struct model *model_new(const struct profile *p)
{
        struct model *m = mem_new0(struct model);

        m->profile = p;
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                m->servos[id] = (struct model_servo) {
                        .min = p->position_min, .max = p->position_max,
                        .home = (p->position_min + p->position_max) / 2,
                        .wire_min = p->position_min, .wire_max = p->position_max,
                };
        return m;
}

struct model *model_free(struct model *m)
{
        if (!m)
                return NULL;
        free(m->poses);
        free(m->groups);
        free(m->path);
        free(m);
        return NULL;
}

bool model_name_valid(const char *name)
{
        size_t len = strlen(name);

        if (len == 0 || len > MODEL_NAME_MAX || (name[0] >= '0' && name[0] <= '9'))
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = name[i];

                if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      (c >= '0' && c <= '9')))
                        return false;
        }
        return true;
}

unsigned model_n_named(const struct model *m)
{
        unsigned n = 0;

        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                n += m->servos[id].name[0] != '\0';
        return n;
}

unsigned model_servo_id(const struct model *m, const char *name)
{
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                if (m->servos[id].name[0] && strcmp(m->servos[id].name, name) == 0)
                        return id;
        return 0;
}

const struct model_pose *model_pose(const struct model *m, const char *name)
{
        for (size_t i = 0; i < m->n_poses; i++)
                if (strcmp(m->poses[i].name, name) == 0)
                        return &m->poses[i];
        return NULL;
}

int model_group(const struct model *m, const char *name)
{
        for (size_t i = 0; i < m->n_groups; i++)
                if (strcmp(m->groups[i].name, name) == 0)
                        return (int) m->groups[i].number;
        return -1;
}

void model_add_home(struct model *m)
{
        struct model_pose *home;

        if (model_pose(m, "home"))
                return;
        m->poses = mem_realloc_array(m->poses, m->n_poses + 1, sizeof(*m->poses));
        home = &m->poses[m->n_poses++];
        *home = (struct model_pose) { .name = "home" };
        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                if (m->servos[id].name[0])
                        home->targets[home->n++] = (struct model_target) {
                                .id = id, .position = m->servos[id].home,
                        };
}

int model_wire(const struct model_servo *s, int logical)
{
        return (s->invert ? s->wire_min + s->wire_max - logical : logical) + s->trim;
}

int model_logical(const struct model_servo *s, int wire)
{
        int p = wire - s->trim;

        return s->invert ? s->wire_min + s->wire_max - p : p;
}

bool model_in_limits(const struct model_servo *s, int logical)
{
        return logical >= s->min && logical <= s->max;
}

bool model_wire_valid(const struct model_servo *s, int logical)
{
        int wire = model_wire(s, logical);

        return wire >= s->wire_min && wire <= s->wire_max;
}

unsigned model_min_time_ms(const struct model_servo *s, int from, int to)
{
        unsigned distance = (unsigned) abs(to - from);

        if (s->max_speed == 0)
                return 0;
        return (unsigned) (((uint64_t) distance * 1000 + s->max_speed - 1) / s->max_speed);
}

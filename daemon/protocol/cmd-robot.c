/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "call.h"
#include "cmd.h"
#include "json.h"

static cJSON *cmd_robot_servos(const struct model *m)
{
        cJSON *servos = cJSON_CreateObject();

        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++) {
                cJSON *o;

                if (!m->servos[id].name[0])
                        continue;
                o = cJSON_AddObjectToObject(servos, m->servos[id].name);
                cJSON_AddNumberToObject(o, "id", id);
                cmd_add_servo_model(o, &m->servos[id]);
        }
        return servos;
}

/* {"NAME":{"servo name or id":position,...},...} */
static cJSON *cmd_robot_poses(const struct model *m)
{
        cJSON *poses = cJSON_CreateObject();

        for (size_t i = 0; i < m->n_poses; i++) {
                cJSON *pose = cJSON_AddObjectToObject(poses, m->poses[i].name);

                for (size_t t = 0; t < m->poses[i].n; t++) {
                        const struct model_target *target = &m->poses[i].targets[t];
                        char key[16];
                        const char *name = m->servos[target->id].name;

                        snprintf(key, sizeof(key), "%u", target->id);
                        cJSON_AddNumberToObject(pose, name[0] ? name : key, target->position);
                }
        }
        return poses;
}

void cmd_add_robot(cJSON *o, const struct robot *r)
{
        const struct model *m = robot_model(r);
        cJSON *groups;

        if (robot_path(r))
                cJSON_AddStringToObject(o, "path", robot_path(r));
        else
                cJSON_AddNullToObject(o, "path");
        cJSON_AddBoolToObject(o, "file", m->path != NULL);
        json_add_time_at(o, "loaded", robot_loaded(r));
        cJSON_AddStringToObject(o, "board", m->profile->name);
        cJSON_AddItemToObject(o, "servos", cmd_robot_servos(m));
        cJSON_AddItemToObject(o, "poses", cmd_robot_poses(m));
        groups = cJSON_AddObjectToObject(o, "groups");
        for (size_t i = 0; i < m->n_groups; i++)
                cJSON_AddNumberToObject(groups, m->groups[i].name, m->groups[i].number);
}

static void cmd_robot_run(struct cmd_context *ctx, struct call *call)
{
        cJSON *response = call_response(call);

        cmd_add_robot(response, ctx->robot);
        call_reply(call, response);
}

const struct cmd cmd_robot = {
        .name = "robot",
        .help = "The robot model: the file's path, whether it was found, when it was loaded, "
                "its servos, poses and groups.",
        .run = cmd_robot_run,
};

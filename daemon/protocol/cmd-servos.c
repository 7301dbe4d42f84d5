/* SPDX-License-Identifier: MIT */
#include "call.h"
#include "clock.h"
#include "cmd.h"
#include "json.h"

/* The fields of a servo in the model, shared with the robot verb. */
void cmd_add_servo_model(cJSON *o, const struct model_servo *s)
{
        cJSON_AddNumberToObject(o, "min", s->min);
        cJSON_AddNumberToObject(o, "max", s->max);
        cJSON_AddNumberToObject(o, "home", s->home);
        cJSON_AddNumberToObject(o, "trim", s->trim);
        cJSON_AddBoolToObject(o, "invert", s->invert);
        if (s->max_speed)
                cJSON_AddNumberToObject(o, "max_speed", s->max_speed);
        else
                cJSON_AddNullToObject(o, "max_speed");
}

/* A monotonic moment as an event timestamp (CLOCK_REALTIME). */
static void cmd_servos_add_until(cJSON *o, uint64_t until, uint64_t mono, uint64_t real)
{
        if (until == 0) {
                cJSON_AddNullToObject(o, "until");
                return;
        }
        json_add_time_at(o, "until", until >= mono ? real + (until - mono)
                                                   : real - (mono - until));
}

static cJSON *cmd_servos_one(const struct model *m, const struct servos *s, unsigned id,
                             uint64_t mono, uint64_t real)
{
        const struct servo_state *st = &s->servo[id];
        cJSON *o = cJSON_CreateObject();

        cJSON_AddNumberToObject(o, "id", id);
        if (m->servos[id].name[0])
                cJSON_AddStringToObject(o, "name", m->servos[id].name);
        else
                cJSON_AddNullToObject(o, "name");
        cmd_add_servo_model(o, &m->servos[id]);
        if (st->known)
                cJSON_AddNumberToObject(o, "target", st->target);
        else
                cJSON_AddNullToObject(o, "target");
        cJSON_AddBoolToObject(o, "moving", st->known && st->until > mono);
        cmd_servos_add_until(o, st->known ? st->until : 0, mono, real);
        return o;
}

static void cmd_servos_run(struct cmd_context *ctx, struct call *call)
{
        const struct model *m = robot_model(ctx->robot);
        const struct servos *s = robot_servos(ctx->robot);
        uint64_t mono = clock_usec(CLOCK_MONOTONIC), real = clock_usec(CLOCK_REALTIME);
        cJSON *response = call_response(call);
        cJSON *list = cJSON_AddArrayToObject(response, "servos");

        for (unsigned id = LSC_SERVO_ID_MIN; id <= LSC_SERVO_ID_MAX; id++)
                if (m->servos[id].name[0] || s->servo[id].commanded)
                        cJSON_AddItemToArray(list, cmd_servos_one(m, s, id, mono, real));
        call_reply(call, response);
}

const struct cmd cmd_servos = {
        .name = "servos",
        .help = "Every servo named in the robot file or ever moved: its id, name, limits, "
                "home, trim, invert, max_speed, and target, moving, until.",
        .run = cmd_servos_run,
};

/* SPDX-License-Identifier: MIT */
/*
 * lsc-frame.c: encoders of LSC frames, the typed parser of decoded frames,
 * the per-command Length rules shared with the streaming decoder, and the
 * error strings.
 *
 * Every encoder validates all of its arguments before it writes a byte, in
 * a fixed order (for SERVO_MOVE: servo count, then each servo in order: id
 * range, duplicate id, position; then time), and checks the output size
 * last: a bad argument is reported even when the buffer is also too small.
 */
#include <string.h>

#include "lsc/frame.h"

/* Parameter bytes of a SERVO_MOVE with n servos: count, time, 3 per servo. */
#define MOVE_PARAMS(n) (3 + 3 * (n))

static const char *const frame_errors[] = {
        [-LSC_OK]                = "success",
        [-LSC_E_NOSPACE]         = "output buffer too small for the frame",
        [-LSC_E_NO_SERVOS]       = "a servo move needs at least one servo",
        [-LSC_E_TOO_MANY_SERVOS] = "too many servos for one frame",
        [-LSC_E_DUP_SERVO]       = "the same servo id appears twice in one move",
        [-LSC_E_SERVO_ID]        = "servo id out of range (1..32)",
        [-LSC_E_POSITION]        = "servo position out of range (500..2500)",
        [-LSC_E_TIME]            = "move time out of range (0..65535 ms)",
        [-LSC_E_GROUP]           = "action group out of range (0..254, or 255 for all with speed)",
        [-LSC_E_RUNS]            = "run count out of range (0..65535, 0 = forever)",
        [-LSC_E_PERCENT]         = "speed percent out of range (1..65535)",
        [-LSC_E_MILLIVOLTS]      = "battery voltage out of range (0..65535 mV)",
        [-LSC_E_UNKNOWN_CMD]     = "unknown command",
        [-LSC_E_MALFORMED]       = "frame length does not fit the command's layout",
};

const char *lsc_strerror(int error)
{
        size_t n = sizeof(frame_errors) / sizeof(frame_errors[0]);

        if (error > 0 || (size_t)-(long)error >= n)
                return "unknown codec error";
        return frame_errors[-error];
}

static int frame_in_range(long value, long min, long max)
{
        return value >= min && value <= max;
}

static void frame_put_u16(uint8_t *p, unsigned value)
{
        p[0] = (uint8_t)(value & 0xff);
        p[1] = (uint8_t)(value >> 8);
}

static unsigned frame_get_u16(const uint8_t *p)
{
        return (unsigned)p[0] | (unsigned)p[1] << 8;
}

/* Write header, Length, cmd and n parameters; the arguments are valid. */
static int frame_write(uint8_t *buf, size_t size, uint8_t cmd,
                       const uint8_t *params, size_t n)
{
        if (size < n + 4)
                return LSC_E_NOSPACE;
        buf[0] = LSC_FRAME_HEADER;
        buf[1] = LSC_FRAME_HEADER;
        buf[2] = (uint8_t)(n + 2);
        buf[3] = cmd;
        if (n > 0)
                memcpy(buf + 4, params, n);
        return (int)(n + 4);
}

/* A frame whose parameters are one byte and one 16-bit value (RUN,
 * COMPLETE, SPEED), both already validated. */
static int frame_write_byte_u16(uint8_t *buf, size_t size, uint8_t cmd,
                                long byte, long value)
{
        uint8_t params[3];

        params[0] = (uint8_t)byte;
        frame_put_u16(params + 1, (unsigned)value);
        return frame_write(buf, size, cmd, params, sizeof(params));
}

static int frame_check_servos(const struct lsc_servo *servos, size_t n)
{
        uint32_t seen = 0;

        if (n == 0)
                return LSC_E_NO_SERVOS;
        if (n > LSC_MOVE_FRAME_MAX_SERVOS)
                return LSC_E_TOO_MANY_SERVOS;
        for (size_t i = 0; i < n; i++) {
                uint32_t bit;

                if (!frame_in_range(servos[i].id, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX))
                        return LSC_E_SERVO_ID;
                bit = UINT32_C(1) << (servos[i].id - LSC_SERVO_ID_MIN);
                if (seen & bit)
                        return LSC_E_DUP_SERVO;
                seen |= bit;
                if (!frame_in_range(servos[i].position, LSC_POSITION_MIN, LSC_POSITION_MAX))
                        return LSC_E_POSITION;
        }
        return LSC_OK;
}

int lsc_frame_encode_move(uint8_t *buf, size_t size, long time_ms,
                          const struct lsc_servo *servos, size_t n_servos)
{
        uint8_t params[MOVE_PARAMS(LSC_MOVE_MAX_SERVOS)];
        int r = frame_check_servos(servos, n_servos);

        if (r < 0)
                return r;
        if (!frame_in_range(time_ms, 0, LSC_TIME_MAX))
                return LSC_E_TIME;
        params[0] = (uint8_t)n_servos;
        frame_put_u16(params + 1, (unsigned)time_ms);
        for (size_t i = 0; i < n_servos; i++) {
                params[3 + 3 * i] = (uint8_t)servos[i].id;
                frame_put_u16(params + 4 + 3 * i, (unsigned)servos[i].position);
        }
        return frame_write(buf, size, LSC_CMD_SERVO_MOVE, params, MOVE_PARAMS(n_servos));
}

/* RUN and COMPLETE share their layout and ranges. */
static int frame_encode_group(uint8_t *buf, size_t size, uint8_t cmd, long group, long runs)
{
        if (!frame_in_range(group, 0, LSC_GROUP_MAX))
                return LSC_E_GROUP;
        if (!frame_in_range(runs, 0, LSC_RUNS_MAX))
                return LSC_E_RUNS;
        return frame_write_byte_u16(buf, size, cmd, group, runs);
}

int lsc_frame_encode_group_run(uint8_t *buf, size_t size, long group, long runs)
{
        return frame_encode_group(buf, size, LSC_CMD_ACTION_GROUP_RUN, group, runs);
}

int lsc_frame_encode_group_complete(uint8_t *buf, size_t size, long group, long runs)
{
        return frame_encode_group(buf, size, LSC_CMD_ACTION_GROUP_COMPLETE, group, runs);
}

int lsc_frame_encode_group_stop(uint8_t *buf, size_t size)
{
        return frame_write(buf, size, LSC_CMD_ACTION_GROUP_STOP, NULL, 0);
}

int lsc_frame_encode_group_speed(uint8_t *buf, size_t size, long group, long percent)
{
        if (!frame_in_range(group, 0, LSC_GROUP_ALL))
                return LSC_E_GROUP;
        if (!frame_in_range(percent, LSC_PERCENT_MIN, LSC_PERCENT_MAX))
                return LSC_E_PERCENT;
        return frame_write_byte_u16(buf, size, LSC_CMD_ACTION_GROUP_SPEED, group, percent);
}

int lsc_frame_encode_battery_query(uint8_t *buf, size_t size)
{
        return frame_write(buf, size, LSC_CMD_GET_BATTERY_VOLTAGE, NULL, 0);
}

int lsc_frame_encode_battery_reply(uint8_t *buf, size_t size, long millivolts)
{
        uint8_t params[2];

        if (!frame_in_range(millivolts, 0, 0xffff))
                return LSC_E_MILLIVOLTS;
        frame_put_u16(params, (unsigned)millivolts);
        return frame_write(buf, size, LSC_CMD_GET_BATTERY_VOLTAGE, params, sizeof(params));
}

int lsc_frame_write(uint8_t *buf, size_t size, const struct lsc_frame *frame)
{
        if (frame->n_params > LSC_FRAME_MAX_PARAMS)
                return LSC_E_MALFORMED;
        return frame_write(buf, size, frame->cmd, frame->params, frame->n_params);
}

/* first_param is read only for SERVO_MOVE, whose Length >= 8 implies it
 * exists; for a shorter Length its value does not matter. */
int lsc_frame_length_plausible(uint8_t cmd, uint8_t length, uint8_t first_param)
{
        switch (cmd) {
        case LSC_CMD_SERVO_MOVE:
                return first_param >= 1 && length == MOVE_PARAMS(first_param) + 2;
        case LSC_CMD_ACTION_GROUP_RUN:
        case LSC_CMD_ACTION_GROUP_COMPLETE:
        case LSC_CMD_ACTION_GROUP_SPEED:
                return length == 5;
        case LSC_CMD_ACTION_GROUP_STOP:
                return length == 2;
        case LSC_CMD_GET_BATTERY_VOLTAGE:
                return length == 2 || length == 4;
        default:
                return 1;
        }
}

static void frame_parse_move(const struct lsc_frame *frame, struct lsc_msg *msg)
{
        const uint8_t *p = frame->params;

        msg->u.move.n_servos = p[0];
        msg->u.move.time_ms = frame_get_u16(p + 1);
        for (unsigned i = 0; i < p[0]; i++) {
                msg->u.move.servos[i].id = p[3 + 3 * i];
                msg->u.move.servos[i].position = (int)frame_get_u16(p + 4 + 3 * i);
        }
}

/* The layout rules are those of lsc_frame_length_plausible(), so the
 * decoder never returns a frame of a known command that fails here. */
int lsc_frame_parse(const struct lsc_frame *frame, struct lsc_msg *msg)
{
        const uint8_t *p = frame->params;
        uint8_t n = frame->n_params;

        if (n > LSC_FRAME_MAX_PARAMS ||
            !lsc_frame_length_plausible(frame->cmd, (uint8_t)(n + 2), n > 0 ? p[0] : 0))
                return LSC_E_MALFORMED;
        switch (frame->cmd) {
        case LSC_CMD_SERVO_MOVE:
                msg->type = LSC_MSG_SERVO_MOVE;
                frame_parse_move(frame, msg);
                return LSC_OK;
        case LSC_CMD_ACTION_GROUP_RUN:
        case LSC_CMD_ACTION_GROUP_COMPLETE:
                msg->type = frame->cmd == LSC_CMD_ACTION_GROUP_RUN ?
                            LSC_MSG_GROUP_RUN : LSC_MSG_GROUP_COMPLETE;
                msg->u.group.group = p[0];
                msg->u.group.runs = frame_get_u16(p + 1);
                return LSC_OK;
        case LSC_CMD_ACTION_GROUP_SPEED:
                msg->type = LSC_MSG_GROUP_SPEED;
                msg->u.speed.group = p[0];
                msg->u.speed.percent = frame_get_u16(p + 1);
                return LSC_OK;
        case LSC_CMD_ACTION_GROUP_STOP:
                msg->type = LSC_MSG_GROUP_STOP;
                return LSC_OK;
        case LSC_CMD_GET_BATTERY_VOLTAGE:
                msg->type = n == 0 ? LSC_MSG_BATTERY_QUERY : LSC_MSG_BATTERY_REPLY;
                if (n == 2)
                        msg->u.millivolts = frame_get_u16(p);
                return LSC_OK;
        default:
                return LSC_E_UNKNOWN_CMD;
        }
}

int lsc_frame_encode_msg(uint8_t *buf, size_t size, const struct lsc_msg *msg)
{
        switch (msg->type) {
        case LSC_MSG_SERVO_MOVE:
                return lsc_frame_encode_move(buf, size, msg->u.move.time_ms,
                                             msg->u.move.servos, msg->u.move.n_servos);
        case LSC_MSG_GROUP_RUN:
                return lsc_frame_encode_group_run(buf, size, msg->u.group.group, msg->u.group.runs);
        case LSC_MSG_GROUP_STOP:
                return lsc_frame_encode_group_stop(buf, size);
        case LSC_MSG_GROUP_COMPLETE:
                return lsc_frame_encode_group_complete(buf, size, msg->u.group.group,
                                                       msg->u.group.runs);
        case LSC_MSG_GROUP_SPEED:
                return lsc_frame_encode_group_speed(buf, size, msg->u.speed.group,
                                                    msg->u.speed.percent);
        case LSC_MSG_BATTERY_QUERY:
                return lsc_frame_encode_battery_query(buf, size);
        case LSC_MSG_BATTERY_REPLY:
                return lsc_frame_encode_battery_reply(buf, size, msg->u.millivolts);
        default:
                return LSC_E_UNKNOWN_CMD;
        }
}

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
        [-LSC_E_POSITION]        = "servo position out of range (500..2500, 0..1000 on a bus board)",
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

/* Ids 1..32, each at most once, n of them (at least one): SERVO_MOVE,
 * UNLOAD, POS_READ. Calls CHECK_ITEM(i) after each id, when not NULL. */
static int frame_check_ids(size_t n, int (*id_at)(const void *items, size_t i),
                           const void *items, int (*check_item)(const void *items, size_t i,
                                                                long min, long max),
                           long min, long max)
{
        uint32_t seen = 0;

        if (n == 0)
                return LSC_E_NO_SERVOS;
        if (n > LSC_MOVE_FRAME_MAX_SERVOS)
                return LSC_E_TOO_MANY_SERVOS;
        for (size_t i = 0; i < n; i++) {
                int id = id_at(items, i);
                uint32_t bit;
                int r;

                if (!frame_in_range(id, LSC_SERVO_ID_MIN, LSC_SERVO_ID_MAX))
                        return LSC_E_SERVO_ID;
                bit = UINT32_C(1) << (id - LSC_SERVO_ID_MIN);
                if (seen & bit)
                        return LSC_E_DUP_SERVO;
                seen |= bit;
                r = check_item ? check_item(items, i, min, max) : LSC_OK;
                if (r < 0)
                        return r;
        }
        return LSC_OK;
}

static int frame_servo_id(const void *items, size_t i)
{
        return ((const struct lsc_servo *)items)[i].id;
}

static int frame_plain_id(const void *items, size_t i)
{
        return ((const int *)items)[i];
}

static int frame_servo_position(const void *items, size_t i, long min, long max)
{
        return frame_in_range(((const struct lsc_servo *)items)[i].position, min, max) ?
               LSC_OK : LSC_E_POSITION;
}

static int frame_check_servos(const struct lsc_servo *servos, size_t n, long min, long max)
{
        return frame_check_ids(n, frame_servo_id, servos, frame_servo_position, min, max);
}

int lsc_frame_encode_move(uint8_t *buf, size_t size, long time_ms,
                          const struct lsc_servo *servos, size_t n_servos)
{
        return lsc_frame_encode_move_within(buf, size, time_ms, servos, n_servos,
                                            LSC_POSITION_MIN, LSC_POSITION_MAX);
}

int lsc_frame_encode_move_within(uint8_t *buf, size_t size, long time_ms,
                                 const struct lsc_servo *servos, size_t n_servos,
                                 long min, long max)
{
        uint8_t params[MOVE_PARAMS(LSC_MOVE_MAX_SERVOS)];
        int r = frame_check_servos(servos, n_servos, min < 0 ? 0 : min,
                                   max > 0xffff ? 0xffff : max);

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

/* UNLOAD or POS_READ request: N id1 .. idN (bus-servo-and-d6a.md, "CMD 20",
 * "CMD 21"). */
static int frame_encode_ids(uint8_t *buf, size_t size, uint8_t cmd, const int *ids, size_t n)
{
        uint8_t params[1 + LSC_MOVE_MAX_SERVOS];
        int r = frame_check_ids(n, frame_plain_id, ids, NULL, 0, 0);

        if (r < 0)
                return r;
        params[0] = (uint8_t)n;
        for (size_t i = 0; i < n; i++)
                params[1 + i] = (uint8_t)ids[i];
        return frame_write(buf, size, cmd, params, n + 1);
}

int lsc_frame_encode_unload(uint8_t *buf, size_t size, const int *ids, size_t n_ids)
{
        return frame_encode_ids(buf, size, LSC_CMD_MULT_SERVO_UNLOAD, ids, n_ids);
}

int lsc_frame_encode_position_query(uint8_t *buf, size_t size, const int *ids, size_t n_ids)
{
        return frame_encode_ids(buf, size, LSC_CMD_MULT_SERVO_POS_READ, ids, n_ids);
}

/* POS_READ reply: N {id posLo posHi} x N, little-endian (bus-servo-and-d6a.md,
 * "CMD 21"; the V1.2 PDF's example prints them high byte first, its text and
 * every library low byte first). */
int lsc_frame_encode_position_reply(uint8_t *buf, size_t size,
                                    const struct lsc_servo *servos, size_t n_servos)
{
        uint8_t params[1 + 3 * LSC_MOVE_MAX_SERVOS];
        int r = frame_check_servos(servos, n_servos, 0, 0xffff);

        if (r < 0)
                return r;
        params[0] = (uint8_t)n_servos;
        for (size_t i = 0; i < n_servos; i++) {
                params[1 + 3 * i] = (uint8_t)servos[i].id;
                frame_put_u16(params + 2 + 3 * i, (unsigned)servos[i].position);
        }
        return frame_write(buf, size, LSC_CMD_MULT_SERVO_POS_READ, params, 1 + 3 * n_servos);
}

/* bus-servo-and-d6a.md, "Older firmware report forms": 55 55 02 06. */
int lsc_frame_encode_group_run_bare(uint8_t *buf, size_t size)
{
        return frame_write(buf, size, LSC_CMD_ACTION_GROUP_RUN, NULL, 0);
}

int lsc_frame_write(uint8_t *buf, size_t size, const struct lsc_frame *frame)
{
        if (frame->n_params > LSC_FRAME_MAX_PARAMS)
                return LSC_E_MALFORMED;
        return frame_write(buf, size, frame->cmd, frame->params, frame->n_params);
}

/* A count N of 1..LSC_MOVE_FRAME_MAX_SERVOS, and a frame of N ids (N + 3) or,
 * for POS_READ's reply, of N positions (3N + 3). */
static int frame_ids_plausible(uint8_t cmd, uint8_t length, uint8_t n)
{
        if (n < 1 || n > LSC_MOVE_FRAME_MAX_SERVOS)
                return 0;
        return length == n + 3 || (cmd == LSC_CMD_MULT_SERVO_POS_READ && length == 3 * n + 3);
}

/* first_param is read only for the commands with a count (SERVO_MOVE,
 * UNLOAD, POS_READ), whose Length >= 4 implies it exists; for a shorter
 * Length its value does not matter. */
int lsc_frame_length_plausible(uint8_t cmd, uint8_t length, uint8_t first_param)
{
        switch (cmd) {
        case LSC_CMD_SERVO_MOVE:
                return first_param >= 1 && length == MOVE_PARAMS(first_param) + 2;
        case LSC_CMD_MULT_SERVO_UNLOAD:
        case LSC_CMD_MULT_SERVO_POS_READ:
                return frame_ids_plausible(cmd, length, first_param);
        case LSC_CMD_ACTION_GROUP_RUN:
                /* An older firmware reports a run without parameters
                 * (bus-servo-and-d6a.md, "Older firmware report forms"). */
                return length == 5 || length == 2;
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

/* UNLOAD and POS_READ: ids, or (POS_READ, Length 3N + 3) positions. */
static void frame_parse_ids(const struct lsc_frame *frame, struct lsc_msg *msg)
{
        const uint8_t *p = frame->params;

        if (frame->n_params == 3 * p[0] + 1) {
                msg->type = LSC_MSG_POSITION_REPLY;
                msg->u.positions.n = p[0];
                for (unsigned i = 0; i < p[0]; i++) {
                        msg->u.positions.servos[i].id = p[1 + 3 * i];
                        msg->u.positions.servos[i].position = (int)frame_get_u16(p + 2 + 3 * i);
                }
                return;
        }
        msg->type = frame->cmd == LSC_CMD_MULT_SERVO_UNLOAD ? LSC_MSG_SERVO_UNLOAD
                                                           : LSC_MSG_POSITION_QUERY;
        msg->u.ids.n = p[0];
        for (unsigned i = 0; i < p[0]; i++)
                msg->u.ids.ids[i] = p[1 + i];
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
                /* bus-servo-and-d6a.md, "Older firmware report forms". */
                if (n == 0) {
                        msg->type = LSC_MSG_GROUP_RUN_BARE;
                        return LSC_OK;
                }
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
        case LSC_CMD_MULT_SERVO_UNLOAD:
        case LSC_CMD_MULT_SERVO_POS_READ:
                frame_parse_ids(frame, msg);
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
        case LSC_MSG_SERVO_UNLOAD:
                return lsc_frame_encode_unload(buf, size, msg->u.ids.ids, msg->u.ids.n);
        case LSC_MSG_POSITION_QUERY:
                return lsc_frame_encode_position_query(buf, size, msg->u.ids.ids, msg->u.ids.n);
        case LSC_MSG_POSITION_REPLY:
                return lsc_frame_encode_position_reply(buf, size, msg->u.positions.servos,
                                                       msg->u.positions.n);
        case LSC_MSG_GROUP_RUN_BARE:
                return lsc_frame_encode_group_run_bare(buf, size);
        default:
                return LSC_E_UNKNOWN_CMD;
        }
}

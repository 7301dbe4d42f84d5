/* SPDX-License-Identifier: MIT */
#include <stdbool.h>
#include <string.h>

#include "lsc/protocol.h"

static const char *const protocol_errcodes[_LSC_ERRCODE_MAX] = {
        [LSC_ERRCODE_INVALID_JSON]     = "invalid_json",
        [LSC_ERRCODE_INVALID_REQUEST]  = "invalid_request",
        [LSC_ERRCODE_MISSING_ARGUMENT] = "missing_argument",
        [LSC_ERRCODE_INVALID_ARGUMENT] = "invalid_argument",
        [LSC_ERRCODE_UNKNOWN_COMMAND]  = "unknown_command",
        [LSC_ERRCODE_LINE_TOO_LONG]    = "line_too_long",
        [LSC_ERRCODE_NOT_CONNECTED]    = "not_connected",
        [LSC_ERRCODE_DEVICE_LOST]      = "device_lost",
        [LSC_ERRCODE_TIMEOUT]          = "timeout",
        [LSC_ERRCODE_STOPPED]          = "stopped",
        [LSC_ERRCODE_PREEMPTED]        = "preempted",
        [LSC_ERRCODE_NOT_STARTED]      = "not_started",
        [LSC_ERRCODE_HALTED]           = "halted",
        [LSC_ERRCODE_SUPERSEDED]       = "superseded",
        [LSC_ERRCODE_QUEUE_FULL]       = "queue_full",
        [LSC_ERRCODE_SHUTDOWN]         = "shutdown",
        [LSC_ERRCODE_TOO_MANY_CLIENTS] = "too_many_clients",
        [LSC_ERRCODE_OUT_OF_LIMITS]    = "out_of_limits",
        [LSC_ERRCODE_UNKNOWN_SERVO]    = "unknown_servo",
        [LSC_ERRCODE_UNKNOWN_POSE]     = "unknown_pose",
        [LSC_ERRCODE_UNKNOWN_GROUP]    = "unknown_group",
        [LSC_ERRCODE_UNKNOWN_POSITION] = "unknown_position",
        [LSC_ERRCODE_INVALID_CONFIG]   = "invalid_config",
        [LSC_ERRCODE_CLAIMED]          = "claimed",
        [LSC_ERRCODE_FORBIDDEN]        = "forbidden",
        [LSC_ERRCODE_DROPPED]          = "dropped",
        [LSC_ERRCODE_UNKNOWN_CLAIM]    = "unknown_claim",
        [LSC_ERRCODE_UNKNOWN_SEQUENCE] = "unknown_sequence",
        [LSC_ERRCODE_CANCELLED]        = "cancelled",
        [LSC_ERRCODE_UNSUPPORTED]      = "unsupported",
        [LSC_ERRCODE_IO_ERROR]         = "io_error",
};

static const char *const protocol_events[_LSC_EVENT_MAX] = {
        [LSC_EVENT_GROUP_STARTED]       = "group.started",
        [LSC_EVENT_GROUP_STOPPED]       = "group.stopped",
        [LSC_EVENT_GROUP_COMPLETED]     = "group.completed",
        [LSC_EVENT_DEVICE_CONNECTED]    = "device.connected",
        [LSC_EVENT_DEVICE_DISCONNECTED] = "device.disconnected",
        [LSC_EVENT_BATTERY]             = "battery",
        [LSC_EVENT_FRAME_UNKNOWN]       = "frame.unknown",
        [LSC_EVENT_MOVE_COMPLETED]      = "move.completed",
        [LSC_EVENT_ROBOT_CHANGED]       = "robot.changed",
        [LSC_EVENT_CLAIM_ACQUIRED]      = "claim.acquired",
        [LSC_EVENT_CLAIM_RELEASED]      = "claim.released",
        [LSC_EVENT_CLAIM_EXPIRED]       = "claim.expired",
        [LSC_EVENT_SEQUENCE_STARTED]    = "sequence.started",
        [LSC_EVENT_SEQUENCE_STEP]       = "sequence.step",
        [LSC_EVENT_SEQUENCE_COMPLETED]  = "sequence.completed",
        [LSC_EVENT_SEQUENCE_STOPPED]    = "sequence.stopped",
};

/* TABLE[I] of a table of N names, or OTHER when I is outside it. */
static const char *protocol_name(const char *const *table, unsigned n, unsigned i,
                                 const char *other)
{
        return i < n ? table[i] : other;
}

const char *lsc_errcode_name(enum lsc_errcode code)
{
        return protocol_name(protocol_errcodes, _LSC_ERRCODE_MAX, (unsigned) code, "internal");
}

const char *lsc_event_name(enum lsc_event event)
{
        return protocol_name(protocol_events, _LSC_EVENT_MAX, (unsigned) event, NULL);
}

unsigned lsc_event_mask_from_pattern(const char *pattern)
{
        size_t len = strlen(pattern);
        bool prefix = len > 0 && pattern[len - 1] == '.';
        unsigned mask = 0;

        for (int e = 0; e < _LSC_EVENT_MAX; e++)
                if (prefix ? strncmp(protocol_events[e], pattern, len) == 0
                           : strcmp(protocol_events[e], pattern) == 0)
                        mask |= LSC_EVENT_MASK(e);
        return mask;
}

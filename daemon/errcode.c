/* SPDX-License-Identifier: MIT */
#include "errcode.h"

static const char *const errcode_names[_ERRCODE_MAX] = {
        [ERRCODE_INVALID_JSON]     = "invalid_json",
        [ERRCODE_INVALID_REQUEST]  = "invalid_request",
        [ERRCODE_MISSING_ARGUMENT] = "missing_argument",
        [ERRCODE_INVALID_ARGUMENT] = "invalid_argument",
        [ERRCODE_UNKNOWN_COMMAND]  = "unknown_command",
        [ERRCODE_LINE_TOO_LONG]    = "line_too_long",
        [ERRCODE_NOT_CONNECTED]    = "not_connected",
        [ERRCODE_DEVICE_LOST]      = "device_lost",
        [ERRCODE_TIMEOUT]          = "timeout",
        [ERRCODE_STOPPED]          = "stopped",
        [ERRCODE_PREEMPTED]        = "preempted",
        [ERRCODE_NOT_STARTED]      = "not_started",
        [ERRCODE_HALTED]           = "halted",
        [ERRCODE_SUPERSEDED]       = "superseded",
        [ERRCODE_QUEUE_FULL]       = "queue_full",
        [ERRCODE_SHUTDOWN]         = "shutdown",
        [ERRCODE_TOO_MANY_CLIENTS] = "too_many_clients",
};

const char *errcode_to_string(enum errcode code)
{
        return (unsigned) code < _ERRCODE_MAX ? errcode_names[code] : "internal";
}

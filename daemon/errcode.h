/* SPDX-License-Identifier: MIT */
/*
 * errcode.h: the stable error codes of client protocol v1 ("code" in an
 * error response). Their spelling is part of the protocol: never rename.
 */
#ifndef LSCD_ERRCODE_H
#define LSCD_ERRCODE_H

enum errcode {
        ERRCODE_INVALID_JSON,
        ERRCODE_INVALID_REQUEST,
        ERRCODE_MISSING_ARGUMENT,
        ERRCODE_INVALID_ARGUMENT,
        ERRCODE_UNKNOWN_COMMAND,
        ERRCODE_LINE_TOO_LONG,
        ERRCODE_NOT_CONNECTED,
        ERRCODE_DEVICE_LOST,
        ERRCODE_TIMEOUT,
        ERRCODE_STOPPED,
        ERRCODE_PREEMPTED,
        ERRCODE_NOT_STARTED,
        ERRCODE_HALTED,
        ERRCODE_SUPERSEDED,
        ERRCODE_QUEUE_FULL,
        ERRCODE_SHUTDOWN,
        ERRCODE_TOO_MANY_CLIENTS,
        _ERRCODE_MAX,
};

/* "invalid_json", ... */
const char *errcode_to_string(enum errcode code);

#endif

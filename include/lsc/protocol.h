/* SPDX-License-Identifier: MIT */
/*
 * <lsc/protocol.h>: the constants of lscd's client protocol, in one place
 * for lscd, liblsc, lscctl and any other client: the version, the request
 * line limit, the error codes and the event names. The spelling of every
 * code and event name is part of the protocol: never rename one.
 */
#ifndef LSC_PROTOCOL_H
#define LSC_PROTOCOL_H

#ifdef __cplusplus
extern "C" {
#endif

/* The version in lscd's hello event and its "version" answer. */
#define LSC_PROTOCOL_VERSION 1
/* Additions within the version, each documented in lscd-protocol(7) with the
 * minor version that added it; clients ignore what they do not know. */
#define LSC_PROTOCOL_MINOR 6
/* The longest request line lscd accepts, newline included. */
#define LSC_PROTOCOL_LINE_MAX 65536

/* "code" of an error response. */
enum lsc_errcode {
        LSC_ERRCODE_INVALID_JSON,
        LSC_ERRCODE_INVALID_REQUEST,
        LSC_ERRCODE_MISSING_ARGUMENT,
        LSC_ERRCODE_INVALID_ARGUMENT,
        LSC_ERRCODE_UNKNOWN_COMMAND,
        LSC_ERRCODE_LINE_TOO_LONG,
        LSC_ERRCODE_NOT_CONNECTED,
        LSC_ERRCODE_DEVICE_LOST,
        LSC_ERRCODE_TIMEOUT,
        LSC_ERRCODE_STOPPED,
        LSC_ERRCODE_PREEMPTED,
        LSC_ERRCODE_NOT_STARTED,
        LSC_ERRCODE_HALTED,
        LSC_ERRCODE_SUPERSEDED,
        LSC_ERRCODE_QUEUE_FULL,
        LSC_ERRCODE_SHUTDOWN,
        LSC_ERRCODE_TOO_MANY_CLIENTS,
        LSC_ERRCODE_OUT_OF_LIMITS,      /* minor 1 */
        LSC_ERRCODE_UNKNOWN_SERVO,      /* minor 1 */
        LSC_ERRCODE_UNKNOWN_POSE,       /* minor 1 */
        LSC_ERRCODE_UNKNOWN_GROUP,      /* minor 1 */
        LSC_ERRCODE_UNKNOWN_POSITION,   /* minor 1 */
        LSC_ERRCODE_INVALID_CONFIG,     /* minor 1 */
        LSC_ERRCODE_CLAIMED,            /* minor 2 */
        LSC_ERRCODE_FORBIDDEN,          /* minor 2 */
        LSC_ERRCODE_DROPPED,            /* minor 2 */
        LSC_ERRCODE_UNKNOWN_CLAIM,      /* minor 2 */
        LSC_ERRCODE_UNKNOWN_SEQUENCE,   /* minor 3 */
        LSC_ERRCODE_CANCELLED,          /* minor 3 */
        LSC_ERRCODE_UNSUPPORTED,        /* minor 5: the board (its profile) lacks the command */
        LSC_ERRCODE_IO_ERROR,           /* minor 6: lscd could not write a file */
        _LSC_ERRCODE_MAX,
};

/* The events lscd publishes; a subscription is a mask of these bits. */
enum lsc_event {
        LSC_EVENT_GROUP_STARTED,
        LSC_EVENT_GROUP_STOPPED,
        LSC_EVENT_GROUP_COMPLETED,
        LSC_EVENT_DEVICE_CONNECTED,
        LSC_EVENT_DEVICE_DISCONNECTED,
        LSC_EVENT_BATTERY,
        LSC_EVENT_FRAME_UNKNOWN,
        LSC_EVENT_MOVE_COMPLETED,       /* minor 1 */
        LSC_EVENT_ROBOT_CHANGED,        /* minor 1 */
        LSC_EVENT_CLAIM_ACQUIRED,       /* minor 2 */
        LSC_EVENT_CLAIM_RELEASED,       /* minor 2 */
        LSC_EVENT_CLAIM_EXPIRED,        /* minor 2 */
        LSC_EVENT_SEQUENCE_STARTED,     /* minor 3 */
        LSC_EVENT_SEQUENCE_STEP,        /* minor 3 */
        LSC_EVENT_SEQUENCE_COMPLETED,   /* minor 3 */
        LSC_EVENT_SEQUENCE_STOPPED,     /* minor 3 */
        _LSC_EVENT_MAX,
};

#define LSC_EVENT_MASK(e)   (1u << (e))
#define LSC_EVENT_MASK_ALL  ((1u << _LSC_EVENT_MAX) - 1)

/* "invalid_json", ...; "internal" for a value outside the enum. */
const char *lsc_errcode_name(enum lsc_errcode code);
/* "group.started", ...; NULL for a value outside the enum. */
const char *lsc_event_name(enum lsc_event event);
/* The events a pattern selects: an exact name, or a prefix ending in "."
 * ("group.", "device."). 0 when it selects none (a typo, or "" alone). */
unsigned lsc_event_mask_from_pattern(const char *pattern);

#ifdef __cplusplus
}
#endif

#endif

/* SPDX-License-Identifier: MIT */
/*
 * lsc/client.h: client library for lscd, the LSC servo controller daemon.
 *
 * lscd speaks newline-delimited JSON on a Unix stream socket (lscd(8)). This
 * library connects, sends requests, matches each response to its request by
 * "id" while events keep arriving, and queues those events for the caller.
 *
 * Two ways to use it:
 *  - Blocking: lsc_client_call() and the typed helpers (lsc_client_move(),
 *    lsc_client_group_run(), ...) send one request and wait for its answer,
 *    at most lsc_client_set_timeout() milliseconds. Events that arrive
 *    meanwhile are queued; read them with lsc_client_next_event() or
 *    lsc_client_wait_event(). When a blocking call returns, the queue holds
 *    exactly the events the daemon sent before that response: lines after it
 *    are left unread until the next call. They are already in the library's
 *    buffer, so lsc_client_fd() may not become readable for them: a program
 *    that goes back to its event loop calls lsc_client_process() first.
 *  - In your own event loop: watch lsc_client_fd() for lsc_client_events()
 *    (POLLIN, plus POLLOUT while requests wait to be written), call
 *    lsc_client_process() when it is ready, send with lsc_client_send() and a
 *    callback. The fd is non-blocking and stays the same for the life of the
 *    client.
 *
 * Errors: functions return 0 (or a count) on success, a negative errno on
 * failure. Transport failures are sticky: once the connection is broken every
 * later call returns the same error.
 *  -ENOENT, -ECONNREFUSED, -EACCES  connecting failed (no daemon at the path)
 *  -ECONNREFUSED  also, once connected: lscd refused the connection, with an
 *               error line instead of its hello; lsc_client_error_code()
 *               ("too_many_clients") and lsc_client_error_message() say why
 *  -ECONNRESET  the daemon closed the connection
 *  -ETIMEDOUT   no answer within the timeout (the connection stays usable;
 *               the late answer is dropped when it arrives)
 *  -EPROTO      the daemon sent something that is not the protocol: a line
 *               that is not a JSON object (or holds a control character
 *               other than tab), a response with an unknown id, a line
 *               longer than LSC_CLIENT_MAX_LINE
 *  -EPROTONOSUPPORT  the daemon speaks another protocol version
 *  -EREMOTEIO   the daemon answered {"ok":false}: lsc_client_error_code(),
 *               lsc_client_error_message() and lsc_client_error_field() say
 *               what it reported
 *  -EINVAL, -EMSGSIZE, -EEXIST, -ENOBUFS, -ENOMEM  see each function
 * The library never prints, never exits and never raises SIGPIPE (it writes
 * with MSG_NOSIGNAL).
 *
 * Threads: the library has no global state. A struct lsc_client is not
 * thread-safe: use each client from one thread at a time, or hold your own
 * lock around every call that takes it, including the accessors. Different
 * clients may be used from different threads at the same time. Callbacks run
 * in the thread that called lsc_client_process() or a blocking function.
 *
 * Objects returned to the caller (responses, events, status) are cJSON trees
 * that the caller owns and frees with cJSON_Delete(). Requests passed in are
 * only read, never kept or modified. Each response and event also keeps the
 * line it was read from: lsc_client_line().
 */
#ifndef LSC_CLIENT_H
#define LSC_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <cjson/cJSON.h>
#include <lsc/frame.h>
#include <lsc/protocol.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LSC_CLIENT_DEFAULT_SOCKET "/run/lscd/lscd.sock"
#define LSC_CLIENT_PROTOCOL       LSC_PROTOCOL_VERSION
/* The longest request line lscd accepts, newline included. */
#define LSC_CLIENT_MAX_REQUEST    LSC_PROTOCOL_LINE_MAX
/* The longest line accepted from the daemon. */
#define LSC_CLIENT_MAX_LINE       (1024 * 1024)
/* Events kept for the caller; beyond this the oldest are dropped and
 * counted by lsc_client_events_dropped(). */
#define LSC_CLIENT_MAX_EVENTS     4096
/* Requests waiting to be written; beyond this lsc_client_send() fails. */
#define LSC_CLIENT_MAX_OUTPUT     (1024 * 1024)
/* Default for lsc_client_set_timeout(). */
#define LSC_CLIENT_DEFAULT_TIMEOUT_MS 30000

struct lsc_client;

/* The socket path used when none is given: $LSCD_SOCKET if set and not
 * empty, else LSC_CLIENT_DEFAULT_SOCKET. */
const char *lsc_client_default_socket(void);

/* Connect to lscd at path (NULL: lsc_client_default_socket()). Does not wait
 * for the daemon's hello; the first blocking call or lsc_client_process()
 * reads it. Returns 0 with *ret set, or -ENOENT, -ECONNREFUSED, -EACCES,
 * -ENAMETOOLONG, -ENOMEM, ... */
int lsc_client_connect(const char *path, struct lsc_client **ret);
/* Close the connection. Pending async requests are dropped without their
 * callbacks running. Accepts NULL; returns NULL. Never call it from inside
 * one of this client's callbacks. */
struct lsc_client *lsc_client_free(struct lsc_client *c);

const char *lsc_client_socket_path(const struct lsc_client *c);
/* The daemon's hello event ({"event":"hello","protocol":1,"version":...,
 * "device":{...}}), owned by the client, or NULL until it has been read. */
const cJSON *lsc_client_hello(const struct lsc_client *c);
/* Timeout of blocking calls in milliseconds; -1 waits forever. */
void lsc_client_set_timeout(struct lsc_client *c, int timeout_ms);
int lsc_client_get_timeout(const struct lsc_client *c);
/* 0 while the connection works, else its sticky negative errno. */
int lsc_client_get_error(const struct lsc_client *c);

/* The daemon's last error ({"ok":false}) seen by a blocking call or passed
 * to a callback: its code ("stopped", "invalid_argument", ...), message and
 * field (NULL when the daemon named none). Valid until the next call on c. */
const char *lsc_client_error_code(const struct lsc_client *c);
const char *lsc_client_error_message(const struct lsc_client *c);
const char *lsc_client_error_field(const struct lsc_client *c);

/* The line lscd sent, without its newline, of a response, event or hello
 * this library returned or passed to a callback, or of a cJSON_Duplicate()
 * of one; NULL for any other object. It stays as received whatever is done
 * to the tree, and lives as long as message. Printing it shows lscd's
 * numbers and strings exactly, where printing the tree may not: cJSON
 * prints the time 1796004106.043727 as 1796004106.0437269. */
const char *lsc_client_line(const cJSON *message);

/* ---- Event loop integration ---- */
int lsc_client_fd(const struct lsc_client *c);
/* POLLIN, or POLLIN | POLLOUT while requests wait to be written. */
short lsc_client_events(const struct lsc_client *c);
/* Write what can be written, read what is readable, handle every complete
 * line: run response callbacks, queue events. Never blocks. Returns the
 * number of lines handled (0 if none) or a transport error. */
int lsc_client_process(struct lsc_client *c);
/* Block until at least one line from the daemon has been handled, at most
 * timeout_ms (-1: forever; 0: only what can be read at once). Returns the number of lines handled, or
 * -ETIMEDOUT, or a transport error. */
int lsc_client_wait(struct lsc_client *c, int timeout_ms);

/* ---- Events ---- */
/* Take the oldest queued event: returns 1 with *ret set (free it with
 * cJSON_Delete()), or 0 when none is queued. Never blocks, never reads. */
int lsc_client_next_event(struct lsc_client *c, cJSON **ret);
/* Same, but waits up to timeout_ms (-1: forever; 0: no wait, but what is
 * readable now is read) for one to arrive.
 * Returns 1, -ETIMEDOUT, or a transport error. */
int lsc_client_wait_event(struct lsc_client *c, int timeout_ms, cJSON **ret);
size_t lsc_client_events_queued(const struct lsc_client *c);
/* Events dropped because more than LSC_CLIENT_MAX_EVENTS were queued. */
unsigned long long lsc_client_events_dropped(const struct lsc_client *c);

/* ---- Requests ----
 * A request is a JSON object with a string "cmd". If it has an "id", that
 * value (any JSON) is sent and matched as is, and must differ from the ids of
 * this client's unanswered requests (-EEXIST); otherwise the library adds a
 * numeric id. -EINVAL: not an object with a string "cmd", or not JSON lscd
 * reads (a string that is not UTF-8, an infinite or NaN number, a raw item,
 * nesting deeper than 32); nothing is sent. -EMSGSIZE: longer than
 * LSC_CLIENT_MAX_REQUEST once serialised.
 */

/* Called once per request sent with lsc_client_send(), from
 * lsc_client_process() or a blocking call: error is 0 with the response,
 * -EREMOTEIO with the response when the daemon answered an error (the
 * lsc_client_error_*() accessors describe it), or a transport error with
 * response NULL. The response belongs to the library: duplicate what you
 * keep. A callback may send requests and call lsc_client_process(); it must
 * not make blocking calls or free the client. */
typedef void (*lsc_client_reply_fn)(void *userdata, struct lsc_client *c,
                                    const cJSON *response, int error);

/* Queue a request and write as much as the socket takes; the rest goes out
 * from lsc_client_process(). fn may be NULL to ignore the answer. */
int lsc_client_send(struct lsc_client *c, const cJSON *request,
                    lsc_client_reply_fn fn, void *userdata);

/* Send a request and wait for its response. Returns 0 (ok), -EREMOTEIO
 * (daemon error), or a negative errno. With ret_response non-NULL, *ret is
 * the whole response object ({"id":..,"ok":..,...}) whenever one arrived,
 * else NULL; free it with cJSON_Delete(). */
int lsc_client_call(struct lsc_client *c, const cJSON *request, cJSON **ret_response);
/* Same with the request given as JSON text; -EINVAL if it is not one JSON
 * value (trailing blanks aside). */
int lsc_client_call_string(struct lsc_client *c, const char *json, cJSON **ret_response);

/* ---- Request builders: {"cmd":...} objects for lsc_client_send() or
 * lsc_client_call(). They return NULL only when out of memory. Values are
 * not range-checked here: lscd answers invalid_argument. ---- */
cJSON *lsc_client_request_new(const char *cmd);
cJSON *lsc_client_request_move(const struct lsc_servo *servos, size_t n_servos,
                               long time_ms, bool replace);
/* runs 0 = forever; wait: answer only once the board reports COMPLETE. */
cJSON *lsc_client_request_group_run(long group, long runs, bool wait);
/* group LSC_GROUP_ALL (255) is sent as "all". */
cJSON *lsc_client_request_group_speed(long group, long percent);
/* events NULL: every event. */
cJSON *lsc_client_request_subscribe(const char *const *events, size_t n_events);
cJSON *lsc_client_request_unsubscribe(const char *const *events, size_t n_events);

/* ---- Typed blocking helpers: lsc_client_call() with one builder. ---- */
int lsc_client_ping(struct lsc_client *c);
int lsc_client_move(struct lsc_client *c, const struct lsc_servo *servos,
                    size_t n_servos, long time_ms, bool replace);
int lsc_client_group_run(struct lsc_client *c, long group, long runs, bool wait);
int lsc_client_group_stop(struct lsc_client *c);
/* *ret_dropped (may be NULL): queued requests the halt answered "halted". */
int lsc_client_halt(struct lsc_client *c, unsigned long *ret_dropped);
int lsc_client_group_speed(struct lsc_client *c, long group, long percent);
int lsc_client_battery(struct lsc_client *c, unsigned *ret_millivolts);
/* *ret_status: the whole response object (device, group, counters, ...). */
int lsc_client_status(struct lsc_client *c, cJSON **ret_status);
int lsc_client_subscribe(struct lsc_client *c, const char *const *events, size_t n_events);
int lsc_client_unsubscribe(struct lsc_client *c, const char *const *events, size_t n_events);

#ifdef __cplusplus
}
#endif

#endif

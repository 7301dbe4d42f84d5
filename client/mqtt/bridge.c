/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bridge.h"
#include "broker.h"
#include "clock.h"
#include "dedup.h"
#include "json.h"
#include "list.h"
#include "log.h"
#include "lsc/client.h"
#include "mem.h"
#include "pace.h"
#include "payload.h"

#define BRIDGE_LSCD_BACKOFF_MIN_USEC (100 * 1000ULL)
#define BRIDGE_LSCD_BACKOFF_MAX_USEC (5 * 1000 * 1000ULL)

/* A request sent to lscd: where its answer goes. Owned by the bridge's
 * list from lsc_client_send() until its callback or bridge_free(). */
struct flight {
        struct bridge *bridge;
        struct flight *prev, *next;
        char *topic;
        void *correlation;              /* NULL: none */
        size_t correlation_len;
        cJSON *id;
        uint64_t serial;                /* its dedup entry, 0 for none */
        uint64_t number;                /* the id lscd gets, "mqtt-NUMBER" (bridge_flight_id()) */
        bool stops;                     /* payload_stops(): counted nowhere, never busy */
        bool halts;                     /* a halt (else a group.stop) when stops */
        bool scheduled;                 /* with "at": counted in n_scheduled, else n_flights */
        size_t bytes;                   /* counted in flight_bytes unless stops */
        size_t repeats;                 /* deliveries of the same key since: answered alike */
        struct flight *riders;          /* stops of its verb that found liblsc's buffer full,
                                         * chained by riders, answered with its answer */
};

/* Invariants: lsc carries the network's requests (and events), reader the
 * bridge's own status reads, so that they renew no claim the network
 * holds; both are connected or neither; lsc_ready only while lsc has
 * answered hello and subscribe; flights holds n_flights <= BRIDGE_IN_FLIGHT_MAX
 * requests that do not stop nor wait for an "at", n_scheduled <=
 * BRIDGE_SCHEDULED_MAX that wait for one, flight_bytes <= BRIDGE_IN_FLIGHT_BYTES
 * of both, and any number of stops (never refused);
 * status_timer is armed while a status is wanted and not being read;
 * status_text is the last status composed (NULL: none yet). */
struct bridge {
        sd_event *event;
        const struct mqtt_config *config;
        struct broker *broker;
        struct lsc_client *lsc, *reader;
        sd_event_source *lsc_io, *reader_io, *lsc_retry, *lsc_post, *status_timer;
        struct pace_backoff lsc_backoff;
        struct pace_failure lsc_failure;
        bool lsc_ready;
        bool retained_logged;
        int sub_mids[2];                /* SUBACKs awaited; 0: granted, -1: refused */
        bool subscribed;                /* both granted since the last CONNACK */
        struct dedup *dedup;
        struct flight *flights;
        size_t n_flights, n_scheduled, flight_bytes;
        uint64_t next_number;
        cJSON *status;                  /* the status answer, waiting for servos */
        char *status_text;
        uint64_t status_at;             /* when the last status read began, 0: never */
        bool status_wanted, status_reading;
        char *topic_cmd, *topic_all, *topic_online, *topic_status, *topic_reply;
};

static void bridge_lscd_arm_retry(struct bridge *b);
static void bridge_status_want(struct bridge *b);

static struct flight *bridge_flight_free(struct flight *f)
{
        if (!f)
                return NULL;
        for (struct flight *r = f->riders, *next; r; r = next) {
                next = r->riders;
                r->riders = NULL;
                bridge_flight_free(r);
        }
        free(f->topic);
        free(f->correlation);
        cJSON_Delete(f->id);
        free(f);
        return NULL;
}

static void bridge_online_publish(struct bridge *b)
{
        if (broker_connected(b->broker))
                broker_publish(b->broker, b->topic_online,
                               b->lsc_ready && b->subscribed ? "true" : "false", 1, true, NULL, 0);
}

/* Publish the answer RESPONSE to a request, and remember it under SERIAL
 * when it is final: a retry after a transient error runs again. */
static void bridge_answer(struct bridge *b, const char *topic, const void *correlation, size_t len,
                          const cJSON *id, const cJSON *response, uint64_t serial)
{
        char *text = payload_answer(response, id, b->config->id);
        const cJSON *error = cJSON_GetObjectItemCaseSensitive(response, "error");
        const char *code = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(error, "code"));

        if (serial && code && payload_transient(code))
                dedup_forget(b->dedup, serial);
        else if (serial)
                dedup_answer(b->dedup, serial, text);
        broker_publish(b->broker, topic, text, 1, false, correlation, len);
        free(text);
}

static void bridge_answer_error(struct bridge *b, const char *topic, const void *correlation,
                                size_t len, const cJSON *id, const char *code, const char *field,
                                const char *message, uint64_t serial)
{
        cJSON *error = payload_error(code, field, message);

        bridge_answer(b, topic, correlation, len, id, error, serial);
        cJSON_Delete(error);
}

/* Answer F, and each delivery of its key that came while it waited. */
static void bridge_flight_answer(struct bridge *b, const struct flight *f, const cJSON *response)
{
        for (size_t i = 0; i <= f->repeats; i++)
                bridge_answer(b, f->topic, f->correlation, f->correlation_len, f->id, response,
                              f->serial);
        for (const struct flight *r = f->riders; r; r = r->riders)
                bridge_answer(b, r->topic, r->correlation, r->correlation_len, r->id, response,
                              r->serial);
}

/* Count F in (SIGN 1) or out of (-1) the bounds of bridge_full(). */
static void bridge_flight_count(struct bridge *b, const struct flight *f, int sign)
{
        if (f->stops)
                return;
        if (f->scheduled)
                b->n_scheduled += (size_t) sign;
        else
                b->n_flights += (size_t) sign;
        b->flight_bytes += (size_t) sign * f->bytes;
}

static void bridge_on_reply(void *userdata, struct lsc_client *c, const cJSON *response, int error)
{
        struct flight *f = userdata;
        struct bridge *b = f->bridge;
        cJSON *lost = response ? NULL :
                payload_error(lsc_errcode_name(LSC_ERRCODE_NOT_CONNECTED), NULL,
                              "lscd went away before it answered: the request may have run");

        bridge_flight_answer(b, f, response ? response : lost);
        cJSON_Delete(lost);
        LIST_REMOVE(b->flights, f, prev, next);
        bridge_flight_count(b, f, -1);
        bridge_flight_free(f);
        bridge_status_want(b);
}

/* The id lscd gets for F: a string, apart from liblsc's numbers for the
 * bridge's own requests (hello, status, ...). */
static cJSON *bridge_flight_id(const struct flight *f)
{
        char text[32];

        snprintf(text, sizeof(text), "mqtt-%llu", (unsigned long long) f->number);
        return cJSON_CreateString(text);
}

/* Whether P waits for its "at" in lscd. */
static bool bridge_scheduled(const struct payload *p)
{
        return cJSON_GetObjectItemCaseSensitive(p->request, "at") != NULL;
}

/* The request in flight whose answer goes to TOPIC, with the caller's ID. */
static struct flight *bridge_flight_find(struct bridge *b, const char *topic, const cJSON *id)
{
        for (struct flight *f = b->flights; f; f = f->next)
                if (f->id && strcmp(f->topic, topic) == 0 && cJSON_Compare(f->id, id, true))
                        return f;
        return NULL;
}

/* A cancel names its request by the caller's id, among the requests whose
 * answers go to the same topic: lscd knows it by the bridge's. False when
 * there is none, after answering (as lscd would) invalid_argument. */
static bool bridge_cancel_target(struct bridge *b, struct payload *p, const char *topic,
                                 const void *correlation, size_t len, uint64_t serial)
{
        cJSON *request = cJSON_GetObjectItemCaseSensitive(p->request, "request");
        struct flight *f = request ? bridge_flight_find(b, topic, request) : NULL;

        if (!request)
                return true;            /* lscd answers missing_argument */
        if (!f) {
                bridge_answer_error(b, topic, correlation, len, p->id,
                                    lsc_errcode_name(LSC_ERRCODE_INVALID_ARGUMENT), "request",
                                    "no request with this id, answered on this topic, waits "
                                    "for its \"at\"", serial);
                return false;
        }
        cJSON_ReplaceItemInObjectCaseSensitive(p->request, "request", bridge_flight_id(f));
        return true;
}

/* A stop that found liblsc's buffer full rides on the newest stop of its
 * verb in flight: that one is still in the buffer, not read by lscd, and
 * runs after this one came. False when there is none. */
static bool bridge_ride(struct bridge *b, struct flight *f)
{
        for (struct flight *g = b->flights; g; g = g->next)
                if (g->stops && g->halts == f->halts) {
                        f->riders = g->riders;
                        g->riders = f;
                        log_debug("lscd's connection is full: a stop rides on the last one");
                        return true;
                }
        return false;
}

/* Send P's request (BYTES long, about) to lscd; its answer goes to TOPIC. */
static void bridge_forward(struct bridge *b, struct payload *p, const char *topic,
                           const void *correlation, size_t len, size_t bytes, uint64_t serial)
{
        struct flight *f;
        int r;

        if (strcmp(p->verb, "cancel") == 0 &&
            !bridge_cancel_target(b, p, topic, correlation, len, serial))
                return;
        f = mem_new0(struct flight);
        *f = (struct flight) { .bridge = b, .topic = mem_strdup(topic), .serial = serial,
                               .correlation_len = len, .id = p->id, .number = ++b->next_number,
                               .stops = payload_stops(p), .bytes = bytes,
                               .halts = strcmp(p->verb, "halt") == 0,
                               .scheduled = bridge_scheduled(p) };
        p->id = NULL;
        cJSON_AddItemToObject(p->request, "id", bridge_flight_id(f));
        if (correlation) {
                f->correlation = mem_alloc(len ? len : 1);
                memcpy(f->correlation, correlation, len);
        }
        r = lsc_client_send(b->lsc, p->request, bridge_on_reply, f);
        if (r == -ENOBUFS && f->stops && bridge_ride(b, f))
                return;
        if (r < 0) {
                bridge_answer_error(b, topic, correlation, len, f->id,
                                    r == -EMSGSIZE ? lsc_errcode_name(LSC_ERRCODE_LINE_TOO_LONG) :
                                    r == -ENOBUFS ? PAYLOAD_CODE_BUSY :
                                    lsc_errcode_name(LSC_ERRCODE_NOT_CONNECTED), NULL,
                                    r == -EMSGSIZE ? "the request is longer than lscd takes" :
                                    r == -ENOBUFS ? "the requests waiting for lscd fill its "
                                                    "connection; try again" :
                                    "lscd is not reachable", 0);
                dedup_forget(b->dedup, serial);
                bridge_flight_free(f);
                return;
        }
        LIST_PREPEND(b->flights, f, prev, next);
        bridge_flight_count(b, f, 1);
}

/* The request in flight remembered under SERIAL, or NULL. */
static struct flight *bridge_flight_of(struct bridge *b, uint64_t serial)
{
        for (struct flight *f = b->flights; f; f = f->next)
                if (f->serial == serial)
                        return f;
        return NULL;
}

/* A request seen before is answered again from the cache, or, while its
 * first delivery waits for lscd, once more with that answer (the key is
 * its answer's topic and correlation: the same place). */
static bool bridge_repeated(struct bridge *b, const char *key, size_t key_len, const char *topic,
                            const void *correlation, size_t len, uint64_t now)
{
        const struct dedup_entry *e = key ? dedup_find(b->dedup, key, key_len, now) : NULL;
        struct flight *f = e && !e->answer ? bridge_flight_of(b, e->serial) : NULL;

        if (!e || (!e->answer && !f))
                return false;
        log_debug("A request came again; %s", e->answer ? "answered from the cache" :
                  "answered with the first delivery's answer");
        if (e->answer)
                broker_publish(b->broker, topic, e->answer, 1, false, correlation, len);
        else
                f->repeats++;
        return true;
}

/* Why P, BYTES long, is refused busy, or NULL: a stop never is. */
static const char *bridge_full(const struct bridge *b, const struct payload *p, size_t bytes)
{
        if (payload_stops(p))
                return NULL;
        if (bridge_scheduled(p) && b->n_scheduled >= BRIDGE_SCHEDULED_MAX)
                return "too many requests wait for their \"at\"; try again";
        if (!bridge_scheduled(p) && b->n_flights >= BRIDGE_IN_FLIGHT_MAX)
                return "too many requests wait for lscd; try again";
        if (b->flight_bytes + bytes > BRIDGE_IN_FLIGHT_BYTES)
                return "the requests waiting for lscd are too long together; try again";
        return NULL;
}

static void bridge_request(struct bridge *b, struct payload *p, const char *topic,
                           const void *correlation, size_t len, const struct mosquitto_message *msg)
{
        uint64_t now = clock_usec(CLOCK_MONOTONIC);
        size_t key_len = 0, bytes = (size_t) msg->payloadlen + BRIDGE_ID_BYTES;
        const char *full = p->request ? bridge_full(b, p, bytes) : NULL;
        char *key = payload_key(p, topic, correlation, len, msg->payload, (size_t) msg->payloadlen,
                                &key_len);

        if (bridge_repeated(b, key, key_len, topic, correlation, len, now))
                ;
        else if (p->answer)
                bridge_answer(b, topic, correlation, len, p->id, p->answer, 0);
        else if (!b->lsc_ready)
                bridge_answer_error(b, topic, correlation, len, p->id,
                                    lsc_errcode_name(LSC_ERRCODE_NOT_CONNECTED), NULL,
                                    "lscd is not reachable; the bridge is reconnecting", 0);
        else if (full)
                bridge_answer_error(b, topic, correlation, len, p->id, PAYLOAD_CODE_BUSY, NULL,
                                    full, 0);
        else
                bridge_forward(b, p, topic, correlation, len, bytes,
                               key ? dedup_take(b->dedup, key, key_len, now) : 0);
        free(key);
}

/* A retained request would run again at every reconnection: none runs,
 * and the first is logged; an empty one (clearing a retained message) is
 * not even logged. */
static bool bridge_retained(struct bridge *b, const struct mosquitto_message *msg)
{
        if (!msg->retain)
                return false;
        if (!b->retained_logged && msg->payloadlen > 0)
                log_notice("Ignoring the retained message on %s: a request on a cmd topic is never "
                           "retained (this is logged once)", msg->topic);
        b->retained_logged |= msg->payloadlen > 0;
        return true;
}

static void bridge_on_message(void *userdata, const struct mosquitto_message *msg,
                              const mosquitto_property *props)
{
        struct bridge *b = userdata;
        char *response_topic = NULL;
        void *correlation = NULL;
        uint16_t len = 0;
        struct payload p;
        const char *topic;
        bool valid;

        if (bridge_retained(b, msg))
                return;
        mosquitto_property_read_string(props, MQTT_PROP_RESPONSE_TOPIC, &response_topic, false);
        mosquitto_property_read_binary(props, MQTT_PROP_CORRELATION_DATA, &correlation, &len, false);
        payload_parse(msg->payload, (size_t) msg->payloadlen, b->config, &p);
        valid = response_topic && payload_topic_valid(response_topic, b->config);
        if (response_topic && !valid) {
                p.request = json_free(p.request);
                p.verb = NULL;
                cJSON_Delete(p.answer);
                p.answer = payload_topic_error("response_topic");
        }
        topic = valid ? response_topic : p.reply_to ? p.reply_to : b->topic_reply;
        bridge_request(b, &p, topic, correlation, len, msg);
        payload_done(&p);
        free(response_topic);
        free(correlation);
}

static void bridge_on_broker_connected(void *userdata)
{
        struct bridge *b = userdata;

        b->subscribed = false;
        b->sub_mids[0] = b->sub_mids[1] = -1;
        broker_subscribe(b->broker, b->topic_cmd, &b->sub_mids[0]);
        broker_subscribe(b->broker, b->topic_all, &b->sub_mids[1]);
        bridge_online_publish(b);
        if (b->status_text)
                broker_publish(b->broker, b->topic_status, b->status_text, 1, true, NULL, 0);
}

/* Online only once both cmd topics are granted: before, a request sent
 * on seeing online true could be lost. */
static void bridge_on_broker_subscribed(void *userdata, int mid, bool granted)
{
        struct bridge *b = userdata;
        const char *topics[] = { b->topic_cmd, b->topic_all };

        for (size_t i = 0; i < 2; i++)
                if (mid > 0 && b->sub_mids[i] == mid) {
                        b->sub_mids[i] = granted ? 0 : -1;
                        if (!granted)
                                log_error("The broker refused the subscription to %s: the bridge "
                                          "stays offline (check the broker's ACL)", topics[i]);
                }
        if (!b->subscribed && b->sub_mids[0] == 0 && b->sub_mids[1] == 0) {
                b->subscribed = true;
                bridge_online_publish(b);
        }
}

static const struct broker_callbacks bridge_broker_callbacks = {
        .connected = bridge_on_broker_connected,
        .subscribed = bridge_on_broker_subscribed,
        .message = bridge_on_message,
};

/* ---- status: {"device","group","queue","servos"}, retained ---- */

static void bridge_status_compose(struct bridge *b, const cJSON *servos)
{
        static const char *const fields[] = { "device", "group", "queue", NULL };
        cJSON *status = cJSON_CreateObject();
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(servos, "servos");
        char *text;

        for (const char *const *f = fields; *f; f++) {
                const cJSON *v = cJSON_GetObjectItemCaseSensitive(b->status, *f);

                cJSON_AddItemToObject(status, *f, v ? cJSON_Duplicate(v, true) : cJSON_CreateNull());
        }
        cJSON_AddItemToObject(status, "servos", list ? cJSON_Duplicate(list, true) :
                                                       cJSON_CreateArray());
        text = mem_check(cJSON_PrintUnformatted(status));
        cJSON_Delete(status);
        if (b->status_text && strcmp(text, b->status_text) == 0) {
                free(text);
                return;
        }
        free(b->status_text);
        b->status_text = text;
        if (broker_connected(b->broker))
                broker_publish(b->broker, b->topic_status, text, 1, true, NULL, 0);
}

static void bridge_on_servos(void *userdata, struct lsc_client *c, const cJSON *response, int error)
{
        struct bridge *b = userdata;

        if (error == 0 && b->status)
                bridge_status_compose(b, response);
        b->status = json_free(b->status);
        b->status_reading = false;
        if (b->status_wanted)
                bridge_status_want(b);
}

static void bridge_on_status(void *userdata, struct lsc_client *c, const cJSON *response, int error)
{
        struct bridge *b = userdata;

        cJSON_Delete(b->status);
        b->status = error == 0 ? cJSON_Duplicate(response, true) : NULL;
}

static int bridge_on_status_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct bridge *b = userdata;
        cJSON *status = lsc_client_request_new("status");
        cJSON *servos = lsc_client_request_new("servos");

        b->status_timer = sd_event_source_disable_unref(b->status_timer);
        if (b->lsc_ready && lsc_client_send(b->reader, status, bridge_on_status, b) == 0 &&
            lsc_client_send(b->reader, servos, bridge_on_servos, b) == 0) {
                b->status_wanted = false;
                b->status_reading = true;
                b->status_at = clock_usec(CLOCK_MONOTONIC);
        }
        cJSON_Delete(status);
        cJSON_Delete(servos);
        return 0;
}

/* Read the status again, at most once per PACE_STATUS_USEC. */
static void bridge_status_want(struct bridge *b)
{
        uint64_t at = pace_status_at(b->status_at, clock_usec(CLOCK_MONOTONIC));
        int r;

        b->status_wanted = true;
        if (b->status_timer || b->status_reading || !b->lsc_ready)
                return;
        r = sd_event_add_time(b->event, &b->status_timer, CLOCK_MONOTONIC, at, 0,
                              bridge_on_status_timer, b);
        if (r < 0)
                log_error_errno(r, "Cannot arm the status timer");
}

/* ---- lscd ---- */

static void bridge_on_event(struct bridge *b, cJSON *event)
{
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(event, "event");
        const char *n = cJSON_GetStringValue(name);
        char *topic;

        if (!n || !n[0] || strpbrk(n, "/+#"))
                return;
        topic = mem_printf("%s/%s/event/%s", b->config->prefix, b->config->id, n);
        if (broker_connected(b->broker))
                broker_publish(b->broker, topic, lsc_client_line(event), payload_event_qos(n), false,
                               NULL, 0);
        free(topic);
        bridge_status_want(b);
}

/* Answer what still waits for lscd CODE, and forget it: its connection is
 * closing, and liblsc drops the callbacks of what it did not answer. */
static void bridge_flights_fail(struct bridge *b, enum lsc_errcode code, const char *message)
{
        cJSON *error = payload_error(lsc_errcode_name(code), NULL, message);

        while (b->flights) {
                struct flight *f = b->flights;

                if (b->broker)
                        bridge_flight_answer(b, f, error);
                LIST_REMOVE(b->flights, f, prev, next);
                bridge_flight_free(f);
        }
        b->n_flights = b->n_scheduled = b->flight_bytes = 0;
        cJSON_Delete(error);
}

static void bridge_lscd_close(struct bridge *b)
{
        b->lsc_io = sd_event_source_disable_unref(b->lsc_io);
        b->reader_io = sd_event_source_disable_unref(b->reader_io);
        b->lsc = lsc_client_free(b->lsc);
        b->reader = lsc_client_free(b->reader);
}

static void bridge_lscd_lost(struct bridge *b, int error)
{
        log_warning_errno(error, "Lost lscd at %s, reconnecting", lsc_client_socket_path(b->lsc));
        bridge_flights_fail(b, LSC_ERRCODE_NOT_CONNECTED,
                            "lscd went away before it answered: the request may have run");
        bridge_lscd_close(b);
        pace_backoff_down(&b->lsc_backoff, clock_usec(CLOCK_MONOTONIC));
        b->lsc_ready = false;
        b->status = json_free(b->status);
        b->status_reading = false;
        b->status_timer = sd_event_source_disable_unref(b->status_timer);
        bridge_online_publish(b);
        bridge_lscd_arm_retry(b);
}

static int bridge_on_lscd_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct bridge *b = userdata;
        int r = lsc_client_process(b->lsc);
        cJSON *event;

        while (r >= 0 && lsc_client_next_event(b->lsc, &event) == 1) {
                bridge_on_event(b, event);
                cJSON_Delete(event);
        }
        if (r < 0)
                bridge_lscd_lost(b, r);
        return 0;
}

static int bridge_on_reader_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct bridge *b = userdata;
        int r = lsc_client_process(b->reader);
        cJSON *event;

        while (r >= 0 && lsc_client_next_event(b->reader, &event) == 1)
                cJSON_Delete(event);    /* not subscribed: lscd's hello */
        if (r < 0)
                bridge_lscd_lost(b, r);
        return 0;
}

/* Write what requests wait for: sends from MQTT callbacks only queue. */
static int bridge_on_lscd_post(sd_event_source *s, void *userdata)
{
        struct bridge *b = userdata;

        if (b->lsc_io)
                sd_event_source_set_io_events(b->lsc_io, lsc_client_events(b->lsc) & POLLOUT ?
                                              EPOLLIN | EPOLLOUT : EPOLLIN);
        if (b->reader_io)
                sd_event_source_set_io_events(b->reader_io, lsc_client_events(b->reader) & POLLOUT ?
                                              EPOLLIN | EPOLLOUT : EPOLLIN);
        return 0;
}

static void bridge_on_subscribed(void *userdata, struct lsc_client *c, const cJSON *response,
                                 int error)
{
        struct bridge *b = userdata;

        if (error) {
                log_error("lscd refused the bridge's subscription: %s",
                          error == -EREMOTEIO ? lsc_client_error_message(c) : strerror(-error));
                return;
        }
        log_info("Connected to lscd at %s", lsc_client_socket_path(c));
        b->lsc_ready = true;
        pace_backoff_up(&b->lsc_backoff, clock_usec(CLOCK_MONOTONIC));
        pace_failure_clear(&b->lsc_failure);
        bridge_online_publish(b);
        bridge_status_want(b);
}

/* Connect *RET to lscd, say hello as NAME (with on_disconnect "drop" for
 * the network's connection), and watch it with HANDLER into *IO. */
static int bridge_lscd_open(struct bridge *b, const char *name, struct lsc_client **ret,
                            sd_event_source **io, sd_event_io_handler_t handler)
{
        cJSON *hello = lsc_client_request_new("hello");
        int r = lsc_client_connect(b->config->socket, ret);

        cJSON_AddStringToObject(hello, "name", name);
        /* What the network scheduled or queued does not outlive the bridge. */
        if (ret == &b->lsc)
                cJSON_AddStringToObject(hello, "on_disconnect", "drop");
        if (r >= 0)
                r = lsc_client_send(*ret, hello, NULL, NULL);
        if (r >= 0)
                r = sd_event_add_io(b->event, io, lsc_client_fd(*ret), EPOLLIN, handler, b);
        cJSON_Delete(hello);
        return r;
}

static int bridge_lscd_connect(struct bridge *b)
{
        cJSON *subscribe = lsc_client_request_subscribe(NULL, 0);
        int r = bridge_lscd_open(b, "mqtt", &b->lsc, &b->lsc_io, bridge_on_lscd_io);

        if (r >= 0)
                r = bridge_lscd_open(b, "mqtt-status", &b->reader, &b->reader_io,
                                     bridge_on_reader_io);
        if (r >= 0)
                r = lsc_client_send(b->lsc, subscribe, bridge_on_subscribed, b);
        cJSON_Delete(subscribe);
        if (r < 0)
                bridge_lscd_close(b);
        return r;
}

static int bridge_on_lscd_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct bridge *b = userdata;
        int r;

        b->lsc_retry = sd_event_source_disable_unref(b->lsc_retry);
        r = bridge_lscd_connect(b);
        if (r < 0) {
                if (pace_failure_new(&b->lsc_failure, strerror(-r)))
                        log_warning("Cannot connect to lscd at %s, retrying: %s (logged again "
                                    "when the reason changes)",
                                    b->config->socket ? b->config->socket :
                                    lsc_client_default_socket(), strerror(-r));
                else
                        log_debug_errno(r, "Cannot connect to lscd");
                bridge_lscd_arm_retry(b);
        }
        return 0;
}

static void bridge_lscd_arm_retry(struct bridge *b)
{
        uint64_t delay = pace_backoff_next(&b->lsc_backoff);
        int r;

        r = sd_event_add_time_relative(b->event, &b->lsc_retry, CLOCK_MONOTONIC, delay, 0,
                                       bridge_on_lscd_retry, b);
        if (r < 0)
                log_error_errno(r, "Cannot arm lscd's reconnect timer");
}

int bridge_new(sd_event *event, const struct mqtt_config *c, struct bridge **ret)
{
        struct bridge *b = mem_new0(struct bridge);
        int r;

        b->event = event;
        b->config = c;
        b->dedup = dedup_new();
        pace_backoff_init(&b->lsc_backoff, BRIDGE_LSCD_BACKOFF_MIN_USEC, BRIDGE_LSCD_BACKOFF_MAX_USEC);
        b->topic_cmd = mem_printf("%s/%s/cmd", c->prefix, c->id);
        b->topic_all = mem_printf("%s/all/cmd", c->prefix);
        b->topic_online = mem_printf("%s/%s/online", c->prefix, c->id);
        b->topic_status = mem_printf("%s/%s/status", c->prefix, c->id);
        b->topic_reply = mem_printf("%s/%s/reply", c->prefix, c->id);
        r = sd_event_add_post(event, &b->lsc_post, bridge_on_lscd_post, b);
        if (r >= 0)
                r = broker_new(event, c, b->topic_online, &bridge_broker_callbacks, b, &b->broker);
        if (r < 0) {
                bridge_free(b);
                return r;
        }
        bridge_on_lscd_retry(NULL, 0, b);
        *ret = b;
        return 0;
}

struct bridge *bridge_free(struct bridge *b)
{
        if (!b)
                return NULL;
        bridge_flights_fail(b, LSC_ERRCODE_SHUTDOWN, "lscd-mqtt is stopping: the request may have run");
        bridge_lscd_close(b);
        b->broker = broker_free(b->broker);
        sd_event_source_disable_unref(b->lsc_retry);
        sd_event_source_disable_unref(b->lsc_post);
        sd_event_source_disable_unref(b->status_timer);
        cJSON_Delete(b->status);
        free(b->status_text);
        dedup_free(b->dedup);
        free(b->topic_cmd);
        free(b->topic_all);
        free(b->topic_online);
        free(b->topic_status);
        free(b->topic_reply);
        free(b);
        return NULL;
}

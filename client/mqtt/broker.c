/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "broker.h"
#include "clock.h"
#include "log.h"
#include "mem.h"
#include "pace.h"
#include "yamldoc.h"

#define BROKER_BACKOFF_MIN_USEC (100 * 1000ULL)
#define BROKER_BACKOFF_MAX_USEC (10 * 1000 * 1000ULL)
#define BROKER_MISC_USEC (1000 * 1000ULL)
#define BROKER_PASSWORD_MAX 4096
/* The system's CA certificates, for TLS with a client certificate and no "ca". */
#define BROKER_CA_PATH "/etc/ssl/certs"

/* Invariants: io watches fd, which is mosquitto_socket() as of the last
 * broker_sync() (-1: none); retry is armed only while not connected and
 * not connecting; backoff doubles from MIN to MAX, and starts over after
 * a connection that stayed up (pace.h); failure is the last failure
 * logged, cleared by a CONNACK; refused from a refusing CONNACK to the
 * connection's end, whose error is the refusal's, not a new reason. */
struct broker {
        sd_event *event;
        struct mosquitto *mosq;
        const char *will_topic;
        struct broker_callbacks cb;
        void *userdata;
        sd_event_source *io, *misc, *retry, *post;
        int fd;
        bool connected, refused;
        struct pace_backoff backoff;
        struct pace_failure failure;
        char host[256];
        int port, keepalive;
};

static void broker_arm_retry(struct broker *b);

/* Log a failure to connect: a warning the first time and when its reason
 * changes, else at the debug level. */
static void broker_failed(struct broker *b, const char *reason)
{
        log_full(pace_failure_new(&b->failure, reason) ? LOG_WARNING : LOG_DEBUG,
                 "Cannot connect to the broker %s:%d, retrying: %s", b->host, b->port, reason);
}

/* Watch what libmosquitto's socket needs now: run after every dispatch, as
 * a publish from a callback only queues its bytes. */
static int broker_on_post(sd_event_source *s, void *userdata);

static int broker_on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct broker *b = userdata;
        int r = MOSQ_ERR_SUCCESS;

        if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                r = mosquitto_loop_read(b->mosq, 1);
        if (r == MOSQ_ERR_SUCCESS && (revents & EPOLLOUT))
                r = mosquitto_loop_write(b->mosq, 1);
        if (r == MOSQ_ERR_SUCCESS || r == MOSQ_ERR_NO_CONN)
                return 0;
        if (b->connected || b->refused)
                log_debug("Broker connection: %s", mosquitto_strerror(r));
        else
                broker_failed(b, r == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(r));
        b->refused = false;
        if (mosquitto_socket(b->mosq) >= 0)
                mosquitto_disconnect(b->mosq);
        return 0;
}

static int broker_on_misc(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct broker *b = userdata;

        mosquitto_loop_misc(b->mosq);
        sd_event_source_set_time(s, usec + BROKER_MISC_USEC);
        return 0;
}

static int broker_on_post(sd_event_source *s, void *userdata)
{
        struct broker *b = userdata;
        int fd = mosquitto_socket(b->mosq);
        uint32_t events = EPOLLIN | (mosquitto_want_write(b->mosq) ? EPOLLOUT : 0);
        int r;

        if (fd != b->fd) {
                b->io = sd_event_source_disable_unref(b->io);
                b->fd = -1;
                if (fd >= 0) {
                        r = sd_event_add_io(b->event, &b->io, fd, events, broker_on_io, b);
                        /* Not returned: sd-event would disable this source for good.
                         * The next dispatch (keepalive's every second) tries again. */
                        if (r < 0) {
                                log_error_errno(r, "Cannot watch the broker's socket");
                                return 0;
                        }
                        b->fd = fd;
                }
        } else if (b->io)
                sd_event_source_set_io_events(b->io, events);
        if (fd < 0 && !b->connected && !b->retry)
                broker_arm_retry(b);
        return 0;
}

static int broker_on_retry(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct broker *b = userdata;
        int r;

        b->retry = sd_event_source_disable_unref(b->retry);
        r = mosquitto_connect_async(b->mosq, b->host, b->port, b->keepalive);
        if (r != MOSQ_ERR_SUCCESS) {
                broker_failed(b, r == MOSQ_ERR_ERRNO ? strerror(errno) : mosquitto_strerror(r));
                broker_arm_retry(b);
        }
        return 0;
}

/* The next attempt after the backoff, with up to half of it again at random
 * so that a fleet does not reconnect in step. */
static void broker_arm_retry(struct broker *b)
{
        uint64_t backoff = pace_backoff_next(&b->backoff);
        uint64_t delay = backoff + (uint64_t) random() % (backoff / 2 + 1);
        int r;

        r = sd_event_add_time_relative(b->event, &b->retry, CLOCK_MONOTONIC, delay, 0,
                                       broker_on_retry, b);
        if (r < 0)
                log_error_errno(r, "Cannot arm the broker's reconnect timer");
}

static void broker_on_connect(struct mosquitto *m, void *userdata, int rc, int flags,
                              const mosquitto_property *props)
{
        struct broker *b = userdata;

        char reason[96];

        if (rc != 0) {
                snprintf(reason, sizeof(reason), "refused: %s", mosquitto_reason_string(rc));
                broker_failed(b, reason);
                b->refused = true;
                return;
        }
        log_info("Connected to the broker %s:%d", b->host, b->port);
        b->connected = true;
        b->refused = false;
        pace_backoff_up(&b->backoff, clock_usec(CLOCK_MONOTONIC));
        pace_failure_clear(&b->failure);
        b->cb.connected(b->userdata);
}

static void broker_on_disconnect(struct mosquitto *m, void *userdata, int rc,
                                 const mosquitto_property *props)
{
        struct broker *b = userdata;

        if (b->connected)
                log_warning("Disconnected from the broker %s:%d (%s), reconnecting", b->host,
                            b->port, mosquitto_reason_string(rc));
        b->connected = false;
        pace_backoff_down(&b->backoff, clock_usec(CLOCK_MONOTONIC));
}

static void broker_on_message(struct mosquitto *m, void *userdata,
                              const struct mosquitto_message *msg, const mosquitto_property *props)
{
        struct broker *b = userdata;

        b->cb.message(b->userdata, msg, props);
}

/* Whether the password file PATH is kept from other users: not readable
 * nor writable by others, nor writable by its group, and readable by its
 * group only when that is the bridge's own (root:lscd, 0640). As ssh does
 * with a private key, a file open to others is refused. */
static int broker_password_private(const char *path)
{
        struct stat st;

        if (stat(path, &st) < 0)
                return 0;               /* yamldoc_read() says why */
        if ((st.st_mode & (S_IRWXO | S_IWGRP)) ||
            ((st.st_mode & S_IRGRP) && st.st_gid != getegid())) {
                log_error("The password file %s is open to other users (mode %04o): refused; "
                          "chmod 600, or 640 with the bridge's group", path,
                          (unsigned) (st.st_mode & 07777));
                return -EPERM;
        }
        return 0;
}

static void broker_on_subscribe(struct mosquitto *m, void *userdata, int mid, int count,
                                const int *granted, const mosquitto_property *props)
{
        struct broker *b = userdata;

        /* One topic per SUBSCRIBE: a code of 0x80 or more refuses it. */
        b->cb.subscribed(b->userdata, mid, count == 1 && granted[0] >= 0 && granted[0] < 0x80);
}

/* The first line of the password file, without its line break. */
static int broker_password(const char *path, char **ret)
{
        char *text;
        size_t len;
        int r = broker_password_private(path);

        if (r < 0)
                return r;
        r = yamldoc_read(path, BROKER_PASSWORD_MAX, &text, &len);
        if (r < 0) {
                char *why = yamldoc_read_error(path, BROKER_PASSWORD_MAX, r);

                log_lines(LOG_ERR, why);
                free(why);
                return r;
        }
        text[len] = '\0';
        text[strcspn(text, "\r\n")] = '\0';
        if (!text[0]) {
                free(text);
                log_error("The password file %s has no password: its first line is the password",
                          path);
                return -EINVAL;
        }
        *ret = text;
        return 0;
}

/* Whether the TLS file PATH (the configuration's NAME) can be read. */
static int broker_tls_file(const char *path, const char *name)
{
        struct stat st;

        if (!path)
                return 0;
        if (stat(path, &st) < 0 || access(path, R_OK) < 0)
                return log_error_errno(-errno, "Cannot read the TLS %s %s", name, path);
        if (!S_ISREG(st.st_mode))
                return log_error_errno(-EINVAL, "The TLS %s %s is not a regular file", name, path);
        return 0;
}

int broker_check(const struct mqtt_config *c)
{
        char *password = NULL;
        int r = 0;

        if (c->username) {
                r = broker_password(c->password_file, &password);
                free(password);
        }
        if (r >= 0 && mqtt_config_tls(c))
                r = broker_tls_file(c->ca_file, "ca");
        if (r >= 0 && mqtt_config_tls(c))
                r = broker_tls_file(c->cert_file, "cert");
        if (r >= 0 && mqtt_config_tls(c))
                r = broker_tls_file(c->key_file, "key");
        return r < 0 ? -EINVAL : 0;
}

static int broker_setup(struct broker *b, const struct mqtt_config *c)
{
        char *password = NULL;
        int r;

        mosquitto_int_option(b->mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
        /* An answer is one small packet: Nagle would hold it for the ACK. */
        mosquitto_int_option(b->mosq, MOSQ_OPT_TCP_NODELAY, 1);
        r = mosquitto_will_set_v5(b->mosq, b->will_topic, 5, "false", 1, true, NULL);
        if (r == MOSQ_ERR_SUCCESS && c->username) {
                if (broker_password(c->password_file, &password) < 0)
                        return -EINVAL;
                r = mosquitto_username_pw_set(b->mosq, c->username, password);
                free(password);
        }
        /* TLS options never fall back to plaintext: without "ca", the
         * system's certificates verify the broker. */
        if (r == MOSQ_ERR_SUCCESS && mqtt_config_tls(c))
                r = mosquitto_tls_set(b->mosq, c->ca_file, c->ca_file ? NULL : BROKER_CA_PATH,
                                      c->cert_file, c->key_file, NULL);
        if (r != MOSQ_ERR_SUCCESS) {
                log_error("Cannot set up the broker's connection: %s", mosquitto_strerror(r));
                return -EINVAL;
        }
        mosquitto_connect_v5_callback_set(b->mosq, broker_on_connect);
        mosquitto_disconnect_v5_callback_set(b->mosq, broker_on_disconnect);
        mosquitto_message_v5_callback_set(b->mosq, broker_on_message);
        mosquitto_subscribe_v5_callback_set(b->mosq, broker_on_subscribe);
        return 0;
}

int broker_new(sd_event *event, const struct mqtt_config *c, const char *will_topic,
               const struct broker_callbacks *cb, void *userdata, struct broker **ret)
{
        struct broker *b = mem_new0(struct broker);
        char client_id[MQTT_CONFIG_PREFIX_MAX + MQTT_CONFIG_ID_MAX + 16];
        int r;

        *b = (struct broker) { .event = event, .will_topic = will_topic, .cb = *cb,
                               .userdata = userdata, .fd = -1, .port = c->port,
                               .keepalive = c->keepalive };
        pace_backoff_init(&b->backoff, BROKER_BACKOFF_MIN_USEC, BROKER_BACKOFF_MAX_USEC);
        snprintf(b->host, sizeof(b->host), "%s", c->host);
        snprintf(client_id, sizeof(client_id), "lscd-mqtt/%s/%s", c->prefix, c->id);
        /* A clean session: a command queued while the bridge was away would
         * move the robot late, when nobody waits for it any more. */
        b->mosq = mosquitto_new(client_id, true, b);
        r = b->mosq ? broker_setup(b, c) : -ENOMEM;
        if (r >= 0)
                r = sd_event_add_post(event, &b->post, broker_on_post, b);
        if (r >= 0)
                r = sd_event_add_time_relative(event, &b->misc, CLOCK_MONOTONIC, BROKER_MISC_USEC,
                                               0, broker_on_misc, b);
        if (r >= 0)
                r = sd_event_source_set_enabled(b->misc, SD_EVENT_ON);
        if (r < 0) {
                broker_free(b);
                return r;
        }
        broker_on_retry(NULL, 0, b);
        broker_on_post(NULL, b);
        *ret = b;
        return 0;
}

struct broker *broker_free(struct broker *b)
{
        if (!b)
                return NULL;
        if (b->connected) {
                broker_publish(b, b->will_topic, "false", 1, true, NULL, 0);
                b->connected = false;   /* a disconnection asked for, not lost */
                mosquitto_disconnect(b->mosq);
        }
        sd_event_source_disable_unref(b->io);
        sd_event_source_disable_unref(b->misc);
        sd_event_source_disable_unref(b->retry);
        sd_event_source_disable_unref(b->post);
        mosquitto_destroy(b->mosq);
        free(b);
        return NULL;
}

bool broker_connected(const struct broker *b)
{
        return b->connected;
}

int broker_subscribe(struct broker *b, const char *topic, int *ret_mid)
{
        /* A retained request is not sent: it would run at every connection;
         * and one published live keeps its retain flag, so that it is known. */
        int r = mosquitto_subscribe_v5(b->mosq, ret_mid, topic, 1,
                                       MQTT_SUB_OPT_SEND_RETAIN_NEVER |
                                       MQTT_SUB_OPT_RETAIN_AS_PUBLISHED, NULL);

        if (r == MOSQ_ERR_SUCCESS)
                return 0;
        log_warning("Cannot subscribe to %s: %s", topic, mosquitto_strerror(r));
        return -EIO;
}

int broker_publish(struct broker *b, const char *topic, const char *payload, int qos, bool retain,
                   const void *correlation, size_t len)
{
        mosquitto_property *props = NULL;
        int r = MOSQ_ERR_SUCCESS;

        if (correlation)
                r = mosquitto_property_add_binary(&props, MQTT_PROP_CORRELATION_DATA, correlation,
                                                  (uint16_t) len);
        if (r == MOSQ_ERR_SUCCESS)
                r = mosquitto_publish_v5(b->mosq, NULL, topic, (int) strlen(payload), payload, qos,
                                         retain, props);
        mosquitto_property_free_all(&props);
        if (r != MOSQ_ERR_SUCCESS) {
                log_debug("Cannot publish to %s: %s", topic, mosquitto_strerror(r));
                return -EIO;
        }
        return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * lscd-mqtt: one robot's bridge between lscd and an MQTT broker (see
 * lscd-mqtt(8)).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <mosquitto.h>
#include <systemd/sd-event.h>

#include "bridge.h"
#include "broker.h"
#include "mqtt-config.h"
#include "log.h"
#include "lsc/client.h"
#include "mem.h"

static void main_help(void)
{
        printf("Usage: lscd-mqtt --id ROBOT --broker HOST[:PORT] [OPTION]...\n"
               "Bridge one robot's lscd to an MQTT broker: its requests on\n"
               "PREFIX/ROBOT/cmd and PREFIX/all/cmd, its events, status and online state\n"
               "as topics (see lscd-mqtt(8)).\n\n"
               "  -c, --config FILE       the configuration file (YAML); the options below\n"
               "                          override it\n"
               "  -i, --id ROBOT          the robot's id in topics ([A-Za-z0-9_-], not \"all\")\n"
               "  -b, --broker HOST[:PORT]  the broker (default port 1883, 8883 with TLS)\n"
               "  -s, --socket PATH       lscd's socket (default $LSCD_SOCKET, else\n"
               "                          " LSC_CLIENT_DEFAULT_SOCKET ")\n"
               "      --check-config      check the configuration, print its errors, and exit\n"
               "      --log-level LEVEL   err, warning, notice, info or debug (default info)\n"
               "  -h, --help              show this help and exit\n"
               "  -V, --version           show the version and exit\n");
}

enum { OPT_LOG_LEVEL = 0x100, OPT_CHECK_CONFIG };

static const struct option main_options[] = {
        { "config", required_argument, NULL, 'c' },
        { "id", required_argument, NULL, 'i' },
        { "broker", required_argument, NULL, 'b' },
        { "socket", required_argument, NULL, 's' },
        { "check-config", no_argument, NULL, OPT_CHECK_CONFIG },
        { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { 0 }
};

/* The command line's values, applied over the file's. */
struct main_args {
        const char *config, *id, *broker, *socket;
        bool check;
};

static int main_usage(const char *message, const char *arg)
{
        if (message)
                fprintf(stderr, "lscd-mqtt: %s%s%s\n", message, arg ? ": " : "", arg ? arg : "");
        fprintf(stderr, "Try 'lscd-mqtt --help' for more information.\n");
        return 2;
}

/* 0 to go on, else the exit status. */
static int main_parse(int argc, char *argv[], struct main_args *a)
{
        int c, r;

        while ((c = getopt_long(argc, argv, "c:i:b:s:hV", main_options, NULL)) >= 0) {
                if (optarg && !*optarg)
                        return main_usage("empty argument", argv[optind - 1]);
                switch (c) {
                case 'c': a->config = optarg; break;
                case 'i': a->id = optarg; break;
                case 'b': a->broker = optarg; break;
                case 's': a->socket = optarg; break;
                case OPT_CHECK_CONFIG: a->check = true; break;
                case OPT_LOG_LEVEL:
                        r = log_level_from_string(optarg);
                        if (r < 0)
                                return main_usage("invalid log level", optarg);
                        log_set_max_level(r);
                        break;
                case 'h': main_help(); return -1;
                case 'V': printf("lscd-mqtt %s\n", PACKAGE_VERSION); return -1;
                default: return main_usage(NULL, NULL);
                }
        }
        if (optind < argc)
                return main_usage("unexpected argument", argv[optind]);
        return 0;
}

/* The file, then the command line, into c: 0 or the exit status. */
static int main_config(const struct main_args *a, struct mqtt_config *c)
{
        char *errors = NULL;

        if (a->config && mqtt_config_load(c, a->config, &errors) < 0)
                goto invalid;
        if (a->id && !mqtt_config_id_valid(a->id))
                return main_usage("--id: not a robot id ([A-Za-z0-9_-], at most 64 bytes, not "
                                  "\"all\")", a->id);
        if (a->id) {
                free(c->id);
                c->id = mem_strdup(a->id);
        }
        if (a->broker && mqtt_config_set_broker(c, a->broker) < 0)
                return main_usage("--broker: not HOST[:PORT]", a->broker);
        if (a->socket) {
                free(c->socket);
                c->socket = mem_strdup(a->socket);
        }
        if (mqtt_config_check(c, &errors) < 0)
                goto invalid;
        return 0;
invalid:
        log_lines(LOG_ERR, errors);
        free(errors);
        return 1;
}

static int main_on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
        log_info("Stopping on signal %u", si->ssi_signo);
        return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int main_run(const struct mqtt_config *c)
{
        sd_event *event = NULL;
        struct bridge *b = NULL;
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        signal(SIGPIPE, SIG_IGN);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(-errno, "Cannot block signals");
        r = sd_event_default(&event);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM, main_on_terminate, NULL);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, main_on_terminate, NULL);
        /* No configuration is read again: a hangup stops, as SIGTERM does. */
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGHUP, main_on_terminate, NULL);
        if (r >= 0)
                r = bridge_new(event, c, &b);
        if (r >= 0) {
                log_info("lscd-mqtt %s: robot %s, broker %s:%d, topics %s/%s/...", PACKAGE_VERSION,
                         c->id, c->host, c->port, c->prefix, c->id);
                r = sd_event_loop(event);
        }
        if (r < 0)
                log_error_errno(r, "lscd-mqtt failed");
        bridge_free(b);
        sd_event_unref(event);
        return r < 0 ? 1 : 0;
}

int main(int argc, char *argv[])
{
        struct main_args a = { 0 };
        struct mqtt_config c;
        int r;

        mem_json_hooks();
        r = main_parse(argc, argv, &a);
        if (r)
                return r < 0 ? 0 : r;
        mqtt_config_init(&c);
        r = main_config(&a, &c);
        if (r == 0 && broker_check(&c) < 0)
                r = 1;
        if (r == 0 && a.check)
                printf("%s: the configuration is valid\n", a.config ? a.config : "lscd-mqtt");
        else if (r == 0) {
                srandom((unsigned) (getpid() ^ time(NULL)));
                mosquitto_lib_init();
                r = main_run(&c);
                mosquitto_lib_cleanup();
        }
        mqtt_config_free(&c);
        return r;
}

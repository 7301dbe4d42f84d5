/* SPDX-License-Identifier: MIT */
/*
 * lscd-web: a control panel for lscd in the browser. Serves the page and
 * an HTTP API (POST /api/VERB, GET /api/events) and speaks to lscd through
 * liblsc (see lscd-web(8)).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "number.h"
#include "web.h"

#define WEB_TOKEN_MIN 8

/* Log a refusal (no errno: it is not one) and return -EINVAL. */
#define lscd_web_refuse(...) (log_error(__VA_ARGS__), -EINVAL)

static void lscd_web_help(void)
{
        printf("Usage: lscd-web [OPTION]...\n"
               "A control panel for lscd in the browser (see lscd-web(8)).\n\n"
               "  -l, --listen ADDR:PORT  where to serve HTTP (default " WEB_LISTEN_DEFAULT ");\n"
               "                          an address that is not loopback needs --token-file\n"
               "  -s, --socket PATH       lscd's socket (default $LSCD_SOCKET or\n"
               "                          /run/lscd/lscd.sock)\n"
               "      --token-file FILE   the login token, readable by this user only\n"
               "      --www DIR           the page's files (default " LSCD_WEB_WWW ")\n"
               "      --name NAME         the name lscd-web gives lscd (default lscd-web)\n"
               "      --idle-timeout S    close a connection idle this long (default 30)\n"
               "      --request-timeout S answer 504 to a request lscd has not answered\n"
               "                          this long (default 60)\n"
               "      --read-timeout S    close a connection whose request has not all\n"
               "                          come this long after it could start (default 10)\n"
               "      --log-level LEVEL   err, warning, notice, info or debug (default info)\n"
               "  -h, --help              show this help and exit\n"
               "  -V, --version           show the version and exit\n");
}

/* The token: the first line of FILE, which no one else may read, of
 * WEB_TOKEN_MIN to WEB_TOKEN_MAX characters (a longer one is refused, not
 * cut). */
static int lscd_web_token(const char *file, char *token)
{
        char line[WEB_TOKEN_MAX + 2];
        struct stat st;
        ssize_t n;
        int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return log_error_errno(-errno, "cannot open %s", file);
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
                close(fd);
                return lscd_web_refuse("%s is not a regular file", file);
        }
        if (st.st_mode & 0077) {
                close(fd);
                return lscd_web_refuse("%s may be read by others: chmod 600 it", file);
        }
        n = read(fd, line, sizeof(line) - 1);
        close(fd);
        if (n < 0)
                return log_error_errno(-errno, "cannot read %s", file);
        line[n] = '\0';
        line[strcspn(line, "\r\n")] = '\0';
        if (strlen(line) < WEB_TOKEN_MIN || strlen(line) > WEB_TOKEN_MAX)
                return lscd_web_refuse("%s: the token must be %d to %d characters",
                                       file, WEB_TOKEN_MIN, WEB_TOKEN_MAX);
        memcpy(token, line, strlen(line) + 1);
        return 0;
}

enum { OPT_TOKEN_FILE = 0x100, OPT_WWW, OPT_NAME, OPT_IDLE_TIMEOUT, OPT_REQUEST_TIMEOUT, OPT_READ_TIMEOUT, OPT_LOG_LEVEL };

static const struct option lscd_web_options[] = {
        { "listen", required_argument, NULL, 'l' },
        { "socket", required_argument, NULL, 's' },
        { "token-file", required_argument, NULL, OPT_TOKEN_FILE },
        { "www", required_argument, NULL, OPT_WWW },
        { "name", required_argument, NULL, OPT_NAME },
        { "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
        { "request-timeout", required_argument, NULL, OPT_REQUEST_TIMEOUT },
        { "read-timeout", required_argument, NULL, OPT_READ_TIMEOUT },
        { "log-level", required_argument, NULL, OPT_LOG_LEVEL },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { 0 }
};

static int lscd_web_seconds(const char *option, const char *text, unsigned *ret)
{
        unsigned long seconds;

        if (number_parse(text, 10, 1, 3600, &seconds) < 0)
                return lscd_web_refuse("%s: not 1 to 3600 seconds: %s", option, text);
        *ret = (unsigned) seconds;
        return 0;
}

/* Returns 0 to run, 1 to exit with success, -EINVAL for a usage error. */
static int lscd_web_parse(int argc, char **argv, struct web_options *opt, const char **token_file)
{
        int c, r;

        while ((c = getopt_long(argc, argv, "l:s:hV", lscd_web_options, NULL)) >= 0) {
                switch (c) {
                case 'l': opt->listen_text = optarg; break;
                case 's': opt->socket = optarg; break;
                case OPT_TOKEN_FILE: *token_file = optarg; break;
                case OPT_WWW: opt->www = optarg; break;
                case OPT_NAME: opt->name = optarg; break;
                case OPT_IDLE_TIMEOUT:
                        if (lscd_web_seconds("--idle-timeout", optarg, &opt->idle_timeout_s) < 0)
                                return -EINVAL;
                        break;
                case OPT_REQUEST_TIMEOUT:
                        if (lscd_web_seconds("--request-timeout", optarg, &opt->request_timeout_s) < 0)
                                return -EINVAL;
                        break;
                case OPT_READ_TIMEOUT:
                        if (lscd_web_seconds("--read-timeout", optarg, &opt->read_timeout_s) < 0)
                                return -EINVAL;
                        break;
                case OPT_LOG_LEVEL:
                        r = log_level_from_string(optarg);
                        if (r < 0)
                                return lscd_web_refuse("--log-level: not a level: %s", optarg);
                        log_set_max_level(r);
                        break;
                case 'h': lscd_web_help(); return 1;
                case 'V': printf("lscd-web %s\n", PACKAGE_VERSION); return 1;
                default: return -EINVAL;
                }
        }
        if (optind < argc)
                return lscd_web_refuse("unexpected argument: %s", argv[optind]);
        if (web_listen_parse(opt->listen_text, &opt->listen) < 0)
                return lscd_web_refuse("--listen: not ADDR:PORT or [ADDR6]:PORT: %s",
                                       opt->listen_text);
        if (!opt->listen.loopback && !*token_file)
                return lscd_web_refuse("--listen %s is not loopback: give --token-file, "
                                       "so that the panel asks for a login", opt->listen_text);
        if (opt->socket && !*opt->socket)
                return lscd_web_refuse("--socket: an empty path");
        if (strlen(opt->name) < 1 || strlen(opt->name) > 64)
                return lscd_web_refuse("--name: 1 to 64 bytes");
        return 0;
}

int main(int argc, char **argv)
{
        struct web_options opt = {
                .listen_text = WEB_LISTEN_DEFAULT, .www = LSCD_WEB_WWW, .name = "lscd-web",
                .idle_timeout_s = WEB_IDLE_TIMEOUT_S, .request_timeout_s = WEB_REQUEST_TIMEOUT_S,
                .read_timeout_s = WEB_READ_TIMEOUT_S,
        };
        const char *token_file = NULL;
        struct web *w;
        int r;

        mem_json_hooks();
        r = lscd_web_parse(argc, argv, &opt, &token_file);
        if (r != 0)
                return r > 0 ? EXIT_SUCCESS : 2;
        if (token_file && lscd_web_token(token_file, opt.token) < 0)
                return 2;
        r = web_new(&opt, &w);
        if (r < 0)
                return EXIT_FAILURE;
        r = web_run(w);
        web_free(w);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

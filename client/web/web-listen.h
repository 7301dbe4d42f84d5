/* SPDX-License-Identifier: MIT */
/*
 * web-listen.h: the --listen ADDR:PORT of lscd-web, parsed (pure).
 */
#ifndef LSCD_WEB_LISTEN_H
#define LSCD_WEB_LISTEN_H

#include <stdbool.h>
#include <sys/socket.h>

#define WEB_LISTEN_DEFAULT "127.0.0.1:8470"

struct web_listen {
        struct sockaddr_storage addr;
        socklen_t len;
        /* The address is 127.0.0.0/8 or ::1: only this machine can connect. */
        bool loopback;
};

/* Parse "IPV4:PORT" or "[IPV6]:PORT" (numeric addresses, port 0..65535;
 * 0 takes any free port). Returns 0 or -EINVAL. */
int web_listen_parse(const char *text, struct web_listen *ret);

#endif

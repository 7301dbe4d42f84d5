/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "web-listen.h"

static int web_listen_port(const char *text, unsigned *ret)
{
        unsigned port = 0;

        if (!*text || strlen(text) > 5 || strspn(text, "0123456789") != strlen(text))
                return -EINVAL;
        for (; *text; text++)
                port = port * 10 + (unsigned) (*text - '0');
        if (port > 65535)
                return -EINVAL;
        *ret = port;
        return 0;
}

int web_listen_parse(const char *text, struct web_listen *ret)
{
        char host[INET6_ADDRSTRLEN + 2];
        const char *colon = strrchr(text, ':');
        size_t n = colon ? (size_t) (colon - text) : 0;
        unsigned port;

        if (!colon || n == 0 || n >= sizeof(host) || web_listen_port(colon + 1, &port) < 0)
                return -EINVAL;
        memcpy(host, text, n);
        host[n] = '\0';
        memset(ret, 0, sizeof(*ret));
        if (host[0] == '[' && host[n - 1] == ']') {
                struct sockaddr_in6 *a = (struct sockaddr_in6 *) &ret->addr;

                host[n - 1] = '\0';
                if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
                        return -EINVAL;
                a->sin6_family = AF_INET6;
                a->sin6_port = htons((uint16_t) port);
                ret->len = sizeof(*a);
                ret->loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
        } else {
                struct sockaddr_in *a = (struct sockaddr_in *) &ret->addr;

                if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
                        return -EINVAL;
                a->sin_family = AF_INET;
                a->sin_port = htons((uint16_t) port);
                ret->len = sizeof(*a);
                ret->loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
        }
        return 0;
}

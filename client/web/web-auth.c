/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "web-auth.h"

int web_auth_cookie(const char *header, const char *name, char *out, size_t size)
{
        size_t name_len = strlen(name);

        for (const char *p = header; p && *p;) {
                size_t len;

                p += strspn(p, " \t");
                len = strcspn(p, ";");
                if (len > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=') {
                        size_t value = len - name_len - 1;

                        while (value > 0 && (p[name_len + value] == ' ' || p[name_len + value] == '\t'))
                                value--;
                        if (value >= size)
                                return -EMSGSIZE;
                        memcpy(out, p + name_len + 1, value);
                        out[value] = '\0';
                        return (int) value;
                }
                p += len;
                if (*p == ';')
                        p++;
        }
        return -ENOENT;
}

bool web_auth_origin_ok(const char *origin, const char *host)
{
        const char *rest;

        if (!origin)
                return true;
        if (!host || !*host)
                return false;
        if (strncmp(origin, "http://", 7) == 0)
                rest = origin + 7;
        else if (strncmp(origin, "https://", 8) == 0)
                rest = origin + 8;
        else
                return false;
        return strcasecmp(rest, host) == 0;
}

/* Whether TEXT is empty or ":PORT" with at least one digit. */
static bool web_auth_port_ok(const char *text)
{
        return !*text || (*text == ':' && text[1] && strspn(text + 1, "0123456789") == strlen(text + 1));
}

/* Whether HOST starts with an IPv4 address of 127.0.0.0/8, the range
 * --listen takes for loopback; *REST is what follows it. */
static bool web_auth_host_127(const char *host, const char **rest)
{
        char addr[INET_ADDRSTRLEN];
        size_t n = strspn(host, "0123456789.");
        struct in_addr a;

        if (n == 0 || n >= sizeof(addr))
                return false;
        memcpy(addr, host, n);
        addr[n] = '\0';
        *rest = host + n;
        return inet_pton(AF_INET, addr, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

bool web_auth_host_loopback(const char *host)
{
        static const char *const names[] = { "[::1]", "localhost" };
        const char *rest;

        if (!host)
                return false;
        if (web_auth_host_127(host, &rest))
                return web_auth_port_ok(rest);
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
                size_t n = strlen(names[i]);

                if (strncasecmp(host, names[i], n) == 0 && web_auth_port_ok(host + n))
                        return true;
        }
        return false;
}

bool web_auth_equal(const char *a, size_t a_len, const char *b, size_t b_len)
{
        unsigned char diff = a_len != b_len;

        for (size_t i = 0; i < a_len; i++)
                diff |= (unsigned char) a[i] ^ (unsigned char) (i < b_len ? b[i] : 0);
        return diff == 0;
}

const char *web_auth_login(struct web_auth_logins *l, const uint8_t *random, uint64_t now)
{
        static const char hex[] = "0123456789abcdef";
        size_t best = 0;

        for (size_t i = 0; i < WEB_AUTH_LOGINS; i++) {
                if (!l->slot[i].id[0] || l->slot[i].until <= now) {
                        best = i;
                        break;
                }
                if (l->slot[i].until < l->slot[best].until)
                        best = i;
        }
        for (size_t i = 0; i < WEB_AUTH_ID_LEN / 2; i++) {
                l->slot[best].id[2 * i] = hex[random[i] >> 4];
                l->slot[best].id[2 * i + 1] = hex[random[i] & 15];
        }
        l->slot[best].id[WEB_AUTH_ID_LEN] = '\0';
        l->slot[best].until = now + WEB_AUTH_LOGIN_USEC;
        return l->slot[best].id;
}

static int web_auth_find(const struct web_auth_logins *l, const char *id)
{
        size_t len = strlen(id);

        if (len != WEB_AUTH_ID_LEN)
                return -ENOENT;
        for (size_t i = 0; i < WEB_AUTH_LOGINS; i++)
                if (l->slot[i].id[0] && web_auth_equal(l->slot[i].id, WEB_AUTH_ID_LEN, id, len))
                        return (int) i;
        return -ENOENT;
}

bool web_auth_valid(const struct web_auth_logins *l, const char *id, uint64_t now)
{
        int i = web_auth_find(l, id);

        return i >= 0 && l->slot[i].until > now;
}

void web_auth_logout(struct web_auth_logins *l, const char *id)
{
        int i = web_auth_find(l, id);

        if (i >= 0)
                l->slot[i].id[0] = '\0';
}

static bool web_auth_slot_live(const struct web_auth_throttle *t, size_t i, uint64_t now)
{
        return t->slot[i].count > 0 && now - t->slot[i].since < WEB_AUTH_FAILURES_USEC;
}

static int web_auth_throttle_find(const struct web_auth_throttle *t, const uint8_t *addr, uint64_t now)
{
        for (size_t i = 0; i < WEB_AUTH_FAILURE_SLOTS; i++)
                if (web_auth_slot_live(t, i, now) && memcmp(t->slot[i].addr, addr, 16) == 0)
                        return (int) i;
        return -ENOENT;
}

uint64_t web_auth_throttle_wait(const struct web_auth_throttle *t, const uint8_t *addr, uint64_t now)
{
        int i = web_auth_throttle_find(t, addr, now);

        if (i < 0 || t->slot[i].count < WEB_AUTH_FAILURES)
                return 0;
        return t->slot[i].since + WEB_AUTH_FAILURES_USEC - now;
}

void web_auth_throttle_fail(struct web_auth_throttle *t, const uint8_t *addr, uint64_t now)
{
        int i = web_auth_throttle_find(t, addr, now);
        int best = -1;

        if (i >= 0) {
                t->slot[i].count++;
                return;
        }
        for (int j = 0; j < WEB_AUTH_FAILURE_SLOTS; j++) {
                if (!web_auth_slot_live(t, (size_t) j, now)) {
                        best = j;
                        break;
                }
                if (t->slot[j].count < WEB_AUTH_FAILURES &&
                    (best < 0 || t->slot[j].since < t->slot[best].since))
                        best = j;
        }
        if (best < 0)
                return;         /* every slot holds a throttled address: they stay */
        memcpy(t->slot[best].addr, addr, 16);
        t->slot[best].since = now;
        t->slot[best].count = 1;
}

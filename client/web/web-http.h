/* SPDX-License-Identifier: MIT */
/*
 * web-http.h: lscd-web's HTTP side, libmicrohttpd's callbacks: the checks
 * every request passes (method, Host, Origin, login, X-LSC-Request, body
 * size), then the API (POST /api/VERB, GET /api/events, the login) and the
 * page's static files. Every request gets exactly one answer.
 */
#ifndef LSCD_WEB_HTTP_H
#define LSCD_WEB_HTTP_H

#include <stddef.h>
#include <microhttpd.h>

enum MHD_Result web_http_access(void *userdata, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *upload,
                                size_t *upload_size, void **context);
/* libmicrohttpd's unescaper of the URL: %00 becomes DEL, not the end of
 * the string, so that "/index.html%00.js" names no file rather than
 * index.html. */
size_t web_http_unescape(void *userdata, struct MHD_Connection *conn, char *s);
void web_http_completed(void *userdata, struct MHD_Connection *conn, void **context,
                        enum MHD_RequestTerminationCode toe);

#endif

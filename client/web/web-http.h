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
void web_http_completed(void *userdata, struct MHD_Connection *conn, void **context,
                        enum MHD_RequestTerminationCode toe);

#endif

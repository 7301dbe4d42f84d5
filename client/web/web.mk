# client/web/web.mk: lscd-web, the control panel in the browser: a daemon
# (libmicrohttpd, polled from sd-event) that speaks to lscd through liblsc,
# its page (www/, plain files, no build step), its unit, manual and tests.
sbin_PROGRAMS += client/web/lscd-web
client_web_lscd_web_SOURCES = \
	client/web/lscd-web.c client/web/web.c client/web/web.h \
	client/web/web-http.c client/web/web-http.h \
	client/web/web-link.c client/web/web-link.h
client_web_lscd_web_CPPFLAGS = $(common_cppflags) -DLSCD_WEB_WWW='"$(webwwwdir)"'
client_web_lscd_web_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(SYSTEMD_CFLAGS) $(MHD_CFLAGS)
client_web_lscd_web_LDADD = client/web/libweb.la client/liblsc/liblsc.la common/libcommon.la \
	$(CJSON_LIBS) $(SYSTEMD_LIBS) $(MHD_LIBS) -lm

# The pure part: the API mapping, the guards, --listen. Unit tested and fuzzed.
noinst_LTLIBRARIES += client/web/libweb.la
client_web_libweb_la_SOURCES = \
	client/web/web-api.c client/web/web-api.h \
	client/web/web-auth.c client/web/web-auth.h \
	client/web/web-listen.c client/web/web-listen.h
client_web_libweb_la_CPPFLAGS = $(common_cppflags)
client_web_libweb_la_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)

webwwwdir = $(pkgdatadir)/www
dist_webwww_DATA = \
	client/web/www/index.html client/web/www/app.js client/web/www/style.css \
	client/web/www/login.html client/web/www/login.js

dist_man_MANS += man/lscd-web.8

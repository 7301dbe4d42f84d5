# client/web/web.mk: lscd-web, the control panel in the browser: a daemon
# (libmicrohttpd, polled from sd-event) that speaks to lscd through liblsc,
# its page (www/, plain files, no build step), its unit, manual and tests.
sbin_PROGRAMS += client/web/lscd-web
client_web_lscd_web_SOURCES = \
	client/web/lscd-web.c client/web/web.c client/web/web.h \
	client/web/web-conn.c client/web/web-conn.h \
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

# Tests: the pure part (Check), end to end over HTTP, the guards, and in
# headless Chromium (skipped, visibly, without chromium). The browser test
# is left out of valgrind: its 100 ms click-to-wire bound is the issue's,
# and memcheck slows lscd-web tenfold.
web_e2e_tests = tests/e2e/test-web-api.py tests/e2e/test-web-security.py \
	tests/e2e/test-web-browser.py
dist_noinst_DATA += tests/e2e/webharness.py tests/e2e/cdp.py
EXTRA_DIST += $(web_e2e_tests)
VALGRIND_TESTS += tests/e2e/test-web-api.py tests/e2e/test-web-security.py
if ENABLE_TESTS
check_PROGRAMS += tests/unit/test-web
TESTS += tests/unit/test-web $(web_e2e_tests)
tests_unit_test_web_SOURCES = tests/unit/test-web.c tests/unit/lscd-check.h
tests_unit_test_web_CPPFLAGS = $(common_cppflags) -I$(top_srcdir)/client/web
tests_unit_test_web_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS)
tests_unit_test_web_LDADD = client/web/libweb.la common/libcommon.la $(CJSON_LIBS) $(CHECK_LIBS)

# The fuzz target "web" (tests/fuzz/fuzz-web.c) joins tests/fuzz/fuzz.mk's.
fuzz_targets += tests/fuzz/fuzz-web.c
tests_fuzz_replay_CPPFLAGS += -I$(top_srcdir)/client/web
tests_fuzz_replay_LDADD += client/web/libweb.la common/libcommon.la
endif
if ENABLE_FUZZING
tests_fuzz_fuzz_SOURCES += $(client_web_libweb_la_SOURCES)
tests_fuzz_fuzz_CPPFLAGS += -I$(top_srcdir)/client/web
endif

# The screenshots of README.md and lscd-web(8), taken by the browser test
# from the page as it is: make web-screenshots (needs chromium).
web-screenshots: client/web/lscd-web lscd sim/lsc-sim
	$(AM_V_GEN)$(MKDIR_P) $(srcdir)/doc && \
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	PYTHONPATH='$(abs_top_srcdir)/tests/e2e:$(abs_top_srcdir)/client/python' \
	LSCD_WEB_SCREENSHOTS='$(abs_top_srcdir)/doc' \
	$(PYTHON) $(srcdir)/tests/e2e/test-web-browser.py
.PHONY: web-screenshots
EXTRA_DIST += doc/lscd-web-desktop.png doc/lscd-web-phone.png

# Its unit (systemd/lscd-web.service.in: hardened, installed, not enabled),
# its account and its environment file, /etc/default/lscd-web.
nodist_systemdsystemunit_DATA += systemd/lscd-web.service
dist_sysusers_DATA += systemd/sysusers.d/lscd-web.conf
EXTRA_DIST += systemd/lscd-web.service.in systemd/lscd-web.default
systemd_defaults += lscd-web
CLEANFILES += systemd/lscd-web.service
systemd/lscd-web.service: $(srcdir)/systemd/lscd-web.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && \
	$(systemd_edit) $(srcdir)/systemd/lscd-web.service.in >$@.tmp && mv $@.tmp $@

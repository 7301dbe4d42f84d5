# daemon/net/net.mk: lscd's connections: the listening socket (server), the
# client registry and broadcast (clients), one connection (client).
noinst_LTLIBRARIES += daemon/net/libnet.la
daemon_net_libnet_la_SOURCES = \
	daemon/net/server.c daemon/net/server.h \
	daemon/net/clients.c daemon/net/clients.h \
	daemon/net/client.c daemon/net/client.h
daemon_net_libnet_la_CPPFLAGS = $(net_cppflags)
daemon_net_libnet_la_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)

# daemon/robot/robot.mk: what lscd knows of the robot: the board's state.
noinst_LTLIBRARIES += daemon/robot/librobot.la
daemon_robot_librobot_la_SOURCES = \
	daemon/robot/board-state.c daemon/robot/board-state.h \
	daemon/robot/board.c daemon/robot/board.h
daemon_robot_librobot_la_CPPFLAGS = $(robot_cppflags)
daemon_robot_librobot_la_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS)

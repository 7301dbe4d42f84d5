# daemon/robot/robot.mk: what lscd knows of the robot: the board's state.
noinst_LTLIBRARIES += daemon/robot/librobot.la
daemon_robot_librobot_la_SOURCES = \
	daemon/robot/board-state.c daemon/robot/board-state.h \
	daemon/robot/board.c daemon/robot/board.h \
	daemon/robot/deadline.h \
	daemon/robot/model.c daemon/robot/model.h \
	daemon/robot/profile.c daemon/robot/profile.h \
	daemon/robot/model-yaml.c daemon/robot/model-yaml.h \
	daemon/robot/yamldoc-robot.c daemon/robot/yamldoc-robot.h \
	daemon/robot/sequence.c daemon/robot/sequence.h \
	daemon/robot/sequence-yaml.c daemon/robot/sequence-yaml.h \
	daemon/robot/sequence-cache.c daemon/robot/sequence-cache.h \
	daemon/robot/player.c daemon/robot/player.h \
	daemon/robot/schedule.c daemon/robot/schedule.h \
	daemon/robot/recorder.c daemon/robot/recorder.h \
	daemon/robot/servos.c daemon/robot/servos.h \
	daemon/robot/claims.c daemon/robot/claims.h \
	daemon/robot/state.c daemon/robot/state.h \
	daemon/robot/saver.c daemon/robot/saver.h \
	daemon/robot/robot.c daemon/robot/robot.h
daemon_robot_librobot_la_CPPFLAGS = $(robot_cppflags)
daemon_robot_librobot_la_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS) $(CJSON_CFLAGS) $(YAML_CFLAGS)
daemon_robot_librobot_la_LIBADD = common/libyamldoc.la $(YAML_LIBS)

# Sequences and recordings: sequence.c, sequence-yaml.c, sequence-cache.c
# and recorder.c are pure; their tests compile them in with what they call
# (the model, the servos' planning, yamldoc-robot.c, libyamldoc and
# libyaml), no event loop.
if ENABLE_TESTS
sequence_tests = tests/unit/test-sequence tests/unit/test-sequence-yaml tests/unit/test-recorder \
	tests/unit/test-sequence-cache
check_PROGRAMS += $(sequence_tests)
TESTS += $(sequence_tests)
sequence_test_sources = tests/unit/lscd-check.h \
	daemon/robot/sequence.c daemon/robot/sequence.h \
	daemon/robot/sequence-yaml.c daemon/robot/sequence-yaml.h \
	daemon/robot/sequence-cache.c daemon/robot/sequence-cache.h \
	daemon/robot/recorder.c daemon/robot/recorder.h \
	daemon/robot/yamldoc-robot.c daemon/robot/yamldoc-robot.h \
	daemon/robot/servos.c daemon/robot/servos.h \
	daemon/robot/model.c daemon/robot/model.h tests/unit/model-check.h \
	daemon/robot/profile.c daemon/robot/profile.h
sequence_test_cflags = $(AM_CFLAGS) $(CHECK_CFLAGS) $(YAML_CFLAGS) $(CJSON_CFLAGS)
sequence_test_ldadd = common/libyamldoc.la common/libcodec.la common/libcommon.la $(YAML_LIBS) $(CHECK_LIBS)
tests_unit_test_sequence_SOURCES = tests/unit/test-sequence.c $(sequence_test_sources)
tests_unit_test_sequence_CPPFLAGS = $(robot_cppflags)
tests_unit_test_sequence_CFLAGS = $(sequence_test_cflags)
tests_unit_test_sequence_LDADD = $(sequence_test_ldadd)
tests_unit_test_sequence_yaml_SOURCES = tests/unit/test-sequence-yaml.c $(sequence_test_sources)
tests_unit_test_sequence_yaml_CPPFLAGS = $(robot_cppflags)
tests_unit_test_sequence_yaml_CFLAGS = $(sequence_test_cflags)
tests_unit_test_sequence_yaml_LDADD = $(sequence_test_ldadd)
tests_unit_test_sequence_cache_SOURCES = tests/unit/test-sequence-cache.c $(sequence_test_sources)
tests_unit_test_sequence_cache_CPPFLAGS = $(robot_cppflags)
tests_unit_test_sequence_cache_CFLAGS = $(sequence_test_cflags)
tests_unit_test_sequence_cache_LDADD = $(sequence_test_ldadd)
tests_unit_test_recorder_SOURCES = tests/unit/test-recorder.c $(sequence_test_sources)
tests_unit_test_recorder_CPPFLAGS = $(robot_cppflags)
tests_unit_test_recorder_CFLAGS = $(sequence_test_cflags)
tests_unit_test_recorder_LDADD = $(sequence_test_ldadd)
endif

if ENABLE_TESTS
robot_tests = tests/unit/test-board-state tests/unit/test-model tests/unit/test-servos \
	tests/unit/test-state tests/unit/test-saver tests/unit/test-claims
check_PROGRAMS += $(robot_tests)
TESTS += $(robot_tests)

# claims.c is pure: time comes in as an argument.
tests_unit_test_claims_SOURCES = tests/unit/test-claims.c tests/unit/lscd-check.h \
	daemon/robot/claims.c daemon/robot/claims.h
tests_unit_test_claims_CPPFLAGS = $(robot_cppflags)
tests_unit_test_claims_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_claims_LDADD = common/libcommon.la $(CHECK_LIBS)

# board-state.c is pure: the test compiles it in and links only the codec
# and mem.c (libcommon), not board.c's sd-event and wire.
tests_unit_test_board_state_SOURCES = tests/unit/test-board-state.c tests/unit/lscd-check.h tests/unit/frame-check.h \
	daemon/robot/board-state.c daemon/robot/board-state.h \
	daemon/robot/profile.c daemon/robot/profile.h
tests_unit_test_board_state_CPPFLAGS = $(robot_cppflags)
tests_unit_test_board_state_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_board_state_LDADD = common/libcodec.la common/libcommon.la $(CHECK_LIBS)

# The model and the robot file: model.c, model-yaml.c and yamldoc-robot.c
# compiled in, with libyamldoc and libyaml; no event loop.
tests_unit_test_model_SOURCES = tests/unit/test-model.c tests/unit/lscd-check.h \
	daemon/robot/model.c daemon/robot/model.h \
	daemon/robot/profile.c daemon/robot/profile.h \
	daemon/robot/model-yaml.c daemon/robot/model-yaml.h \
	daemon/robot/yamldoc-robot.c daemon/robot/yamldoc-robot.h
tests_unit_test_model_CPPFLAGS = $(robot_cppflags)
tests_unit_test_model_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(YAML_CFLAGS) $(CJSON_CFLAGS)
tests_unit_test_model_LDADD = common/libyamldoc.la common/libcodec.la common/libcommon.la $(YAML_LIBS) $(CHECK_LIBS)

# The servos' state, pure: servos.c and model.c compiled in.
tests_unit_test_servos_SOURCES = tests/unit/test-servos.c tests/unit/lscd-check.h \
	daemon/robot/servos.c daemon/robot/servos.h daemon/robot/model.c daemon/robot/model.h \
	daemon/robot/profile.c daemon/robot/profile.h
tests_unit_test_servos_CPPFLAGS = $(robot_cppflags)
tests_unit_test_servos_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_unit_test_servos_LDADD = common/libcodec.la common/libcommon.la $(CHECK_LIBS)

# The saved state: state.c with the pure modules it reads from (the board's
# state, the servos, the model); robot.c applies what it reads.
tests_unit_test_state_SOURCES = tests/unit/test-state.c tests/unit/lscd-check.h \
	daemon/robot/state.c daemon/robot/state.h \
	daemon/robot/board-state.c daemon/robot/board-state.h \
	daemon/robot/servos.c daemon/robot/servos.h daemon/robot/model.c daemon/robot/model.h \
	daemon/robot/profile.c daemon/robot/profile.h
tests_unit_test_state_CPPFLAGS = $(robot_cppflags)
tests_unit_test_state_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(CJSON_CFLAGS)
tests_unit_test_state_LDADD = common/libcodec.la common/libcommon.la $(CHECK_LIBS)

# The saver: saver.c on a real event loop, thread and files.
tests_unit_test_saver_SOURCES = tests/unit/test-saver.c tests/unit/lscd-check.h \
	daemon/robot/saver.c daemon/robot/saver.h
tests_unit_test_saver_CPPFLAGS = $(robot_cppflags)
tests_unit_test_saver_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SYSTEMD_CFLAGS)
tests_unit_test_saver_LDADD = common/libcommon.la $(SYSTEMD_LIBS) $(CHECK_LIBS)
endif

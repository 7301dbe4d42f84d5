# Man pages. Each area lists the pages it writes in dist_man_MANS (in its
# own fragment); tests/man-lint.sh lints every page in man/, listed or not,
# and tests/install.sh checks that every one of them is installed.

dist_man_MANS += man/lscd.8 man/lsc-sim.1 man/lscd-robot.5
# The commented example of lscd-robot(5).
dist_doc_DATA = man/robot.yaml.example

if ENABLE_TESTS
TESTS += tests/man-lint.sh
EXTRA_DIST += tests/man-lint.sh
endif

# client/python/python.mk: lsc, the Python package (stdlib only; sync and
# asyncio), installed where the configured python3 finds it (configure.ac
# says how that directory is chosen). client/python/pyproject.toml builds
# the same files as a wheel: python3 -m build --no-isolation client/python.
lsc_python_sources = \
	client/python/lsc/__init__.py \
	client/python/lsc/_protocol.py \
	client/python/lsc/_verbs.py \
	client/python/lsc/aio.py \
	client/python/lsc/client.py \
	client/python/lsc/d6a.py \
	client/python/lsc/errors.py
lsc_python_examples = \
	client/python/examples/wait_group.py \
	client/python/examples/share_arm.py \
	client/python/examples/battery_watch.py
if HAVE_PYTHON
lscpythondir = $(pythondir)/lsc
lscpython_PYTHON = $(lsc_python_sources)
lscpython_DATA = client/python/lsc/py.typed
endif
EXTRA_DIST += $(lsc_python_sources) client/python/lsc/py.typed client/python/pyproject.toml \
	client/python/README.md $(lsc_python_examples)

# End to end against lsc-sim + lscd, and the package as a user gets it.
lsc_python_tests = \
	tests/e2e/test-python-client.py \
	tests/e2e/test-python-errors.py \
	tests/e2e/test-python-aio.py \
	tests/e2e/test-python-connection.py \
	tests/e2e/test-python-package.py \
	tests/e2e/test-python-d6a.py \
	tests/e2e/test-python-robust.py \
	tests/e2e/test-python-sequences.py
if ENABLE_TESTS
TESTS += $(lsc_python_tests)
endif
EXTRA_DIST += $(lsc_python_tests)
dist_noinst_DATA += tests/e2e/pyclient.py

# make test : bootstrap (.venv, Debian packages) then the whole test suite.
# make demo : bootstrap then three spoken calls against a local container (agent/dev/demo.py).
.PHONY: test demo bootstrap

VENV ?= .venv
export VENV
# Test processes (pytest-xdist). Most of the suite's time is real-time audio and subprocesses waiting,
# not CPU, so two workers halve it on CI's 2 cores. Whole files go to one worker (--dist loadfile): a
# module's server and speech models are loaded once, as in a serial run. Files with slow tests are handed out
# first (tests/conftest.py), so no long file starts last. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2

test:
	@scripts/bootstrap.sh test
	$(VENV)/bin/pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

demo:
	@scripts/bootstrap.sh demo
	$(VENV)/bin/python -m agent.dev.demo

bootstrap:
	@scripts/bootstrap.sh test

# make test : bootstrap (.venv, Debian packages) then the whole test suite.
# make demo : bootstrap then three spoken calls against a local container (agent/dev/demo.py).
.PHONY: test demo bootstrap

VENV ?= .venv
export VENV

test:
	@scripts/bootstrap.sh test
	$(VENV)/bin/pytest -q

demo:
	@scripts/bootstrap.sh demo
	$(VENV)/bin/python -m agent.dev.demo

bootstrap:
	@scripts/bootstrap.sh test

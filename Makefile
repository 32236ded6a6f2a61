# ehd: two entry points for a fresh Debian 12 machine, run as root.
#   make run   installs what is missing, seeds the demo site and starts everything
#   make test  installs what is missing and runs ruff, mypy and pytest (all three tiers)
# Every step is idempotent: a second run only checks, an interrupted one resumes.

SHELL := /bin/bash
VENV := .venv
EHD := $(VENV)/bin/ehd
DATA ?= data
RUN_PACKAGES := python3 python3-venv python3-dev gcc make debootstrap sox espeak-ng ca-certificates \
	libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
TEST_PACKAGES := $(RUN_PACKAGES) baresip-core sip-tester postgresql chromium dovecot-imapd kamailio
# Parallel pytest workers: one more than the cores. Most of a scenario's time is spent waiting
# on real calls, so more workers than cores pay off; but every worker runs its own Asterisk
# instances and the ear checks judge real-time audio, and two more than the cores (4 on 2)
# starved RTP often enough to fail a run in three. A file stays on one worker (module
# fixtures, shared ehd state).
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

.PHONY: run test setup setup-test packages-run packages-test asterisk sounds lint web

run: setup
	@echo "[ehd] seeding the demo site in $(DATA)/"
	@$(EHD) demo --data-dir $(DATA) > /dev/null
	@echo "[ehd] starting (Ctrl-C stops everything)"
	@exec $(EHD) run --data-dir $(DATA)

test: setup-test lint
	@echo "[ehd] starting PostgreSQL for the database tests"
	@url=$$(bash tests/postgres.sh) && echo "[ehd] pytest (unit, adapter, real-Asterisk scenarios)" \
	  && EHD_TEST_POSTGRES_URL=$$url $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

lint:
	@echo "[ehd] ruff and mypy"
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/ruff format --check .
	@$(VENV)/bin/mypy ehd tests benchmarks

setup: packages-run $(VENV)/.installed asterisk sounds web
setup-test: packages-test $(VENV)/.installed asterisk sounds web

packages-run:
	@bash .ci/apt-install $(RUN_PACKAGES)

# Debian starts the Kamailio it installs, on port 5060 with its sample config; the tests run
# their own on the config ehd renders, so the service is stopped when we installed it.
packages-test:
	@had_kamailio=$$(command -v kamailio || true); bash .ci/apt-install $(TEST_PACKAGES) \
	  && if [[ -z "$$had_kamailio" && -d /run/systemd/system ]]; then \
	    systemctl disable --now kamailio >/dev/null 2>&1 || true; fi

$(VENV)/.installed: pyproject.toml
	@echo "[ehd] installing the Python package into $(VENV)"
	@test -x $(VENV)/bin/python || python3 -m venv $(VENV)
	@$(VENV)/bin/pip install -q --upgrade pip
	@$(VENV)/bin/pip install -q -e '.[test]'
	@touch $@

asterisk: $(VENV)/.installed
	@$(EHD) asterisk setup

sounds:
	@bash sounds/build.sh

# Front-end libraries (package.json, pinned by package-lock.json), bundled for the browser
# into build/web/ (never committed). Node and npm come from Debian unless already present.
# The stamp stands for build/web/jssip.js, trix.js, trix.css, pdf.js, pdf.worker.js and
# pdf-fonts/.
WEB_BUNDLE := build/web/.built
web: $(WEB_BUNDLE)

$(WEB_BUNDLE): package.json package-lock.json
	@command -v npm > /dev/null || bash .ci/apt-install nodejs npm
	@echo "[ehd] installing the front-end libraries (npm ci) and bundling them"
	@npm ci --no-audit --no-fund --loglevel=error
	@npm run --silent build
	@touch $@

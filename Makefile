# make run: the whole bot (web + scheduler) on SQLite with the console transport.
# make test: everything the tests need, then the tests.
# make test-3.13: the same suite on Python 3.13, in its own venv (.venv-3.13) from the same lock.
# make prod-local: Caddy (tls internal) on https://localhost:8443 in front of gunicorn and the scheduler.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# The lock: requirements.in / requirements-dev.in are compiled by `make lock` into these two files,
# every package pinned with its hashes (transitive ones included). The stamp changes with either.
REQUIREMENTS := requirements.txt requirements-dev.txt
LOCK_HASH := $(shell cat $(REQUIREMENTS) | sha1sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(LOCK_HASH)
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test test-3.13 python-3.13 bench lint catalogs browser caddy prod-local audit lock

# No separate `pip install --upgrade pip`: pip is in the lock with its hashes (sqlite-utils and
# pip-tools depend on it), so this hash-checked install brings the venv's pip to the locked version.
# The pip that runs it is the one the venv module ships with this Python, not a download.
$(STAMP): $(REQUIREMENTS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

catalogs: $(STAMP)
	$(FLASK) translate compile

setup: catalogs
	$(FLASK) init-db

run: setup
	HEARINGBOT_LOCAL_MODE=1 $(FLASK) serve --host $(HOST) --port $(PORT)

# The console's browser tests drive Debian's Chromium; Playwright never downloads one of its own.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
	  || echo "warning: no /usr/bin/chromium (install the chromium package): browser tests will be skipped"

test: setup browser caddy
	$(BIN)/python -m pytest

# The suite on Python 3.13 too: python3.13 from the PATH (a pyenv shim resolves to its real path),
# else pyenv's own; PYTHON_313=/path/to/python3.13 to choose. `make python-3.13` prints the one it
# found, or fails where there is none (CI runs test-3.13 only where it succeeds). The venv is
# installed from the same hashed lock as .venv; the catalogs are compiled by its own flask.
PYTHON_313 ?= $(or $(shell python3.13 -c 'import sys; print(sys.executable)' 2>/dev/null),$(lastword $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3.13)))
VENV_313 := .venv-3.13
STAMP_313 := $(VENV_313)/.installed-$(LOCK_HASH)

python-3.13:
	@test -n "$(PYTHON_313)" || { echo "no Python 3.13 (python3.13 on the PATH or under ~/.pyenv/versions)" >&2; exit 1; }
	@echo $(PYTHON_313)

$(STAMP_313): $(REQUIREMENTS) | python-3.13
	test -x $(VENV_313)/bin/python || $(PYTHON_313) -m venv $(VENV_313)
	$(VENV_313)/bin/python -m pip install --quiet --require-hashes -r requirements.txt -r requirements-dev.txt
	rm -f $(VENV_313)/.installed-*
	touch $(STAMP_313)

test-3.13: $(STAMP_313) browser caddy
	$(VENV_313)/bin/flask --app app translate compile
	$(VENV_313)/bin/python -m pytest

bench: setup
	$(BIN)/python bench/dates.py
	$(BIN)/python bench/webhook.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/console.py
	$(BIN)/python bench/soak.py
	$(BIN)/python bench/storm.py

# Known vulnerabilities in every package of the runtime lock, transitive ones included (PyPI's
# advisory data; AUDIT_SERVICE=osv for OSV's). It needs a route to that service, which CI has not,
# so CI does not run it. --strict: a package the service could not look up fails the audit (exit 1)
# instead of being listed as skipped under an exit 0.
AUDIT_SERVICE ?= pypi
audit: $(STAMP)
	$(BIN)/pip-audit --strict --require-hashes --disable-pip --vulnerability-service $(AUDIT_SERVICE) -r requirements.txt

# Recompile the lock after editing requirements.in or requirements-dev.in: runtime first, then the
# dev tools constrained by it. Existing pins are kept; to move them, LOCK_ARGS="--upgrade-package
# NAME" (or --upgrade). Needs PyPI.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links $(LOCK_ARGS)
lock: $(STAMP)
	$(PIP_COMPILE) --output-file requirements.txt requirements.in
	$(PIP_COMPILE) --output-file requirements-dev.txt requirements-dev.in

# mypy: files and strictness in pyproject.toml ([tool.mypy]): bot/core and scheduler, and what they import.
# No "fmt: skip" / "fmt: off": the formatter formats everything (they were retired in issue 14).
lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/mypy
	@! grep -rnE "fmt: *(skip|off)" --include=*.py app.py bot scheduler tests bench || { echo "remove the fmt markers above"; false; }

# Caddy for `make prod-local` and the proxy tests: Debian's package, like chromium above. Without it
# those tests are skipped (and say so). On a machine with systemd the package also starts its own
# caddy.service on port 80; prod-local neither needs nor touches it.
caddy:
	@command -v caddy >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq caddy; } \
	  || echo "warning: no caddy (install Debian's caddy package): the proxy tests will be skipped"

# The production topology here: Caddy (tls internal) on https://localhost:8443 in front of gunicorn
# (2 workers, loopback) and one scheduler, signed webhooks only. The variables it reads and how to
# point it at a real Twilio account: deploy/prod_local.py, docs/deploy.md. Ctrl-C stops everything.
prod-local: catalogs caddy
	$(BIN)/python deploy/prod_local.py

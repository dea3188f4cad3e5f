# make run: the whole bot (web + scheduler) on SQLite with the console transport.
# make test: everything the tests need, then the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test bench lint catalogs browser audit

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

catalogs: $(STAMP)
	$(FLASK) translate compile

setup: catalogs
	$(FLASK) init-db

run: setup
	$(FLASK) serve --host $(HOST) --port $(PORT)

# The console's browser tests drive Debian's Chromium; Playwright never downloads one of its own.
browser:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
	  || echo "warning: no /usr/bin/chromium (install the chromium package): browser tests will be skipped"

test: setup browser
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/dates.py
	$(BIN)/python bench/webhook.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/soak.py

# Known vulnerabilities in the pinned requirements (PyPI's advisory data). A package the service
# cannot look up is listed as skipped, not passed silently.
audit: $(STAMP)
	$(BIN)/pip-audit -r requirements.txt --no-deps --disable-pip --vulnerability-service pypi

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

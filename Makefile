# make run: the whole bot (web + scheduler) on SQLite with the console transport.
# make test: everything the tests need, then the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test bench lint catalogs

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

test: setup
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python bench/dates.py
	$(BIN)/python bench/webhook.py
	$(BIN)/python bench/dispatch.py
	$(BIN)/python bench/broadcast.py

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

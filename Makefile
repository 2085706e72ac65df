# The README's two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
FLEET_DIR ?= /tmp/console-fleet

.PHONY: run test venv dev-venv migrate lint format fleet-up fleet-down bench

$(PY):
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3 -m venv failed; installing python3-venv" ; \
	  apt-get install -y python3-venv >/dev/null && $(PYTHON) -m venv $(VENV) ; }
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

migrate: venv
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py bootstrap

run: migrate
	$(PY) manage.py end_terminals
	@echo "Console on http://$(HOST):$(PORT)/"
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) console.asgi:application

test: dev-venv
	@if [ "$$CONSOLE_TEST_ENGINES" != skip ]; then $(PY) -m tests.fleet install; fi
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

lint: dev-venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: dev-venv
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# A fleet kept running between test runs: `make fleet-up`, then
# `CONSOLE_FLEET_STATE=$(FLEET_DIR)/fleet.json .venv/bin/pytest ...`.
fleet-up: dev-venv
	$(PY) -m tests.fleet up --dir $(FLEET_DIR)

fleet-down:
	$(PY) -m tests.fleet down --dir $(FLEET_DIR)

bench: dev-venv
	$(PY) bench/dashboard.py
	$(PY) bench/containers_list.py
	$(PY) bench/export.py
	$(PY) bench/image_save.py
	$(PY) bench/image_load.py
	$(PY) bench/logs_throughput.py
	$(PY) bench/terminal_latency.py
	$(PY) bench/logs_fanout.py

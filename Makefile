# The two commands a newcomer needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench lint format migrate seed clean extension

$(PY):
	@python=$$(bin/find-python) || exit 1; \
	echo "Creating $(VENV) with $$python"; \
	"$$python" -m venv $(VENV)

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate_all

seed: migrate
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py seed_demo --if-empty

run: seed
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	bin/bench

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The browser extension as a zip to load or publish (static/extension/README.md).
extension:
	@mkdir -p dist
	rm -f dist/clockify-extension.zip
	@python=$$(bin/find-python) || exit 1; \
	cd static/extension && "$$python" -m zipfile -c ../../dist/clockify-extension.zip *
	@echo "dist/clockify-extension.zip"

clean:
	rm -rf $(VENV) var/db var/media staticfiles dist

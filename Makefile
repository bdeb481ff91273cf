# Terreau — the two set-up commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test bench sysdeps lint typecheck serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstall when the dependency list changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $(VENV)/.installed $@

# Debian packages the product and its tests need: pango for WeasyPrint, chromium for browser tests.
sysdeps:
	@bash .ci/sysdeps

demo: sysdeps $(VENV)/.installed
	$(BIN)/terreau migrate
	$(BIN)/terreau demo
	$(BIN)/terreau serve --host $(HOST) --port $(PORT)

# CI runs this: the lint (style and layer contracts) and the type check come first.
test: sysdeps $(VENV)/.installed-dev lint typecheck
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(BIN)/python -m benchmarks $(if $(QUICK),--quick)

# Style (ruff), then the layer contracts of pyproject.toml [tool.importlinter] (import-linter).
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check governance voting web tests benchmarks migrations
	$(BIN)/lint-imports

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

serve: $(VENV)/.installed
	$(BIN)/terreau serve --host $(HOST) --port $(PORT)

clean:
	rm -rf $(VENV) terreau.db terreau.db-wal terreau.db-shm

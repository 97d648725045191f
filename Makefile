# crm-codegen: every target creates the virtual environment on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CLI := $(BIN)/python -m generator

.PHONY: all generate validate check test bench docs clean golden

all: generate

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

## generate: the main job: validate every spec, then regenerate everything
generate: validate
	$(CLI) generate

## validate: openapi-spec-validator plus the project's rules on spec/*.yaml
validate: $(STAMP)
	$(CLI) validate

## check: fail when generated/ does not match the specs (what CI runs after the tests)
check: $(STAMP)
	$(CLI) validate
	$(CLI) generate --check

## test: the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest

## bench: timings against the peer tools (not part of the tests)
bench: $(STAMP)
	$(BIN)/python -m bench

## docs: build the HTML API docs into site/
docs: $(STAMP)
	@echo "docs: not built yet (see the docs issue)" >&2; exit 2

clean:
	rm -rf $(VENV) site build *.egg-info .pytest_cache bench-results test-artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

## golden: rewrite the golden snapshots in tests/golden/ after an intended change to generated code
golden: $(STAMP)
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_generate.py -k golden

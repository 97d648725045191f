# crm-codegen: every target creates the virtual environment on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CLI := $(BIN)/python -m generator

.PHONY: all generate validate check test bench docs clean golden mock contract

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

API ?= self-service
PORT ?= 8000

## mock: serve a mock of spec/$(API).yaml on port $(PORT) (make mock API=back-office PORT=9000)
mock: $(STAMP)
	$(CLI) mock spec/$(API).yaml --port $(PORT)

## contract: schemathesis against each API's mock, with more examples than the test suite uses
contract: $(STAMP)
	CONTRACT_EXAMPLES=$${CONTRACT_EXAMPLES:-100} $(BIN)/python -m pytest -q tests/test_contract.py

## check: fail when generated/ does not match the specs (what CI runs after the tests)
check: $(STAMP)
	$(CLI) validate
	$(CLI) generate --check

## test: the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest

BENCH_STAMP := .venv-bench/.installed

# The peer tools live apart from the project's own environment (their pins differ).
$(BENCH_STAMP): Makefile
	$(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet openapi-python-client openapi-generator-cli datamodel-code-generator httpx pydantic attrs python-dateutil typing-extensions urllib3
	npm install --silent --prefix .venv-bench/npm @redocly/cli
	touch $@

## bench: timings against the peer tools, written to BENCHMARKS.md (not part of the tests)
bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python -m bench $(SECTIONS)

## docs: build the HTML API docs into site/
docs: $(STAMP)
	$(CLI) docs --out site

clean:
	rm -rf $(VENV) .venv-bench site build *.egg-info .pytest_cache test-artifacts
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

## golden: rewrite the golden snapshots in tests/golden/ after an intended change to generated code
golden: $(STAMP)
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_generate.py -k golden

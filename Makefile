# The two quickstart commands: `make demo` and `make test`. Both install into .venv first.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
CS := $(BIN)/contentsync --sandbox

.PHONY: demo test lint bench install

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Validate, plan and apply the example content against the embedded sandbox (fresh state each
# run), then plan again: the second plan must show no changes (exit 0 with --detailed-exitcode).
demo: $(BIN)/.installed
	rm -f .contentsync/sandbox.json
	$(CS) validate
	$(CS) plan
	$(CS) apply --auto-approve
	$(CS) plan --detailed-exitcode

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q

bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks

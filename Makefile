# lgf-warehouse. `make run` and `make test` each bootstrap everything on a fresh machine that
# has only python3, pip and make: uv (pinned) into .tools/, then the locked environment (.venv).

PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

export UV_PYTHON_DOWNLOADS := never
export UV_COMPILE_BYTECODE := 1
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_NO_PROGRESS := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false

DBT_SOURCES := $(shell find dbt/models dbt/macros dbt/seeds dbt/tests -type f) dbt/dbt_project.yml dbt/profiles.yml

.PHONY: help setup run test lint format dev bench clean

help:
	@echo "make run    build and publish the warehouse from the bundled real data (offline)"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff lint and format check"
	@echo "make dev    the Dagster UI (dagster dev) over the same definitions"
	@echo "make bench  the warehouse beside its baselines on a synthetic England (SCALE=tiny|medium|england) -> BENCHMARKS.md"
	@echo "make clean  remove the environment and runtime data"

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

dbt/target/manifest.json: $(VENV)/.synced $(DBT_SOURCES)
	cd dbt && ../$(BIN)/dbt parse --profiles-dir . --quiet
	@touch $@

setup: $(VENV)/.synced dbt/target/manifest.json

run: setup
	$(BIN)/lgf refresh

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

dev: setup
	mkdir -p .dagster_home && cp dagster.yaml .dagster_home/dagster.yaml
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev -w workspace.yaml

SCALE ?= medium
bench: setup
	nice -n 19 $(BIN)/python -m tests.bench.harness --scale $(SCALE) --write BENCHMARKS.md
	$(BIN)/python -m tests.bench

clean:
	rm -rf $(VENV) $(TOOLS) data dbt/target dbt/logs .dagster_home

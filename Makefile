# Headway's everyday commands. `make demo` to try it, `make test` is what CI runs (.ci/run).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HEADWAY_DATABASE_URL ?= sqlite:///./headway.db
# Extra pytest arguments, e.g. make test-sqlite PYTEST_ARGS='-x tests/accounts'
PYTEST_ARGS ?=
PYTEST := $(BIN)/pytest -q -p no:cacheprovider

.PHONY: venv demo serve lint test test-sqlite test-postgres chromium bench clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -e '.[dev]'
	touch $@

demo serve: export HEADWAY_DATABASE_URL := $(HEADWAY_DATABASE_URL)

demo: venv
	$(BIN)/headway demo load-if-empty --accounts 300 --seed 7
	@echo "demo admin: admin@demo.headway.test / headway-demo"
	$(BIN)/headway serve --host 127.0.0.1 --port 8000

serve: venv
	$(BIN)/headway serve --host 127.0.0.1 --port 8000

# Every check runs, so one run lists every problem; fails if any check failed.
lint: venv
	@status=0; \
	for check in "ruff check src tests bench" "ruff format --check src tests bench" \
	    mypy lint-imports; do \
	    echo "$(BIN)/$$check"; $(BIN)/$$check || status=1; \
	done; \
	exit $$status

# Lint, then the suite on SQLite, then on a throwaway PostgreSQL: each step runs even when
# an earlier one failed, so one run shows every failure; make exits non-zero if any did.
test: venv chromium
	$(MAKE) --no-print-directory --keep-going -j1 lint test-sqlite test-postgres

test-sqlite: venv chromium
	env -u HEADWAY_TEST_DATABASE_URL $(PYTEST) $(PYTEST_ARGS)

test-postgres: venv chromium
	scripts/with-postgres.sh $(PYTEST) $(PYTEST_ARGS)

# The end-to-end tests drive Debian's Chromium; a fresh machine (CI's included) lacks it.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	    if [ "$$(id -u)" = 0 ]; then sudo=; \
	    elif command -v sudo >/dev/null; then sudo=sudo; \
	    else echo "Chromium is missing: installing it needs root or sudo" >&2; exit 1; fi; \
	    $$sudo apt-get update && \
	    $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-dejavu-core; \
	fi

bench: venv
	scripts/with-postgres.sh $(BIN)/python -m bench.run

# Keeps .venv and the demo database (headway.db): remove those by hand.
clean:
	rm -rf build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis \
	    test-artifacts bench/out
	find src tests bench -name __pycache__ -type d -prune -exec rm -rf {} +

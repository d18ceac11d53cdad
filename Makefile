# The two commands in the README.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test setup lint browser postgres

$(BIN)/heard: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(BIN)/heard

setup: $(BIN)/heard

demo: setup
	$(BIN)/heard demo

# The report's browser test renders the HTML page in Debian's Chromium. When it is missing and we run as
# root with apt-get (a CI machine), it is installed, and we say so first: it is a system package (~115 deps).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  echo "make test: installing Debian's chromium with apt-get for the browser test (running as root)" && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "make test: chromium not installed: the browser test will be skipped"; }

# The store's tests run on PostgreSQL too, on a throwaway server of their own (tests/pg.py). When no server
# binaries are found (HEARD_PG_BINDIR, pg_config --bindir, /usr/lib/postgresql/*/bin) and we run as root with
# apt-get (a CI machine), Debian's postgresql is installed, and we say so first. Without it those tests are
# skipped, except in CI (CI set), where they fail.
postgres:
	@found=; for d in "$$HEARD_PG_BINDIR" "$$(pg_config --bindir 2>/dev/null)" /usr/lib/postgresql/*/bin; do \
	  [ -n "$$d" ] && [ -x "$$d/initdb" ] && found=$$d; done; \
	[ -n "$$found" ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  echo "make test: installing Debian's postgresql with apt-get for the store's PostgreSQL tests (running as root)" && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	  || echo "make test: no PostgreSQL server binaries: the store's PostgreSQL tests will be skipped (in CI: fail)"; }

test: setup browser postgres
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest --cov --cov-report=term:skip-covered -q

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

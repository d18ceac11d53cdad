# The two commands in the README.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test setup lint

$(BIN)/heard: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(BIN)/heard

setup: $(BIN)/heard

demo: setup
	$(BIN)/heard demo

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest --cov --cov-report=term:skip-covered -q

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

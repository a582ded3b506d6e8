# The two commands of the README: `make run` (set up, build the sample index, serve the site) and
# `make test` (set up, run the checks and the tests). Everything else is a step of those.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup run index serve test lint clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

index: setup
	$(BIN)/indexer rebuild

run: index
	$(BIN)/indexer stats
	$(BIN)/indexer search "election"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
	find var/index -mindepth 1 ! -name .gitkeep -exec rm -rf {} +

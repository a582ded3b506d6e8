# The two commands of the README: `make run` (set up, build the sample index, serve the site) and
# `make test` (set up, run the checks and the tests). Everything else is a step of those.
# gunicorn reads gunicorn.conf.py from this folder (bind address: NEWSINDEX_BIND).

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
	@echo "newsindex: open http://$${NEWSINDEX_BIND:-127.0.0.1:8000}/ (Ctrl-C stops the server)"
	$(BIN)/gunicorn 'webui:create_app()'

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
	find var/index -mindepth 1 ! -name .gitkeep -exec rm -rf {} +

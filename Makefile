# The two commands of the README: `make run` (install what running needs, build the sample index,
# serve the site) and `make test` (install the test tools too, run the checks and the tests).
# Everything else is a step of those.
# gunicorn reads gunicorn.conf.py from this folder (bind address: NEWSINDEX_BIND).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := tests/tools

.PHONY: setup setup-run setup-bench bench run index serve test lint clean

# What running needs (`make run`, a web node, the indexing machine): the project and its
# dependencies. What testing needs on top (`make test`): the test extras and the audits' tools.
setup-run: $(VENV)/.installed-run
setup: setup-run $(VENV)/.installed-test $(TOOLS)/node_modules/.installed

# PyICU builds against the system's ICU: where it is missing, root on Debian installs it here
# (as .ci/run does); elsewhere the project installs without PyICU and says what that costs.
$(VENV)/.installed-run: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@pkg-config --exists icu-i18n 2>/dev/null || ! command -v apt-get >/dev/null 2>&1 \
		|| [ "$$(id -u)" != 0 ] || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq libicu-dev pkg-config g++) || true
	@if pkg-config --exists icu-i18n 2>/dev/null; then \
		$(BIN)/python -m pip install --quiet -e '.[icu]'; \
	else \
		echo "ICU not found (Debian: apt-get install libicu-dev pkg-config g++): installing" \
			"without PyICU; Thai, Lao, Khmer and Burmese are cut into character pairs"; \
		$(BIN)/python -m pip install --quiet -e .; \
	fi
	touch $@

# The test extras (pytest, ruff, mypy, hypothesis, schemathesis, playwright...), with PyICU where
# the run setup could install it.
$(VENV)/.installed-test: $(VENV)/.installed-run
	@if pkg-config --exists icu-i18n 2>/dev/null; then \
		$(BIN)/python -m pip install --quiet -e '.[test,icu]'; \
	else \
		$(BIN)/python -m pip install --quiet -e '.[test]'; \
	fi
	touch $@

# The audits of `make test` (axe-core, the Nu HTML Checker, Lighthouse), pinned in
# tests/tools/package-lock.json. Without npm they are skipped locally (and fail in CI).
$(TOOLS)/node_modules/.installed: $(TOOLS)/package.json $(TOOLS)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(TOOLS) --no-audit --no-fund --ignore-scripts --loglevel=error && touch $@; \
	else \
		echo "npm not found: the audits of make test will be skipped (apt-get install nodejs npm)"; \
	fi

index: setup-run
	$(BIN)/indexer rebuild

run: index
	@echo "newsindex: open http://$${NEWSINDEX_BIND:-127.0.0.1:8000}/ (Ctrl-C stops the server)"
	$(BIN)/gunicorn 'webui:create_app()'

# The benchmark's peer engines: tantivy's wheel (the bench extra), and Debian's python3-xapian
# where root can install it (bench/peers.py imports it from the system's dist-packages).
setup-bench: setup-run
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	@python3 -c 'import xapian' 2>/dev/null || ! command -v apt-get >/dev/null 2>&1 \
		|| [ "$$(id -u)" != 0 ] || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		python3-xapian || echo "python3-xapian not installed: the benchmark skips Xapian"

bench: setup-bench
	$(BIN)/python -m bench

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info $(TOOLS)/node_modules
	find var/index -mindepth 1 ! -name .gitkeep -exec rm -rf {} +

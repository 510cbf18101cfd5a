# Two commands: `make run` (set up and start the app) and `make test` (set up, lint and run every test).
# Also: `make test-fast` (every test but the browser tier), `make lint`, `make bench`, `make clean`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-fast lint bench chromium gegl clean

$(VENV)/app.stamp: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -r requirements.txt -e .
	touch $@

$(VENV)/dev.stamp: $(VENV)/app.stamp requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

$(VENV)/bench.stamp: $(VENV)/app.stamp requirements-bench.txt
	$(BIN)/pip install -q -r requirements-bench.txt
	touch $@

# axe-core (the accessibility engine the browser tests run), pinned in package-lock.json.
node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	touch $@

# Debian's Chromium drives the browser tests (Playwright cannot download its own browser here).
chromium:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -q && \
		$(SUDO) apt-get install -y -q --no-install-recommends chromium; }

# GEGL (GIMP 2.10+'s engine) is the oracle for linear-light filtering (tests/test_linear.py).
gegl:
	@command -v gegl >/dev/null || { $(SUDO) apt-get update -q && \
		$(SUDO) apt-get install -y -q --no-install-recommends gegl; }

run: $(VENV)/app.stamp
	$(BIN)/streamlit run streamlit_app.py

lint: $(VENV)/dev.stamp
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint chromium gegl node_modules/.stamp
	$(BIN)/pytest -q

test-fast: $(VENV)/dev.stamp gegl
	$(BIN)/pytest -q -m "not browser"

bench: $(VENV)/bench.stamp
	$(BIN)/python -m bench.speed

clean:
	rm -rf $(VENV)

# Two commands: `make run` (set up and start the app) and `make test` (set up, lint and run every test).
# Also: `make test-fast` (every test but the browser tier), `make lint`, `make locale`, `make bench`, `make clean`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Each tier collects only its own folder: every pytest worker imports every module it collects (the browser tests'
# Playwright and CNN pages, the fast tier's ONNX and SciPy oracles), ~1-5 s per worker.
FAST   := $(BIN)/pytest -q -n auto --dist worksteal -m "not browser" --ignore=tests/browser
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Some machines set PYTHONDONTWRITEBYTECODE: then every test run compiled the app, the library and the tests (and
# pytest rewrote every test module's asserts) again, 3-4 s per pytest worker. The caches are checked against the
# sources' times, so keeping them is safe.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: run test test-fast lint locale bench chromium gegl clean

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

# The fast tier on every core (pytest-xdist), then the browser tier on its own, also on two or more workers: each
# worker has its own app server and Chromium, and its tests mostly wait for the page (one worker: ~300 s here, two:
# ~220 s). Whole modules per worker (loadfile): a module's own fixtures (a fake-camera browser) start once.
test: lint chromium gegl node_modules/.stamp
	$(FAST)
	$(BIN)/pytest -q -n auto --maxprocesses 4 --dist loadfile -m browser tests/browser

test-fast: $(VENV)/dev.stamp gegl
	$(FAST)

# The translations, the gettext way (Babel): extract every text of the app and the library's message templates
# into app/locale/messages.pot, merge it into each language's .po (a reworded text becomes untranslated, and
# tests/test_i18n.py fails until it is translated again), compile the .mo files the app reads. Commit all three;
# the tests check the .mo files are what the .po files compile to. A new language: `pybabel init -l xx` once.
LOCALE   := app/locale
KEYWORDS := --no-default-keywords -k _:1 -k n_:1,2 -k N_:1 -k Np_:1,2 -k Later:1 -k pgettext:1c,2
locale: $(VENV)/dev.stamp
	PYTHONPATH=. $(BIN)/pybabel -q extract -F babel.cfg $(KEYWORDS) --no-location --sort-output --omit-header \
		--no-wrap -o $(LOCALE)/messages.pot .
	$(BIN)/pybabel -q update -i $(LOCALE)/messages.pot -d $(LOCALE) --no-fuzzy-matching --ignore-obsolete --no-wrap \
		--ignore-pot-creation-date
	$(BIN)/pybabel compile -d $(LOCALE) --statistics

bench: $(VENV)/bench.stamp
	$(BIN)/python -m bench.speed
	$(BIN)/python -m bench.uint8

clean:
	rm -rf $(VENV)

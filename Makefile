# Trygg — the two commands:
#   make run    install into .venv, migrate, build the demo, start the server on http://localhost:8000
#   make test   install into .venv (with test extras), run the suite on SQLite and on PostgreSQL
# Only Python >= 3.11 is assumed; everything else is installed here.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres install install-test browser-deps bench messages clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Trygg needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	@# axe-core for the accessibility tests ships in this wheel; it declares Python >= 3.12 but
	@# its code runs on 3.11, so it is installed on its own (see docs/accessibility.md).
	$(BIN)/pip install --quiet --no-deps --ignore-requires-python axe-selenium-python==3.0.0
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# The demo runs on plain http://localhost without an authenticator app: two-factor login and
# secure-only cookies are switched off for `make run` only (production keeps the safe defaults).
run: install
	TRYGG_REQUIRE_2FA=false TRYGG_SECURE_COOKIES=false $(BIN)/trygg migrate --noinput
	TRYGG_REQUIRE_2FA=false TRYGG_SECURE_COOKIES=false $(BIN)/trygg demo
	TRYGG_REQUIRE_2FA=false TRYGG_SECURE_COOKIES=false $(BIN)/trygg serve --host 127.0.0.1 --port $(PORT)

# Chromium and its driver for the browser tests (Debian packages). Without root or apt-get the
# browser tests are skipped with a message saying how to install them; under CI=true they fail.
browser-deps:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  echo "Installing chromium and chromium-driver for the browser tests..."; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null) \
	    || echo "Could not install chromium; browser tests will be skipped (fail under CI=true)."; \
	else echo "chromium/chromedriver missing: browser tests will be skipped, or fail under CI=true (apt-get install chromium chromium-driver)"; fi

test: install-test browser-deps
	$(BIN)/python -m tests.run_suite $(PYTEST_ARGS)

test-sqlite: install-test
	$(BIN)/python -m tests.run_suite --sqlite-only $(PYTEST_ARGS)

test-postgres: install-test
	$(BIN)/python -m tests.run_suite --postgres-only $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python bench/run.py

messages:
	@for app in trygg/*/locale; do (cd $$(dirname $$app) && DJANGO_SETTINGS_MODULE=trygg.settings PYTHONPATH=$(CURDIR) $(CURDIR)/$(BIN)/django-admin compilemessages >/dev/null); done

clean:
	rm -rf $(VENV) var .pytest_cache

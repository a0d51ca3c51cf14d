# Two commands: `make run` serves the app with demo data; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi
HOST   ?= 127.0.0.1
PORT   ?= 5000
PYTEST_ARGS ?=

.PHONY: run test test-sqlite test-postgres install install-dev chromium lint bench clean translations messages

# Compiled catalogs (.mo) are built from the committed .po files, never committed themselves.
PO_FILES := $(wildcard wg/translations/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

%.mo: %.po | $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@ -l $(word 3,$(subst /, ,$<)) --statistics 2>&1 | tail -1

translations: $(MO_FILES)

# For developers: extract every string from code and templates, and merge it into the catalogs.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs ".* __pycache__" -k _l -k lazy_gettext -k _n:1,2 --no-location --sort-output --project wg -o wg/translations/messages.pot .
	$(BIN)/pybabel update -i wg/translations/messages.pot -d wg/translations --no-fuzzy-matching --ignore-obsolete --no-wrap

# The scheduler's first round (reminders, digests...) runs before the servers start and reports
# one line; the address and the demo logins come last, once both processes are up.
run: install
	$(FLASK) db upgrade
	$(FLASK) wg seed
	@if $(FLASK) wg is-empty; then $(FLASK) wg demo --scale 1 --no-logins; fi
	@export BASE_URL="$${BASE_URL:-http://$(HOST):$(PORT)}"; \
	 $(BIN)/python -c "import socket; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('$(HOST)', $(PORT)))" 2>/dev/null \
	   || { echo "Port $(PORT) on $(HOST) is taken; try: make run PORT=5001"; exit 1; }; \
	 $(FLASK) wg catch-up || exit 1; \
	 ready="$$(mktemp -u)"; \
	 $(FLASK) run --host $(HOST) --port $(PORT) & web=$$!; \
	 $(FLASK) wg scheduler --ready-file "$$ready" & sched=$$!; \
	 trap 'kill $$sched $$web 2>/dev/null; rm -f "$$ready"' EXIT INT TERM; \
	 for _ in $$(seq 1 60); do \
	   kill -0 $$web 2>/dev/null || { echo "The web server stopped (see above)."; exit 1; }; \
	   [ -e "$$ready" ] && $(BIN)/python -c "import urllib.request,sys; urllib.request.urlopen('http://$(HOST):$(PORT)/healthz', timeout=1)" 2>/dev/null && break; \
	   sleep 0.5; done; \
	 echo ""; echo "Serving on $$BASE_URL with the scheduler beside it  (Ctrl+C to stop)"; \
	 $(FLASK) wg demo-logins; echo ""; \
	 wait $$web

# Debian's Chromium for the browser tests, and the Noto fonts so Arabic, Cyrillic and Chinese
# pages (and their screenshots) show real glyphs; installed when missing and we may (root + apt).
chromium:
	@missing=""; command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	 fc-list : family 2>/dev/null | grep -q "Noto Sans Arabic" || missing="$$missing fonts-noto-core"; \
	 fc-list : family 2>/dev/null | grep -q "Noto Sans CJK SC" || missing="$$missing fonts-noto-cjk"; \
	 missing="$${missing# }"; \
	 if [ -n "$$missing" ]; then \
	  echo "Installing Debian's $$missing for the browser tests..."; \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) \
	    || { echo "Could not install $$missing; the browser tests will fail."; }; \
	  else echo "$$missing missing and cannot be installed here (need root and apt-get)."; fi; fi

test: install-dev chromium
	$(BIN)/ruff check wg tests bench
	@$(MAKE) --no-print-directory test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	 else echo "TEST_DATABASE_URL is not set: PostgreSQL run skipped (.ci/run always sets it)."; fi

test-sqlite:
	@echo "== Test suite on SQLite =="
	@env -u TEST_DATABASE_URL $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	 if [ $$rc -eq 5 ]; then echo "pytest collected no tests (exit code 5): failing"; exit 1; fi; exit $$rc

test-postgres:
	@echo "== Test suite on PostgreSQL ($$TEST_DATABASE_URL) =="
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	 if [ $$rc -eq 5 ]; then echo "pytest collected no tests (exit code 5): failing"; exit 1; fi; exit $$rc

lint: install-dev
	$(BIN)/ruff check wg tests bench

bench: install-dev chromium
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.slow3g

clean:
	rm -rf $(VENV) .pytest_cache

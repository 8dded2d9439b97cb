# Care Plan Lab — `make run` serves the app with demo data; `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
CHROMIUM := /usr/bin/chromium
PORT ?= 5000
APT_PACKAGES := chromium fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

.PHONY: run serve test install install-test translations extract-messages system-packages db demo clean

run: install translations
	@mkdir -p instance
	$(FLASK) db upgrade
	@if [ -n "$$(ls -A cases rubrics 2>/dev/null | grep -v '^\.')" ] && $(FLASK) content --help >/dev/null 2>&1; then $(FLASK) content import; fi
	$(FLASK) demo load
	BASE_URL=$${BASE_URL:-$${CAREPLAN_BASE_URL:-http://127.0.0.1:$(PORT)}} $(FLASK) run --host 127.0.0.1 --port $(PORT)

# The app as in production, locally: gunicorn on 127.0.0.1:8000 (settings in app/gunicorn_conf.py; see docs/deploy.md).
serve: install translations
	@mkdir -p instance
	$(FLASK) db upgrade
	@if [ -n "$$(ls -A cases rubrics 2>/dev/null | grep -v '^\.')" ]; then $(FLASK) content import; fi
	CAREPLAN_BIND=127.0.0.1:8000 BASE_URL=$${BASE_URL:-$${CAREPLAN_BASE_URL:-http://127.0.0.1:8000}} $(BIN)/gunicorn -c app/gunicorn_conf.py 'app:create_app()'

test: install-test translations system-packages
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 is needed (python3.11 or python3 on PATH)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

install-test: $(VENV)/.installed-test

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

translations: install
	@$(BIN)/pybabel compile -d app/translations >/dev/null

# For developers: collect new interface strings into the catalogues (then translate app/translations/nb).
extract-messages: install
	$(BIN)/pybabel extract -F app/babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot app
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete

# Debian packages the browser tests and PDF export need; installed when missing and we are root.
system-packages:
	@missing=""; \
	for pkg in $(APT_PACKAGES); do dpkg -s $$pkg >/dev/null 2>&1 || missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null) || { echo "apt-get install failed"; exit 1; }; \
	  elif [ ! -x $(CHROMIUM) ]; then \
	    echo "The browser tests need Debian's Chromium. Install it with: sudo apt-get install$$missing"; exit 1; \
	  else \
	    echo "Note: missing Debian packages (PDF export may fail): sudo apt-get install$$missing"; \
	  fi; \
	fi

db: install
	@mkdir -p instance
	$(FLASK) db upgrade

demo: db
	$(FLASK) demo load

clean:
	rm -rf $(VENV) instance/careplan.db .pytest_cache

# Werkbrug: `make run` starts everything for a local try-out; `make test` runs every check.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Development defaults; production sets DEBUG=0 and a SECRET_KEY of its own.
export DEBUG ?= 1
export PYTHONDONTWRITEBYTECODE := 1
# The integration tests run a real Celery worker in another process, which must see the test
# database: on SQLite that means a file, not pytest-django's default in-memory database.
export SQLITE_TEST_PATH ?= var/test.sqlite3

.PHONY: run test setup lint typecheck djcheck pytest chromium gettext axe bench messages clean help

help:
	@echo "make run    set up and start web, Celery worker, Celery beat and Redis, with demo data"
	@echo "make test   set up and run ruff, mypy, Django checks and the test suite"
	@echo "make bench  run the benchmarks in bench/"
	@echo "make messages  update the Dutch and Swedish catalogues in locale/ and list what needs translating"

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Werkbrug needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	@mkdir -p var
	@touch $(STAMP)

# A local .env for development (git-ignored, never overwritten): DEBUG on and a secret key of its own, so
# manage.py, celery and pytest work in a fresh shell. config/settings.py reads it; the environment wins.
.env: | $(STAMP)
	@printf '# Written by make setup for local development; never commit it.\nDEBUG=1\nSECRET_KEY='"'"'%s'"'"'\n' \
		"$$($(BIN)/python -c 'from django.core.management.utils import get_random_secret_key as k; print(k())')" > .env
	@echo "Wrote .env (DEBUG=1 and a new SECRET_KEY)"

setup: $(STAMP) .env

run: $(STAMP) .env
	$(BIN)/python scripts/run.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy .

# The deployment checks run with production settings: DEBUG off, a throwaway 50+ character key, a host name.
djcheck: $(STAMP)
	$(BIN)/python manage.py check --fail-level WARNING
	DEBUG=0 ALLOWED_HOSTS=example.org SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
		$(BIN)/python manage.py check --deploy --fail-level WARNING
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py spectacular --fail-on-warn --file var/openapi.yml

# The browser tests (tests/browser/) drive Debian's Chromium; this finds it, or installs it when root.
chromium:
	@bash scripts/ensure_chromium.sh >/dev/null

# The catalogue test (tests/test_translations.py) runs makemessages, which needs GNU gettext; the same.
gettext:
	@bash scripts/ensure_gettext.sh >/dev/null

# The browser tests check every page they visit with axe-core, installed from npm (package-lock.json).
axe:
	@bash scripts/ensure_axe.sh

pytest: $(STAMP) chromium gettext axe
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck djcheck pytest

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# Collects the marked strings into locale/{nl,sv}/LC_MESSAGES/django.po (file names, no line numbers, so the
# files do not churn), compiles the .mo files (committed: a machine without gettext still runs translated), and
# lists the entries a translator still has to fill in (tests/test_translations.py fails until none are left).
messages: $(STAMP) gettext
	$(BIN)/python manage.py makemessages -l nl -l sv --add-location=file --ignore=.venv --ignore=var --ignore=node_modules
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=var --ignore=node_modules
	-$(BIN)/python scripts/translations/check_catalogues.py

clean:
	rm -rf $(VENV) var node_modules .mypy_cache .pytest_cache .ruff_cache

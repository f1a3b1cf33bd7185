# Everything a new machine needs, from nothing: `make run` or `make test`.
# Each target installs what it needs first (a virtualenv in .venv, the pinned
# packages, the database), so either works on a fresh clone.

PORT ?= 8000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
SCALE ?= 10000

# Development settings unless the environment says otherwise: DEBUG on, the
# development secret key, the embedded database when DATABASE_URL is unset.
export DEBUG ?= true

# Security lint of the app's code: medium severity and up fails (tests and
# migrations are left out in pyproject.toml). A finding is fixed, or its line
# says why it is safe with a "# nosec Bxxx" and a comment.
BANDIT = $(BIN)/bandit -c pyproject.toml -r carers people placements sharedlives -ll -q

.PHONY: help install db db-stop migrate demo static run test lint seed serve clean backup restore bench

help:
	@echo "make run     set everything up and serve the app on http://127.0.0.1:$(PORT)/"
	@echo "make test    set everything up and run all the checks and tests"
	@echo "make seed    add the large data set (SCALE=$(SCALE) carers) for benchmarks"
	@echo "make serve   gunicorn with production settings, for measuring"
	@echo "make bench   measure every main page under load on the large data set (its own database)"
	@echo "make lint    ruff check, ruff format --check and bandit"
	@echo "make db-stop stop the embedded PostgreSQL server"
	@echo "make backup  back up the database to var/backups/<date>-<time>.dump (or FILE=...)"
	@echo "make restore FILE=... restore a backup into an empty database (FORCE=1 empties it first)"

$(BIN)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(BIN)/.installed

db: install
	$(PY) manage.py database

db-stop: install
	$(PY) manage.py database --stop

# Backups: pg_dump files of the whole database (see the README, "Backups
# and restore"). They hold personal data: store them encrypted.
backup: db
	$(PY) manage.py backup $(if $(FILE),--file "$(FILE)")

restore: db
	@test -n "$(FILE)" || { echo "Say which backup: make restore FILE=var/backups/....dump"; exit 2; }
	$(PY) manage.py restore "$(FILE)" $(if $(FORCE),--force)

migrate: db
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo --if-empty

static: install
	$(PY) manage.py collectstatic --noinput --verbosity 0

run: demo static
	@echo ""
	@echo "Serving the Shared Lives scheme manager at http://127.0.0.1:$(PORT)/ (Ctrl+C stops it)"
	@echo ""
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: demo static
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/ruff check .
	$(BANDIT)
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BANDIT)

seed: migrate
	$(PY) manage.py seed_demo --scale $(SCALE)

# Production settings: DEBUG off, a throwaway secret key unless one is set,
# plain HTTP on loopback (so no HTTPS redirect or secure-only cookies), and
# 2 workers as on the smallest server.
SERVE_ENV = DEBUG=false ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	SECRET_KEY=$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')} \
	SECURE_SSL_REDIRECT=false SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false

serve: migrate
	$(SERVE_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(BIN)/gunicorn sharedlives.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile -

# The benchmark (README, "Benchmark"): the large data set in a database of its
# own (built if missing), the app under gunicorn with production settings and
# 2 workers, each page driven by locust from another process; one table.
bench: db
	BENCH=true $(PY) manage.py bench --scale $(SCALE)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache

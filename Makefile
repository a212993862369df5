# Every target creates .venv and installs when missing, so a fresh clone needs only `make run`
# or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
WEB_PORT := $(or $(PORT),$(DESK_WEB_PORT),8000)

.PHONY: run test install translations lint format migrations-check bench bench-smoke bench-micro clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Compiled catalogues are build output (.mo files are not committed).
translations: $(STAMP)
	$(BIN)/pybabel compile --statistics -f -d desk/translations 2>&1 | grep -v '^$$' || true

# Ports: the web's (PORT or DESK_WEB_PORT, default 8000) and the mail catcher's (SMTP_PORT,
# default 8025) are checked first; a taken one is replaced by a free one and said so
# (`desk dev-ports`), and the worker sends to whichever port the catcher got.
# Development mode explicitly: no DESK_SECRET_KEY needed (a random key is kept in instance/).
run: export DESK_ENV ?= development
run: install translations
	$(BIN)/desk setup
	@eval "$$($(BIN)/desk dev-ports --web-port $(WEB_PORT) $(if $(DESK_SMTP_HOST),--no-mail))" && \
	  echo "" && \
	  echo "  The desk:        http://127.0.0.1:$$DESK_WEB_PORT/" && \
	  echo "  Staff sign-in:   http://127.0.0.1:$$DESK_WEB_PORT/login (demo users above)" && \
	  echo "  Caught mail:     http://127.0.0.1:$$DESK_WEB_PORT/admin/dev/mail (sign in as admin@desk.invalid)" && \
	  echo "  Inbound email:   smtp://127.0.0.1:$${DESK_INBOUND_SMTP_PORT:-2525} (to tyonantajat@desk.invalid)" && \
	  $(if $(DESK_SMTP_HOST),,echo "  Mail catcher:    smtp://127.0.0.1:$$DESK_SMTP_PORT" &&) \
	  echo "  Ctrl-C stops web, worker, beat$(if $(DESK_SMTP_HOST),, and the mail catcher)." && \
	  echo "" && \
	  DESK_BASE_URL=$${DESK_BASE_URL:-http://127.0.0.1:$$DESK_WEB_PORT} \
	  $(BIN)/honcho --no-prefix -f config/Procfile.dev start \
	  $(if $(DESK_SMTP_HOST),web worker beat inbound,mail web worker beat inbound)

# Two pytest workers (xdist) by default: the slow tiers mostly wait (for processes, mail,
# the browser), so two workers overlap that waiting. A module's tests stay together in one
# worker, and the browser tier in one (tests/support/scheduling.py). TEST_WORKERS=0: one
# process.
TEST_WORKERS ?= 2
test: install translations
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadscope $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Models and migrations agree, and an empty PostgreSQL database migrates to head.
migrations-check: install
	$(BIN)/python -m tests.support.migrations_check

# The benchmark of issue 16 (not part of `make test`): the desk on gunicorn, Celery and
# PostgreSQL + Redis beside its baselines, at a million cases (bench/run.py; needs `wrk`).
# Results: bench/results.json and bench/results.md. BENCH_ARGS adds options (--keep, --cases N).
bench: install translations
	$(BIN)/python -m bench.run --scale full $(BENCH_ARGS)

# The same code at a tiny scale (< 2 min), run by .ci/run so it cannot rot; writes its
# results under instance/bench-smoke/ (bench/results.* keep the full run's figures).
bench-smoke: install translations
	$(BIN)/python -m bench.run --scale smoke --out instance/bench-smoke $(BENCH_ARGS)

# The pytest-benchmark micro benchmarks of tests/bench (routing, one worker's delivery).
bench-micro: install translations
	$(BIN)/pytest tests/bench --benchmark-enable --benchmark-only

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache

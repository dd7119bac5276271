# congdoan for developers: `make demo` and `make test` work on a machine with only python3, make and git.
# uv comes from PyPI into .tools/; the project's environment is .venv/, built from the committed uv.lock.

PYTHON ?= python3
PORT ?= 8000
PYTEST_ARGS ?=
UV_SPEC := uv>=0.13.8,<0.14

TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv

# uv never fetches an interpreter of its own: the environment uses the python3 that bootstrapped it.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.DEFAULT_GOAL := help
.PHONY: help venv demo test lint bench clean

help:
	@echo "make demo      create .venv, migrate the SQLite database, load the demo, serve http://127.0.0.1:$(PORT)"
	@echo "               (another port: make demo PORT=8123)"
	@echo "make test      the whole test suite on SQLite (PostgreSQL: DATABASE_URL=postgres://... make test)"
	@echo "make lint      ruff check"
	@echo "make bench     the benchmarks under bench/"
	@echo "make venv      only create or update .venv from uv.lock"
	@echo "make clean     remove .venv, .tools and caches (keeps var/, the data)"

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "congdoan needs Python 3.11 or newer as '$(PYTHON)' (make PYTHON=python3.11 ...)"; exit 1; }
	@$(PYTHON) -m venv $(TOOLS) \
		|| { echo "'$(PYTHON) -m venv' failed: on Debian/Ubuntu install python3-venv first"; exit 1; }
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check '$(UV_SPEC)'

# Cheap when nothing changed, so every target re-syncs: a pulled uv.lock never leaves a stale .venv.
venv: $(UV)
	@$(UV) sync --frozen --quiet --python "$$($(PYTHON) -c 'import sys; print(sys.executable)')"

demo: venv
	$(VENV)/bin/congdoan demo --port $(PORT)

test: venv
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .

bench: venv
	@test -d bench || { echo "no benchmarks yet: bench/ is missing"; exit 1; }
	$(VENV)/bin/python -m bench

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache .hypothesis test-results

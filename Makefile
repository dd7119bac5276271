# congdoan for developers: `make demo` and `make test` work on a machine with only python3, make and git.
# uv comes from PyPI into .tools/; the project's environment is .venv/, built from the committed uv.lock.

PYTHON ?= python3
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=
UV_SPEC := uv>=0.13.8,<0.14

TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv

# uv never fetches an interpreter of its own: the environment uses the python3 that bootstrapped it.
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.DEFAULT_GOAL := help
.PHONY: help venv demo test lint bench messages clean

help:
	@echo "make demo      create .venv, migrate the SQLite database, load the demo, serve http://127.0.0.1:$(PORT)"
	@echo "               (another port: make demo PORT=8123)"
	@echo "make test      the whole test suite on SQLite (PostgreSQL: DATABASE_URL=postgres://... make test)"
	@echo "make lint      ruff check and ruff format --check"
	@echo "make bench     every benchmark under bench/ (one: make bench BENCHMARKS=members_import BENCH_ARGS=--million)"
	@echo "make messages  refresh the vi catalogue from the code (gettext tools needed), then compile it"
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

# One pytest worker per core (pytest-xdist); each worker has its own test database.
test: venv
	$(VENV)/bin/pytest -n auto $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# A benchmark is a module of bench/ that runs as a script (`python -m bench.NAME`); the others are helpers.
BENCHMARKS = $(basename $(notdir $(shell grep -l '^if __name__ == "__main__"' bench/*.py 2>/dev/null)))

bench: venv
	@test -n "$(BENCHMARKS)" || { echo "no benchmark under bench/"; exit 1; }
	@set -e; for name in $(BENCHMARKS); do \
		echo "== bench.$$name $(BENCH_ARGS)"; $(VENV)/bin/python -m bench.$$name $(BENCH_ARGS); done

# New strings come in untranslated (msgfmt counts them): translate them in django.po, then run it again.
# Locations name files only, so edits elsewhere in a file leave the catalogue unchanged.
messages: venv
	@command -v xgettext >/dev/null || { echo "makemessages needs GNU gettext: apt-get install gettext"; exit 1; }
	cd src/congdoan && ../../$(VENV)/bin/congdoan makemessages -l vi --no-obsolete --add-location file
	cd src/congdoan && ../../$(VENV)/bin/congdoan compilemessages -l vi
	@msgfmt --check --statistics -o /dev/null src/congdoan/locale/vi/LC_MESSAGES/django.po

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache .hypothesis test-results

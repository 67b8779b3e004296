# Everything a new user or CI needs: `make run` starts the app, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test check lint bench browser clean

$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[dev]'
	touch $@

run: $(VENV)/.installed
	$(PY) -m streamlit run streamlit_app.py --server.port $(PORT)

# Debian's chromium for the browser tests (never `playwright install`: it downloads its own build).
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "chromium is not installed: browser tests will be skipped"; fi

test: $(VENV)/.installed browser
	$(PY) -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

# ruff, the layering contracts of pyproject.toml ([tool.importlinter]) and mypy --strict
check: lint
	cd $(CURDIR) && $(VENV)/bin/lint-imports
	$(VENV)/bin/mypy crm

# every bench runs even when one misses its target (it exits 1 and make reports it)
bench: $(VENV)/.installed
	-$(PY) -m bench.bench_channels_page
	-$(PY) -m bench.bench_import
	-$(PY) -m bench.bench_demo
	-$(PY) -m bench.bench_xlsx
	-$(PY) -m bench.bench_outreach_pages
	-$(PY) -m bench.bench_analysis
	-$(PY) -m bench.bench_audience
	-$(PY) -m bench.bench_audience_load

clean:
	rm -rf $(VENV) .pytest_cache

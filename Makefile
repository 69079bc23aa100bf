# One command to set up and run the demo, one to run the tests (see README.md).
# Needs only Python 3.11, pip and make: uv is installed with pip when it is missing.

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
RUN := $(UV) run --locked --no-sync

.PHONY: setup demo test lint format clean ui ui-stop ui-check chromium report-check

setup: .venv/.synced

.venv/.synced: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --user uv || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --locked
	@touch $@

demo: setup
	$(RUN) oer demo

test: setup chromium
	$(RUN) ruff check .
	$(RUN) pytest

lint: setup
	$(RUN) ruff check .
	$(RUN) ruff format --check .

format: setup
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

clean:
	rm -rf .venv .pytest_cache .ruff_cache data .prefect

# The Prefect UI on http://127.0.0.1:4200: a local server (PREFECT_HOME .prefect; it keeps
# running until `make ui-stop`), `oer serve` in the foreground (Ctrl-C stops serving) and one
# run of harvest-source/harvest-demo triggered as soon as it is served.
ui: setup
	@$(RUN) python -m flows.server start --port 4200
	@echo "Prefect UI: http://127.0.0.1:4200  (Ctrl-C stops serving; make ui-stop stops the server)"
	@export PREFECT_API_URL=http://127.0.0.1:4200/api; \
	$(RUN) python -m flows.server trigger harvest-source/harvest-demo --port 4200 & \
	$(RUN) oer serve

ui-stop: setup
	@$(RUN) python -m flows.server stop --port 4200

# Headless Chromium for the browser tests and ui-check: Debian's package, installed with
# apt-get if /usr/bin/chromium is missing (without apt-get: a note; those tests then skip,
# or fail under CI=true).
chromium:
	@[ -x /usr/bin/chromium ] || { \
	  if ! command -v apt-get >/dev/null; then \
	    echo "no /usr/bin/chromium and no apt-get: install Chromium yourself"; exit 0; fi; \
	  echo "installing chromium with apt-get"; \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# A demo harvest seen in the UI by headless Chromium (installed with apt-get if missing):
# temporary server and warehouse; writes docs/img/prefect-flow-run.png, prefect-artifact.png.
ui-check: setup chromium
	$(RUN) python -m flows.ui_check

# The report's tests in Chromium (tests/test_report.py); writes docs/img/report.png.
report-check: setup chromium
	REPORT_PNG=docs/img/report.png $(RUN) pytest tests/test_report.py -q

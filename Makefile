# Set-up and entry points. `make run` and `make test` each install everything they need on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 7860
PY      = $(VENV)/bin/python
PIP     = $(VENV)/bin/pip
STAMP   = $(VENV)/.installed

.PHONY: install run index test test-fast eval bench chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# The CPU build of torch; an unpinned torch would pull a several-GB CUDA build.
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e '.[all]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(PY) -m assistant index seeds

# The app indexes seeds/ and your library (in your data folder) itself, saying first how long it will take.
run: install
	$(PY) -m ui --folder seeds --port $(PORT)

# Debian chromium for the browser test, and CJK fonts so its screenshots show Chinese.
chromium:
	@(command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "CJK") || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

test: install chromium
	$(PY) -m pytest -q

test-fast: install
	$(PY) -m pytest -q -m "not slow"

eval: install
	$(PY) -m eval

bench: install
	$(PY) -m eval.bench

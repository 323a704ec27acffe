# Set-up and entry points. `make run` and `make test` each install everything they need on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
PORT   ?= 7860
PY      = $(VENV)/bin/python
PIP     = $(VENV)/bin/pip
STAMP   = $(VENV)/.installed
APP_STAMP = $(VENV)/.installed-app

.PHONY: install install-all run index test test-fast eval bench chromium

# `make run` installs the app only (ui + formats extras: no torch, no test tools), in a few hundred MB.
# `make test` adds everything else: CPU torch, sentence-transformers, eval and test tools.
# Long steps print pip's own lines (no -q), so a slow download shows where it is.
$(APP_STAMP): pyproject.toml
	@echo "== 1/2 Python environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	@echo "== 2/2 The app and its ui + formats extras (no torch)"
	# --no-compile: Python compiles what it imports on first use; compiling every installed file up front
	# (gradio, pandas, …) costs minutes on 2 cores for modules the app never imports.
	$(PIP) install --progress-bar on --no-compile -e '.[ui,formats]'
	touch $(APP_STAMP)

$(STAMP): $(APP_STAMP)
	@echo "== CPU torch 2.13.0 (for the st extra), then every extra (st, eval, test)"
	# The CPU build of torch; an unpinned torch would pull a several-GB CUDA build.
	$(PIP) install --progress-bar on torch==2.13.0
	$(PIP) install --progress-bar on -e '.[all]'
	touch $(STAMP)

install: $(APP_STAMP)

install-all: $(STAMP)

index: install
	$(PY) -m assistant index seeds

# The app indexes seeds/ and your library (in your data folder) itself, saying first how long it will take.
run: install
	$(PY) -m ui --folder seeds --port $(PORT)

# Debian chromium for the browser test, and CJK fonts so its screenshots show Chinese.
chromium:
	@(command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "CJK") || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

test: install-all chromium
	$(PY) -m pytest -q

test-fast: install-all
	$(PY) -m pytest -q -m "not slow"

eval: install-all
	$(PY) -m eval

bench: install-all
	$(PY) -m eval.bench

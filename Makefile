# Elder-care assistant: one Makefile for setup, build, test, lint, bench and run.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RASA_VENV := .venv-rasa
RASA_STAMP := $(RASA_VENV)/.installed
# Rasa 3.6 needs Python 3.10: pyenv's 3.10.13 if present, else python3.10 on PATH.
PYTHON310 ?= $(shell p="$$(pyenv root 2>/dev/null)/versions/3.10.13/bin/python"; \
  if [ -x "$$p" ]; then echo "$$p"; elif command -v python3.10 >/dev/null 2>&1 && python3.10 -V >/dev/null 2>&1; then command -v python3.10; fi)
TORCH_VERSION := 2.13.0

.PHONY: setup build test lint bench run clean help

help:
	@echo "make run    - set everything up, build index and Rasa model, start all services (SQLite)"
	@echo "make test   - run the test suite (builds what it needs)"
	@echo "make setup  - create .venv (Python 3.11, CPU torch $(TORCH_VERSION)) and .venv-rasa (Python 3.10, Rasa 3.6)"
	@echo "make build  - build the retrieval index and train the Rasa model (only when inputs changed)"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - retrieval figures, then chat latency/throughput vs bare Rasa and memory"

setup: $(STAMP) $(RASA_STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' || \
	  { echo "需要 Python 3.11 / Python 3.11 is required (set PYTHON=...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@# CPU build of torch first, so that nothing pulls a CUDA build.
	@$(BIN)/python -c 'import torch, sys; sys.exit(0 if torch.__version__.startswith("$(TORCH_VERSION)") else 1)' 2>/dev/null || \
	  $(BIN)/python -m pip install -q torch==$(TORCH_VERSION)
	$(BIN)/python -m pip install -q -e '.[dev,st]' torch==$(TORCH_VERSION)
	@touch $(STAMP)

$(RASA_STAMP): requirements-rasa.txt
	@test -n "$(PYTHON310)" || { echo "需要 Python 3.10 来运行 Rasa 3.6 / Rasa 3.6 needs Python 3.10: install it (e.g. pyenv install 3.10.13) or set PYTHON310=/path/to/python3.10"; exit 1; }
	@test -x $(RASA_VENV)/bin/python || $(PYTHON310) -m venv $(RASA_VENV)
	$(RASA_VENV)/bin/python -m pip install -q --upgrade pip
	$(RASA_VENV)/bin/python -m pip install -q -r requirements-rasa.txt
	RASA_TELEMETRY_ENABLED=false $(RASA_VENV)/bin/rasa telemetry disable >/dev/null 2>&1 || true
	@touch $(RASA_STAMP)

build: setup
	$(BIN)/eldercare index build
	$(BIN)/eldercare nlu generate --check
	$(BIN)/eldercare train

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python scripts/bench_retrieval.py --set tests/data/retrieval_dev.jsonl
	$(BIN)/python scripts/bench_chat.py

run: build
	$(BIN)/eldercare up
	@echo "终端聊天 / chat in the terminal: $(BIN)/eldercare chat    停止 / stop: $(BIN)/eldercare down"

clean:
	-@test -x $(BIN)/eldercare && $(BIN)/eldercare down
	rm -rf var .pytest_cache .mypy_cache .ruff_cache

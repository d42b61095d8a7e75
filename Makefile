# Elder-care assistant: one Makefile for setup, build, test, lint, bench and run.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RASA_VENV := .venv-rasa
RASA_STAMP := $(RASA_VENV)/.installed
# Rasa 3.6 needs Python 3.10: scripts/find_python310.sh finds pyenv's, uv's or the system's (or set PYTHON310).
PYTHON310 ?=
APP_LOCK := constraints/app.txt
RASA_LOCK := constraints/rasa.txt
# pip's output shortened to a line per package it collects, then how many it installed (errors in
# full); pipefail keeps pip's exit status.
PIP_PROGRESS := awk '/^Collecting /{print "    " $$1 " " $$2; fflush()} \
  /^Successfully installed /{print "    " NF - 2 " packages installed"; fflush()} \
  /ERROR|[Ee]rror:/{print; fflush()}'
TORCH_VERSION := 2.13.0

.PHONY: setup build test lint bench run run-banner clean help lock

help:
	@echo "make run    - set everything up, build index and Rasa model, start all services (SQLite)"
	@echo "make test   - run the test suite (builds what it needs)"
	@echo "make setup  - create .venv (Python 3.11, CPU torch $(TORCH_VERSION)) and .venv-rasa (Python 3.10, Rasa 3.6)"
	@echo "make build  - build the retrieval index and train the Rasa model (only when inputs changed)"
	@echo "make lint   - ruff, mypy and the layering contracts"
	@echo "make bench  - retrieval figures, then chat latency/throughput vs bare Rasa and memory"
	@echo "make lock   - re-resolve both environments into constraints/app.txt and constraints/rasa.txt"

setup: $(STAMP) $(RASA_STAMP)

$(STAMP): pyproject.toml $(APP_LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 11) else 1)' || \
	  { echo "需要 Python 3.11 / Python 3.11 is required (set PYTHON=...)"; exit 1; }
	@echo "==> .venv：Python 3.11 应用环境，第一次约 3 分钟、占 2 GB 左右 / app environment: about 3 min and 2 GB the first time"
	@SECONDS=0; set -eo pipefail; \
	  test -x $(BIN)/python || $(PYTHON) -m venv $(VENV); \
	  $(BIN)/python -m pip install -q --upgrade pip -c $(APP_LOCK); \
	  $(BIN)/python -c 'import torch, sys; sys.exit(0 if torch.__version__.startswith("$(TORCH_VERSION)") else 1)' 2>/dev/null || \
	    { $(BIN)/python -m pip install --progress-bar off torch==$(TORCH_VERSION) -c $(APP_LOCK) 2>&1 | $(PIP_PROGRESS); }; \
	  $(BIN)/python -m pip install --progress-bar off -e '.[dev,st]' torch==$(TORCH_VERSION) -c $(APP_LOCK) 2>&1 | $(PIP_PROGRESS); \
	  echo "    .venv 好了 / ready ($$((SECONDS / 60)) min $$((SECONDS % 60)) s, $$(du -sh $(VENV) | cut -f1))"
	@touch $(STAMP)

$(RASA_STAMP): requirements-rasa.txt $(RASA_LOCK)
	@python310=$$(PYTHON310="$(PYTHON310)" bash scripts/find_python310.sh) || exit 1; \
	  echo "==> .venv-rasa：Python 3.10 的 Rasa 3.6 环境（$$python310），第一次约 3 分钟、占 3 GB 左右 / Rasa environment: about 3 min and 3 GB the first time"; \
	  SECONDS=0; set -eo pipefail; \
	  test -x $(RASA_VENV)/bin/python || "$$python310" -m venv $(RASA_VENV); \
	  $(RASA_VENV)/bin/python -m pip install -q --upgrade pip -c $(RASA_LOCK); \
	  $(RASA_VENV)/bin/python -m pip install --progress-bar off -r requirements-rasa.txt -c $(RASA_LOCK) 2>&1 | $(PIP_PROGRESS); \
	  echo "    .venv-rasa 好了 / ready ($$((SECONDS / 60)) min $$((SECONDS % 60)) s, $$(du -sh $(RASA_VENV) | cut -f1))"
	RASA_TELEMETRY_ENABLED=false $(RASA_VENV)/bin/rasa telemetry disable >/dev/null 2>&1 || true
	@touch $(RASA_STAMP)

lock:
	PYTHON=$(PYTHON) TORCH_VERSION=$(TORCH_VERSION) PYTHON310=$(PYTHON310) bash scripts/lock.sh

build: setup
	$(BIN)/eldercare index build
	$(BIN)/eldercare answers train
	$(BIN)/eldercare nlu generate --check
	$(BIN)/eldercare train

test: setup
	@# Train first (a no-op when the model is current) so that its progress shows; the tests then start
	@# their own services on free ports, beside any running `make run`.
	$(BIN)/eldercare train
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: setup
	$(BIN)/python scripts/bench_retrieval.py --set tests/data/retrieval_dev.jsonl
	$(BIN)/python scripts/bench_chat.py

run: run-banner build
	$(BIN)/eldercare up
	@echo "终端聊天 / chat in the terminal: $(BIN)/eldercare chat    停止 / stop: $(BIN)/eldercare down"

run-banner:
	@test -f $(STAMP) -a -f $(RASA_STAMP) || echo "第一次运行大约需要 11 分钟（两个环境各约 3 分钟，训练 Rasa 模型约 6 分钟） / the first run takes about 11 min (two environments about 3 min each, training about 6 min)"

clean:
	-@test -x $(BIN)/eldercare && $(BIN)/eldercare down
	rm -rf var .pytest_cache .mypy_cache .ruff_cache

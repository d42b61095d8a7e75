# Elder-care assistant: one Makefile for setup, build, test, lint, bench and run.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TORCH_VERSION := 2.13.0

.PHONY: setup build test lint bench run clean help

help:
	@echo "make run    - set everything up, build the index, open the search prompt"
	@echo "make test   - run the test suite (builds what it needs)"
	@echo "make setup  - create .venv (Python 3.11, CPU torch $(TORCH_VERSION))"
	@echo "make build  - build the retrieval index under var/index"
	@echo "make lint   - ruff and mypy"
	@echo "make bench  - retrieval quality, build time, latency and memory figures"

setup: $(STAMP)

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

build: setup
	$(BIN)/eldercare index build

test: setup
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python scripts/bench_retrieval.py --set tests/data/retrieval_dev.jsonl

run: build
	$(BIN)/eldercare search

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache

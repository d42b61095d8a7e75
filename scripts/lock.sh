#!/usr/bin/env bash
# `make lock`: resolve both environments afresh in throwaway virtual environments and write every
# installed package with its exact version to constraints/app.txt and constraints/rasa.txt, which
# `make setup` installs with (-c). Run it when pyproject.toml or requirements-rasa.txt changes, or to
# take newer releases; then run `make setup` and `make test` and commit the two files.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
TORCH_VERSION=${TORCH_VERSION:-2.13.0}
PYTHON310=${PYTHON310:-$(bash scripts/find_python310.sh)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p constraints

header() {  # $1: what the file locks, $2: the python
  echo "# Exact versions of every package in $1, as resolved by \`make lock\` on $(date -u +%Y-%m-%d)"
  echo "# with $("$2" -V 2>&1) on $(uname -s) $(uname -m). Do not edit by hand: change pyproject.toml or"
  echo "# requirements-rasa.txt and run \`make lock\`. \`make setup\` installs with these as constraints (-c)."
}

echo "==> 解析应用环境 / resolving the app environment (Python 3.11, about 3 min)…" >&2
"$PYTHON" -m venv "$work/app"
"$work/app/bin/python" -m pip install -q --upgrade pip
"$work/app/bin/python" -m pip install -q "torch==$TORCH_VERSION"  # the CPU build, before anything pulls CUDA
"$work/app/bin/python" -m pip install -q ".[dev,st]" "torch==$TORCH_VERSION"
{
  header ".venv (the assistant, the action server, the gateway, the tests)" "$work/app/bin/python"
  # The CPU build's local label (+cpu) is left out: torch==X matches X+cpu, and pip takes the CPU
  # build when it is installed first, as `make setup` does.
  "$work/app/bin/python" -m pip freeze --all --exclude eldercare-assistant | sed -E 's/^(torch==[^+]+)\+.*/\1/'
} > constraints/app.txt.new

echo "==> 解析 Rasa 环境 / resolving the Rasa environment (Python 3.10, about 3 min)…" >&2
"$PYTHON310" -m venv "$work/rasa"
"$work/rasa/bin/python" -m pip install -q --upgrade pip
"$work/rasa/bin/python" -m pip install -q -r requirements-rasa.txt
{
  header ".venv-rasa (the Rasa 3.6 server)" "$work/rasa/bin/python"
  "$work/rasa/bin/python" -m pip freeze --all
} > constraints/rasa.txt.new

mv constraints/app.txt.new constraints/app.txt
mv constraints/rasa.txt.new constraints/rasa.txt
echo "写好了 / written: constraints/app.txt ($(grep -vc '^#' constraints/app.txt) packages), constraints/rasa.txt ($(grep -vc '^#' constraints/rasa.txt) packages)" >&2

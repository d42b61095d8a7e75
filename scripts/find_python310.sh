#!/usr/bin/env bash
# Print the path of a Python 3.10 that can make virtual environments (Rasa 3.6 needs it), or say how to
# get one and exit 1. Looks, in order, at $PYTHON310, pyenv's 3.10.x, uv's managed 3.10, python3.10 on
# PATH and the usual system places (Debian/Ubuntu, deadsnakes, Homebrew).
set -uo pipefail

works() {  # a real Python 3.10 with venv and ensurepip (pyenv's shims of other versions fail here)
  [ -n "$1" ] && [ -x "$1" ] || command -v "$1" >/dev/null 2>&1 || return 1
  "$1" -c 'import sys, venv, ensurepip; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1
}

found() { command -v "$1" 2>/dev/null || echo "$1"; exit 0; }

if [ -n "${PYTHON310:-}" ]; then
  works "$PYTHON310" && found "$PYTHON310"
  echo "PYTHON310=$PYTHON310 不是可用的 Python 3.10 / is not a working Python 3.10 (with venv)" >&2
  exit 1
fi

if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for candidate in $(ls -d "$root"/versions/3.10.* 2>/dev/null | sort -V -r); do
    works "$candidate/bin/python" && found "$candidate/bin/python"
  done
fi

if command -v uv >/dev/null 2>&1; then
  candidate=$(uv python find 3.10 2>/dev/null) && works "$candidate" && found "$candidate"
fi
for candidate in "${XDG_DATA_HOME:-$HOME/.local/share}"/uv/python/cpython-3.10*/bin/python3.10; do
  works "$candidate" && found "$candidate"
done

for candidate in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10 /opt/homebrew/bin/python3.10; do
  works "$candidate" && found "$candidate"
done

cat >&2 <<'ADVICE'
找不到 Python 3.10。Rasa 3.6 只能在 Python 3.10 上运行（其余部分用 Python 3.11）。任选一种方法安装：
Python 3.10 was not found. Rasa 3.6 runs only on Python 3.10 (everything else uses Python 3.11). Any one of:
  pyenv:      pyenv install 3.10.13
  uv:         uv python install 3.10
  Debian/Ubuntu (deadsnakes PPA on Ubuntu):
              sudo add-apt-repository ppa:deadsnakes/ppa && sudo apt-get install python3.10 python3.10-venv
  or point to one:  make setup PYTHON310=/path/to/python3.10
ADVICE
exit 1

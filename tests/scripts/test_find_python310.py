"""scripts/find_python310.sh: `make setup` finds a Python 3.10 for Rasa, or says how to get one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "find_python310.sh"
SYSTEM_PATH = "/usr/bin:/bin"


def find(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def python310() -> str:
    """The Python 3.10 this machine has (make setup needed it for .venv-rasa)."""
    found = find(dict(os.environ))
    assert found.returncode == 0, found.stderr
    return found.stdout.strip()


def test_what_it_finds_is_a_python_3_10(python310: str) -> None:
    version = subprocess.run([python310, "-V"], capture_output=True, text=True, check=True).stdout
    assert version.startswith("Python 3.10.")


def test_a_uv_managed_python_is_found(python310: str, tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    uv = bin_dir / "uv"
    uv.write_text(f'#!/bin/sh\n[ "$1 $2 $3" = "python find 3.10" ] && echo {python310}\n', encoding="utf-8")
    uv.chmod(0o755)
    found = find({"PATH": f"{bin_dir}:{SYSTEM_PATH}", "HOME": str(tmp_path)})
    assert (found.returncode, found.stdout.strip()) == (0, python310)


def test_without_one_it_says_how_to_get_one_in_both_languages(tmp_path: Path) -> None:
    found = find({"PATH": SYSTEM_PATH, "HOME": str(tmp_path)})
    if Path("/usr/bin/python3.10").exists():  # the system's own is found instead
        assert (found.returncode, found.stdout.strip()) == (0, "/usr/bin/python3.10")
        return
    assert found.returncode == 1 and found.stdout == ""
    for advice in ("找不到 Python 3.10", "was not found", "pyenv install 3.10", "uv python install 3.10"):
        assert advice in found.stderr
    assert "deadsnakes" in found.stderr and "PYTHON310=" in found.stderr


def test_a_python310_setting_that_is_not_3_10_is_refused(tmp_path: Path) -> None:
    found = find({"PATH": SYSTEM_PATH, "HOME": str(tmp_path), "PYTHON310": sys.executable})
    assert found.returncode == 1
    assert "is not a working Python 3.10" in found.stderr

"""Both environments are locked: constraints/*.txt pin what pyproject.toml and requirements-rasa.txt ask
for, and `make setup` installed exactly what they pin."""

from __future__ import annotations

import json
import subprocess
from importlib import metadata
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
APP_LOCK = ROOT / "constraints" / "app.txt"
RASA_LOCK = ROOT / "constraints" / "rasa.txt"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


def pins(path: Path) -> dict[str, Version]:
    """name → exact version of every line `name==version` of a lock file."""
    out: dict[str, Version] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name, sep, version = line.partition("==")
        assert sep and version, f"{path.name}: not an exact pin: {line!r}"
        out[canonicalize_name(name)] = Version(version)
    return out


def declared_app_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    return [Requirement(r) for r in [*project["dependencies"], *extras["dev"], *extras["st"]]]


def declared_rasa_requirements() -> list[Requirement]:
    lines = (ROOT / "requirements-rasa.txt").read_text(encoding="utf-8").splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(
    ("lock", "declared"),
    [(APP_LOCK, declared_app_requirements), (RASA_LOCK, declared_rasa_requirements)],
    ids=["app", "rasa"],
)
def test_the_lock_pins_every_declared_requirement_within_its_range(lock: Path, declared: object) -> None:
    locked = pins(lock)
    for requirement in declared():  # type: ignore[operator]
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement} is not in {lock.name}: run `make lock`"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"{lock.name} pins {name}=={locked[name]}, outside {requirement}: run `make lock`"
        )


def test_the_app_lock_keeps_torch_on_the_cpu_build_version() -> None:
    assert pins(APP_LOCK)["torch"] == Version("2.13.0")
    assert not any(name.startswith("nvidia-") for name in pins(APP_LOCK))  # no CUDA libraries


def same_release(installed: str, locked: Version) -> bool:
    """torch 2.13.0+cpu is what torch==2.13.0 installs."""
    return Version(Version(installed).public) == locked


def test_the_app_environment_is_what_the_lock_says() -> None:
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    wrong = {
        name: (installed.get(name), str(version))
        for name, version in pins(APP_LOCK).items()
        if name not in installed or not same_release(installed[name], version)
    }
    assert wrong == {}, "installed vs locked; run `make setup`"


def test_the_rasa_environment_is_what_the_lock_says() -> None:
    listing = subprocess.run(
        [str(RASA_PYTHON), "-c", "import json, importlib.metadata as m; "
         "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    installed = {canonicalize_name(k): v for k, v in json.loads(listing.stdout).items()}
    wrong = {
        name: (installed.get(name), str(version))
        for name, version in pins(RASA_LOCK).items()
        if name not in installed or not same_release(installed[name], version)
    }
    assert wrong == {}, "installed vs locked; run `make setup`"

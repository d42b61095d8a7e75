"""YAML reading for every data file: libyaml's C loader when PyYAML has it (about ten times faster)."""

from __future__ import annotations

from typing import Any

import yaml

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse YAML text as yaml.safe_load does."""
    return yaml.load(text, Loader=_Loader)

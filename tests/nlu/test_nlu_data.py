"""The NLU training data and the held-out test set: coverage and independence."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.cli.nlu_eval import INTENTS
from bot.cli.settings import RasaSettings

ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)")


def _examples(path: Path) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        if "intent" in item:
            lines = [ln.strip()[2:] for ln in item["examples"].splitlines() if ln.strip().startswith("- ")]
            out.setdefault(item["intent"], set()).update(ANNOTATION.sub(r"\1", ln) for ln in lines)
    return out


def test_held_out_set_covers_every_intent_and_is_not_in_training_data() -> None:
    settings = RasaSettings()
    test = _examples(settings.nlu_test_set)
    assert set(test) == set(INTENTS)
    assert all(len(examples) >= 15 for examples in test.values())
    training: set[str] = set()
    for path in settings.nlu_data.glob("*.yml"):
        for examples in _examples(path).values():
            training |= examples
    overlap = {ex for examples in test.values() for ex in examples} & training
    assert overlap == set()


def test_training_data_has_at_least_40_examples_per_intent() -> None:
    counts: dict[str, int] = {}
    for path in RasaSettings().nlu_data.glob("*.yml"):
        for intent, examples in _examples(path).items():
            counts[intent] = counts.get(intent, 0) + len(examples)
    assert {i: counts.get(i, 0) for i in INTENTS if counts.get(i, 0) < 40} == {}

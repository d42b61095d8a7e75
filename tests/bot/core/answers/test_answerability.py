"""The answerability model: probabilities, files, refusal of a model of other features."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.answers.features import FEATURES
from bot.core.answers.model import AnswerabilityModel, open_model


def test_the_default_model_answers_covered_clauses_that_state_what_is_asked() -> None:
    model = AnswerabilityModel.default()
    good = dict.fromkeys(FEATURES, 0.0) | {
        "coverage": 1.0,
        "states_asked": 1.0,
        "score_ratio": 1.0,
        "rank_inverse": 1.0,
    }
    missing = good | {"specific_missing": 1.0, "states_asked": 0.0}
    assert model.probability([good[f] for f in FEATURES]) > model.threshold
    assert model.probability([missing[f] for f in FEATURES]) < model.threshold


def test_a_saved_model_loads_the_same(tmp_path: Path) -> None:
    model = AnswerabilityModel(
        (0.5,) * len(FEATURES), -1.0, (0.1,) * len(FEATURES), (2.0,) * len(FEATURES), 0.6, 40
    )
    path = tmp_path / "m" / "answerability.json"
    model.save(path)
    assert open_model(path) == model


def test_a_model_of_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.json"
    data = AnswerabilityModel.default().to_json() | {"features": ["coverage"]}
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="answers train"):
        AnswerabilityModel.load(path)


def test_without_a_trained_model_the_default_is_used(tmp_path: Path) -> None:
    assert open_model(tmp_path / "missing.json") == AnswerabilityModel.default()
    assert open_model(None).trained_on == 0

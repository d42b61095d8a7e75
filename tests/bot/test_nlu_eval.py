"""NLU evaluation plumbing: floors, rendering, fingerprints and a clear error without Rasa."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.cli.nlu_eval import INTENTS, IntentScore, NluReport, RasaError, nlu_fingerprint, train_nlu
from bot.cli.settings import RasaSettings


def _report(f1: float = 1.0, emergency_recall: float = 1.0) -> NluReport:
    scores = [IntentScore(i, 1.0, emergency_recall if i == "emergency" else 1.0, f1, 20) for i in INTENTS]
    return NluReport(scores, Path("model.tar.gz"))


def test_floors_reached() -> None:
    report = _report()
    assert report.failures() == []
    assert "全部达标" in report.render()


def test_low_macro_f1_and_low_emergency_recall_are_reported() -> None:
    report = _report(f1=0.9, emergency_recall=0.9)
    failures = report.failures()
    assert any("macro-F1" in f for f in failures)
    assert any("emergency recall" in f for f in failures)
    assert "未达标" in report.render()


def test_fingerprint_changes_with_the_training_data(tmp_path: Path) -> None:
    real = RasaSettings()
    shutil.copytree(real.nlu_config.parent, tmp_path / "nlu")
    settings = RasaSettings(
        nlu_config=tmp_path / "nlu" / "config.yml",
        nlu_data=tmp_path / "nlu" / "data",
        jieba_dir=tmp_path / "nlu" / "jieba",
    )
    before = nlu_fingerprint(settings)
    assert before == nlu_fingerprint(real)
    extra = settings.nlu_data / "extra.yml"
    extra.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - 喂喂\n', encoding="utf-8")
    assert nlu_fingerprint(settings) != before


def test_missing_rasa_gives_a_clear_error(tmp_path: Path) -> None:
    settings = RasaSettings(rasa_bin=tmp_path / "no-rasa", models_dir=tmp_path / "models")
    with pytest.raises(RasaError, match="make setup"):
        train_nlu(settings)

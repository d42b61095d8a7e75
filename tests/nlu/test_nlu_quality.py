"""Integration: train the real Rasa NLU model (if needed) and test it on the held-out set."""

from __future__ import annotations

import pytest

from bot.nlu_eval import MACRO_F1_FLOOR, RECALL_FLOORS, NluReport, evaluate_nlu, train_nlu
from bot.settings import RasaSettings

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def report() -> NluReport:
    settings = RasaSettings()
    return evaluate_nlu(settings, train_nlu(settings))


def test_intent_macro_f1_reaches_the_floor(report: NluReport) -> None:
    assert report.macro_f1 >= MACRO_F1_FLOOR, report.render()


@pytest.mark.parametrize("intent", sorted(RECALL_FLOORS))
def test_safety_intents_are_recalled(report: NluReport, intent: str) -> None:
    assert report.recall(intent) >= RECALL_FLOORS[intent], report.render()

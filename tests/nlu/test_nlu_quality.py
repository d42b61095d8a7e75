"""The NLU floors on the held-out set, with the model `eldercare up` serves (trained here if needed)."""

from __future__ import annotations

import pytest

from bot.cli.nlu_eval import INTENTS, evaluate_nlu
from bot.cli.rasa_model import train_assistant
from bot.cli.settings import RasaSettings

pytestmark = pytest.mark.integration


def test_held_out_set_reaches_the_floors() -> None:
    settings = RasaSettings()
    report = evaluate_nlu(settings, train_assistant(settings))
    assert {s.intent for s in report.scores} >= set(INTENTS)
    assert report.failures() == [], report.render()

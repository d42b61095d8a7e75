"""Builders for action tests: the action server's services on a given store, trackers without Rasa."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from rasa_sdk import Tracker

from actions.context import Services, use_services
from actions.settings import ActionSettings
from bot.core.answers.engine import AnswerEngine
from bot.core.answers.model import AnswerabilityModel
from bot.core.booking.schedule import load_schedule
from bot.core.booking.settings import BookingSettings
from bot.core.store import create_schema, make_engine, session_factory
from index.engine import SearchEngine
from index.grounding import GroundingCheck


@contextmanager
def services_on(
    url: str, engine: SearchEngine, create: bool, today: date | None = None
) -> Iterator[Services]:
    """Action services (in use) whose store is at url (migrated when create), on a fixed day if given."""
    db = make_engine(url)
    try:
        if create:
            create_schema(db)
        booking = BookingSettings(database_url=url, hotline="12349", today=today)
        schedule = load_schedule(regions=set(engine.kb.gazetteer.names))
        settings = ActionSettings(database_url=url)
        words = {t for c in engine.chunks for t in engine.tokenizer.tokenize(c.search_text())}
        check = GroundingCheck(
            engine.tokenizer, engine.kb.expansions(), words, engine.kb.gazetteer.names, settings.min_coverage
        )
        answers = AnswerEngine(engine, check, model=AnswerabilityModel.default())
        svc = Services(settings, engine, check, engine.kb.eligibility(),
                       session_factory(db), booking, schedule, answers)  # fmt: skip
        use_services(svc)
        yield svc
    finally:
        use_services(None)
        db.dispose()


def tracker(slots: dict[str, Any], text: str, intent: str, sender_id: str = "web-1") -> Tracker:
    """A tracker whose latest message is text with intent."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return Tracker(sender_id, slots, latest, [], False, None, {}, "action_listen")

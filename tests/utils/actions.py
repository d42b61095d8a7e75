"""Builders for action tests: the action server's services on a given store, trackers without Rasa."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from rasa_sdk import Tracker

from actions.context import Services, use_services
from actions.settings import ActionSettings
from bot.core.booking.schedule import load_schedule
from bot.core.booking.settings import BookingSettings
from bot.core.store import create_schema, make_engine, session_factory
from index.engine import SearchEngine


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
        svc = Services(ActionSettings(database_url=url), engine, None, engine.kb.eligibility(),  # type: ignore[arg-type]
                       session_factory(db), booking, schedule, None)  # fmt: skip
        use_services(svc)
        yield svc
    finally:
        use_services(None)
        db.dispose()


def tracker(slots: dict[str, Any], text: str, intent: str, sender_id: str = "web-1") -> Tracker:
    """A tracker whose latest message is text with intent."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return Tracker(sender_id, slots, latest, [], False, None, {}, "action_listen")

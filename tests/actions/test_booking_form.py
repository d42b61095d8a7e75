"""The booking form's actions against a real store: the database unreachable, and no booking unseen."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.booking_form import ActionSubmitBooking, ValidateBookingForm
from actions.context import Services, use_services
from actions.settings import ActionSettings
from bot.booking.schedule import load_schedule
from bot.booking.settings import BookingSettings
from bot.store import Booking, create_schema, make_engine, session_factory, transaction
from index.engine import SearchEngine

FILLED = {
    "visit_service": "bath",
    "visit_region": "金台区",
    "visit_address": "东风路12号",
    "visit_day": "2099-01-05",
    "visit_half_day": "morning",
    "contact_name": "王秀兰",
    "contact_phone": "13912345678",
    "booking_confirmed": True,
    "requested_slot": None,
}


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def services_on(url: str, engine: SearchEngine, create: bool) -> Services:
    """Action services whose store is at url (migrated when create)."""
    db = make_engine(url)
    if create:
        create_schema(db)
    booking = BookingSettings(database_url=url, hotline="12349")
    schedule = load_schedule(regions=set(engine.kb.gazetteer.names))
    return Services(ActionSettings(database_url=url), engine, None, engine.kb.eligibility(),  # type: ignore[arg-type]
                    session_factory(db), booking, schedule)  # fmt: skip


@pytest.fixture
def unreachable(engine: SearchEngine) -> Iterator[Services]:
    """Services whose PostgreSQL does not answer."""
    svc = services_on(f"postgresql+psycopg://u:p@127.0.0.1:{closed_port()}/none", engine, create=False)
    use_services(svc)
    yield svc
    use_services(None)


@pytest.fixture
def reachable(engine: SearchEngine, tmp_path: Path) -> Iterator[Services]:
    """Services on a fresh SQLite store."""
    svc = services_on(f"sqlite:///{tmp_path / 'store.db'}", engine, create=True)
    use_services(svc)
    yield svc
    use_services(None)


def tracker(slots: dict[str, Any], text: str, intent: str) -> Tracker:
    """A tracker whose latest message is text with intent."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": []}
    return Tracker("web-1", slots, latest, [], False, None, {}, "action_listen")


def test_database_down_at_confirmation_apologises_names_the_hotline_and_keeps_the_answers(
    unreachable: Services,
) -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionSubmitBooking().run(dispatcher, tracker(FILLED, "确认预约", "affirm"), {}))
    text = dispatcher.messages[0]["text"]
    assert "暂时连不上" in text and "12349" in text and "您说的内容我都记着" in text
    assert dispatcher.messages[0]["buttons"] == [{"title": "找人工", "payload": "/request_human"}]
    # only the confirmation is asked again: every answer stays, and the form resumes with the summary
    assert events == [
        {"event": "slot", "timestamp": None, "name": "booking_confirmed", "value": None},
        {"event": "followup", "timestamp": None, "name": "booking_form"},
    ]


def test_database_down_while_checking_the_area_asks_again_without_losing_the_rest(
    unreachable: Services,
) -> None:
    dispatcher = CollectingDispatcher()
    slots = {**FILLED, "visit_region": None, "requested_slot": "visit_region"}
    result = asyncio.run(
        ValidateBookingForm().validate_visit_region(
            "金台区", dispatcher, tracker(slots, "金台区", "inform"), {}
        )
    )
    assert result == {"visit_region": None}
    assert "12349" in dispatcher.messages[0]["text"]


def test_a_completed_form_without_a_confirmation_in_the_message_shows_the_summary_again(
    reachable: Services,
) -> None:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ActionSubmitBooking().run(dispatcher, tracker(FILLED, "我想约人上门洗澡", "book_home_visit"), {})
    )
    assert dispatcher.messages == []
    assert events[-1] == {"event": "followup", "timestamp": None, "name": "booking_form"}
    with transaction(reachable.sessions, write=False) as session:
        assert session.query(Booking).count() == 0

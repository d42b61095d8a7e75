"""The booking form's actions against a real store: the database unreachable, and no booking unseen."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.booking_form import ActionSubmitBooking, ValidateBookingForm
from actions.context import Services
from bot.core.store import Booking, transaction
from index.engine import SearchEngine
from tests.utils.actions import services_on, tracker

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


@pytest.fixture
def unreachable(engine: SearchEngine, closed_port: int) -> Iterator[Services]:
    """Services whose PostgreSQL does not answer."""
    with services_on(f"postgresql+psycopg://u:p@127.0.0.1:{closed_port}/none", engine, create=False) as svc:
        yield svc


@pytest.fixture
def reachable(engine: SearchEngine, tmp_path: Path) -> Iterator[Services]:
    """Services on a fresh SQLite store."""
    with services_on(f"sqlite:///{tmp_path / 'store.db'}", engine, create=True) as svc:
        yield svc


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

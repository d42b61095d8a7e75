"""A home visit booked, reminded and listed on each day of one week (the actions and the reminder job,
without Rasa): what is offered, what "明天" gets, and when the reminder goes out depend on the weekday.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.booking import ActionManageBooking
from actions.booking_form import ActionSubmitBooking, AskVisitDay, ValidateBookingForm
from actions.context import Services
from bot.core.booking import ledger
from bot.core.booking.dates import format_day
from bot.core.clock import Clock
from bot.core.store import Booking, BookingStatus, Message, transaction
from bot.gateway.reminders import ReminderJob
from index.engine import SearchEngine
from tests.utils.actions import services_on, tracker
from tests.utils.visits import first_visit_day

REFERENCE = re.compile(r"\d{8}-\d{4,}")
FORM: dict[str, Any] = {
    "visit_service": "bath",
    "visit_region": "金台区",
    "visit_address": "东风路12号",
    "visit_day": None,
    "visit_half_day": None,
    "contact_name": "王秀兰",
    "contact_phone": "13912345678",
    "booking_confirmed": None,
    "requested_slot": "visit_day",
}


@pytest.fixture
def services(engine: SearchEngine, database_url: str, today: date) -> Iterator[Services]:
    """The action server's services on a fresh store, on the given day."""
    with services_on(database_url, engine, create=True, today=today) as svc:
        yield svc


def day_from(text: str, slots: dict[str, Any]) -> tuple[dict[str, Any], CollectingDispatcher]:
    """What the booking form makes of a message answering "which day?": the slots and what it said."""
    form, dispatcher = ValidateBookingForm(), CollectingDispatcher()
    asked = tracker(slots, text, "inform")
    extracted = asyncio.run(form.extract_visit_day(dispatcher, asked, {}))
    if extracted.get("visit_day") is None:
        return extracted, dispatcher
    after = tracker({**slots, **extracted}, text, "inform")
    checked = asyncio.run(form.validate_visit_day(extracted["visit_day"], dispatcher, after, {}))
    return checked, dispatcher


def test_a_visit_is_offered_booked_reminded_and_listed_whatever_day_it_is(
    services: Services, today: date
) -> None:
    first = first_visit_day(today + timedelta(days=1))  # 金台区 bath: Monday to Friday

    # Which day? The offered half-days start at the first working day after today.
    asked = CollectingDispatcher()
    asyncio.run(AskVisitDay().run(asked, tracker(FORM, "洗澡", "book_home_visit"), {}))
    offered = asked.messages[0]["buttons"]
    assert offered[0]["payload"] == f"{first.month}月{first.day}日上午"
    assert offered[0]["title"].startswith(format_day(first, today))

    # "明天上午": taken when tomorrow has visits; otherwise the reason and the first free times.
    slots, said = day_from("明天上午", FORM)
    tomorrow = today + timedelta(days=1)
    if first == tomorrow:
        assert slots == {"visit_day": tomorrow.isoformat(), "visit_half_day": "morning"}
    else:
        assert slots == {"visit_day": None, "visit_half_day": None}
        assert "没有安排上门服务" in said.messages[0]["text"]
        assert said.messages[0]["buttons"][0]["payload"] == f"{first.month}月{first.day}日上午"

    # The first offered button books that visit.
    slots, _ = day_from(offered[0]["payload"], FORM)
    assert slots == {"visit_day": first.isoformat(), "visit_half_day": "morning"}
    filled = {**FORM, **slots, "booking_confirmed": True, "requested_slot": None}
    booked = CollectingDispatcher()
    asyncio.run(ActionSubmitBooking().run(booked, tracker(filled, "确认预约", "affirm"), {}))
    confirmation = booked.messages[0]["text"]
    match = REFERENCE.search(confirmation)
    assert match and format_day(first, today) in confirmation, confirmation
    reference = match.group(0)

    # Staff confirm it; the reminder goes out on the day before the visit, once, and not earlier.
    with transaction(services.sessions) as session:
        booking = ledger.by_reference(session, reference)
        assert booking is not None and booking.slot.day == first
        ledger.change_status(session, booking, BookingStatus.CONFIRMED, "staff")
    eve = first - timedelta(days=1)
    if eve != today:
        assert asyncio.run(ReminderJob(services.sessions, Clock(fixed_today=today)).run_once()) == 0
    job = ReminderJob(services.sessions, Clock(fixed_today=eve))
    assert asyncio.run(job.run_once()) == 1
    assert asyncio.run(job.run_once()) == 0
    with transaction(services.sessions, write=False) as session:
        [reminder] = session.query(Message).filter(Message.intent == "booking_reminder").all()
        assert f"预约编号：{reference}" in reminder.text and "明天" in reminder.text

    # 我的预约 lists it with its day.
    listed = CollectingDispatcher()
    asyncio.run(ActionManageBooking().run(listed, tracker({}, "我的预约", "manage_booking"), {}))
    assert reference in listed.messages[0]["text"]
    assert f"{first.month}月{first.day}日" in listed.messages[0]["text"]
    with transaction(services.sessions, write=False) as session:
        assert session.query(Booking).count() == 1

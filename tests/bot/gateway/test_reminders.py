"""Visit reminders the day before, on a real database (both engines): sent once, however often run."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.core.booking import ledger
from bot.core.booking.ledger import NewBooking, Rules
from bot.core.booking.schedule import load_schedule
from bot.core.clock import Clock
from bot.core.outbox import Outbox
from bot.core.schemas import Button
from bot.core.store import (
    Booking,
    BookingStatus,
    HalfDay,
    VisitService,
    messages_after,
    transaction,
)
from bot.gateway.reminders import ReminderJob
from knowledge.base import KnowledgeBase

TODAY = date(2026, 11, 29)  # a Sunday; the visits are on Monday 30 November
MONDAY = date(2026, 11, 30)
CLOCK = Clock(fixed_today=TODAY)


@pytest.fixture
def sessions(sessions: sessionmaker[Session], kb: KnowledgeBase) -> sessionmaker[Session]:
    """A fresh store with the shipped schedule's slots."""
    with transaction(sessions) as session:
        ledger.sync_schedule(session, load_schedule(regions=set(kb.gazetteer.names)), TODAY, 10)
    return sessions


def book(
    sessions: sessionmaker[Session], kb: KnowledgeBase, sender: str, channel: str, confirm: bool
) -> Booking:
    """A booking for Monday morning, confirmed by staff if asked."""
    with transaction(sessions) as session:
        contact = ("王秀兰", "13912345678", "东风路12号", "金台区")
        request = NewBooking(sender, channel, *contact, VisitService.BATH, MONDAY, HalfDay.MORNING)
        booking = ledger.book(session, kb.gazetteer, request, TODAY, Rules(), f"user:{channel}:{sender}")
        if confirm:
            ledger.change_status(session, booking, BookingStatus.CONFIRMED, "staff")
        return booking


def reminders_of(sessions: sessionmaker[Session], sender: str) -> list[str]:
    """Reminder texts in a sender's message log."""
    with transaction(sessions, write=False) as session:
        return [m.text for m in messages_after(session, sender) if m.intent == "booking_reminder"]


def test_a_confirmed_web_visit_is_reminded_once_even_across_restarts(
    sessions: sessionmaker[Session], kb: KnowledgeBase
) -> None:
    booking = book(sessions, kb, "web-a", "web", confirm=True)
    book(sessions, kb, "web-b", "web", confirm=False)  # pending: staff have not confirmed it
    job = ReminderJob(sessions, CLOCK)
    assert asyncio.run(job.run_once()) == 1
    assert asyncio.run(job.run_once()) == 0
    restarted = ReminderJob(sessions, CLOCK)
    assert asyncio.run(restarted.run_once()) == 0
    texts = reminders_of(sessions, "web-a")
    assert len(texts) == 1
    assert texts[0].startswith("温馨提醒：明天 11月30日（周一）上午，工作人员会上门为您提供上门助浴。")
    assert f"预约编号：{booking.reference}" in texts[0]
    assert reminders_of(sessions, "web-b") == []


def test_only_tomorrows_visits_are_reminded(sessions: sessionmaker[Session], kb: KnowledgeBase) -> None:
    book(sessions, kb, "web-a", "web", confirm=True)
    job = ReminderJob(sessions, CLOCK)
    assert asyncio.run(job.run_once(date(2026, 11, 28))) == 0  # two days before
    assert asyncio.run(job.run_once()) == 1


def test_concurrent_rounds_send_a_reminder_once(sessions: sessionmaker[Session], kb: KnowledgeBase) -> None:
    book(sessions, kb, "web-a", "web", confirm=True)

    async def two_rounds() -> list[int]:
        jobs = [ReminderJob(sessions, CLOCK) for _ in range(4)]
        return list(await asyncio.gather(*(job.run_once() for job in jobs)))

    assert sum(asyncio.run(two_rounds())) == 1
    assert len(reminders_of(sessions, "web-a")) == 1


def test_a_network_channel_is_claimed_then_sent_once(
    sessions: sessionmaker[Session], kb: KnowledgeBase
) -> None:
    book(sessions, kb, "tg-1", "telegram", confirm=True)
    sent: list[tuple[str, str, str]] = []

    async def send(sender_id: str, text: str, buttons: Sequence[Button]) -> None:
        sent.append(("telegram", sender_id, text))

    assert asyncio.run(ReminderJob(sessions, CLOCK).run_once()) == 0  # no sender yet: waits
    outbox = Outbox()
    outbox.register("telegram", send)
    job = ReminderJob(sessions, CLOCK, outbox)
    assert asyncio.run(job.run_once()) == 1
    assert asyncio.run(job.run_once()) == 0
    assert [(c, s) for c, s, _ in sent] == [("telegram", "tg-1")]

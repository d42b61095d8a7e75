"""Reminders the day before each confirmed visit, sent through the channel the booking came from.

Idempotent: a web reminder is written to the message log in the same transaction that marks the booking
reminded, so it exists exactly once however often the job runs or restarts. Channels that send over the
network (Telegram) claim the reminder first and then send, so a crash in between loses a reminder rather
than sending it twice.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from bot.core.booking import ledger
from bot.core.booking.dates import format_day
from bot.core.clock import Clock
from bot.core.outbox import Outbox
from bot.core.store import Direction, log_message, transaction
from bot.core.store.models import Booking

logger = logging.getLogger(__name__)


def reminder_text(booking: Booking, today: date) -> str:
    """The reminder an elder reads the day before the visit."""
    address = (
        booking.address
        if booking.address.startswith(booking.region)
        else f"{booking.region} {booking.address}"
    )
    return (
        f"温馨提醒：{format_day(booking.slot.day, today)}{booking.slot.half_day.label}，"
        f"工作人员会上门为您提供{booking.service.label}。\n"
        f"预约编号：{booking.reference}\n地址：{address}\n"
        "如果要改时间或取消，请回复「我的预约」。"
    )


class ReminderJob:
    """Finds tomorrow's confirmed visits that have not been reminded and reminds them once."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        outbox: Outbox | None = None,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.outbox = outbox or Outbox()

    def _claim(self, booking_id: int, today: date) -> tuple[str, str, str] | None:
        """Mark a booking reminded and log the reminder, in one transaction.

        Returns (channel, sender_id, text) when this caller claimed it, None when it was already sent. For
        the web channel the logged message is the delivery: the page fetches it with the user's messages.
        """
        with transaction(self.sessions) as session:
            if not ledger.claim_reminder(session, booking_id):
                return None
            booking = session.get(Booking, booking_id)
            if booking is None:  # pragma: no cover
                return None
            text = reminder_text(booking, today)
            log_message(
                session,
                sender_id=booking.sender_id,
                channel=booking.channel,
                direction=Direction.OUT,
                text=text,
                intent="booking_reminder",
                payload={"booking_reference": booking.reference},
            )
            return booking.channel, booking.sender_id, text

    def _due(self, tomorrow: date) -> list[tuple[int, str]]:
        with transaction(self.sessions, write=False) as session:
            return [(b.id, b.channel) for b in ledger.due_reminders(session, tomorrow)]

    async def run_once(self, today: date | None = None) -> int:
        """Remind every confirmed visit of tomorrow not yet reminded; return how many were sent."""
        today = today or self.clock.today()
        due = await run_in_threadpool(self._due, today + timedelta(days=1))
        sent = 0
        for booking_id, channel in due:
            if channel == "web":
                sent += await run_in_threadpool(self._claim, booking_id, today) is not None
                continue
            if not self.outbox.pushes(channel):
                logger.debug("no sender for channel %s yet; booking %s waits", channel, booking_id)
                continue
            claimed = await run_in_threadpool(self._claim, booking_id, today)
            if claimed is None:
                continue
            if await self.outbox.deliver(*claimed):
                sent += 1
            else:
                logger.error("reminder of booking %s could not be sent on %s", booking_id, channel)
        if sent:
            logger.info("sent %d visit reminder(s) for %s", sent, today + timedelta(days=1))
        return sent

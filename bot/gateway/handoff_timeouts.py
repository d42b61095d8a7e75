"""Gives the hotline, once, to users no operator took within handoff_timeout_s; the ticket stays."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from bot.core import handoffs
from bot.core.outbox import Outbox
from bot.core.store import transaction
from bot.core.store.models import HandoffTicket, utcnow

logger = logging.getLogger(__name__)


class HandoffTimeoutJob:
    """Finds waiting tickets older than the timeout and logs the hotline message for each, once."""

    def __init__(
        self, sessions: sessionmaker[Session], timeout_s: float, hotline: str, outbox: Outbox | None = None
    ) -> None:
        self.sessions = sessions
        self.timeout = timedelta(seconds=timeout_s)
        self.hotline = hotline
        self.outbox = outbox or Outbox()

    def _round(self, now: datetime) -> list[tuple[str, str]]:
        """Log the hotline message for each overdue ticket; return the (channel, sender_id) told."""
        with transaction(self.sessions, write=False) as session:
            due = handoffs.overdue(session, now - self.timeout)
        told = []
        for ticket_id in due:
            with transaction(self.sessions) as session:
                if handoffs.give_hotline(session, ticket_id, self.hotline):
                    ticket = session.get(HandoffTicket, ticket_id)
                    if ticket is not None:
                        told.append((ticket.channel, ticket.sender_id))
        return told

    async def run_once(self, now: datetime | None = None) -> int:
        """Give the hotline to every overdue waiting user; return how many were told."""
        told = await run_in_threadpool(self._round, now or utcnow())
        text = handoffs.hotline_text(self.hotline)
        for channel, sender_id in told:
            await self.outbox.deliver(channel, sender_id, text)
        return len(told)

"""Gives the hotline, once, to users no operator took within handoff_timeout_s; the ticket stays."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from bot import handoffs
from bot.store import transaction
from bot.store.models import utcnow

logger = logging.getLogger(__name__)


class HandoffTimeoutJob:
    """Finds waiting tickets older than the timeout and logs the hotline message for each, once."""

    def __init__(self, sessions: sessionmaker[Session], timeout_s: float, hotline: str) -> None:
        self.sessions = sessions
        self.timeout = timedelta(seconds=timeout_s)
        self.hotline = hotline

    def _round(self, now: datetime) -> int:
        with transaction(self.sessions, write=False) as session:
            due = handoffs.overdue(session, now - self.timeout)
        given = 0
        for ticket_id in due:
            with transaction(self.sessions) as session:
                given += handoffs.give_hotline(session, ticket_id, self.hotline)
        return given

    async def run_once(self, now: datetime | None = None) -> int:
        """Give the hotline to every overdue waiting user; return how many were told."""
        return await run_in_threadpool(self._round, now or utcnow())

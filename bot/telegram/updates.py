"""Redelivered updates answered once: each update is claimed in the store before it is handled.

Telegram delivers an update again when the webhook did not answer 200 in time, or when polling did not
confirm it (a crash, a restart). The claim is a row keyed by (bot id, update id), so it survives
restarts and is shared by every process on the same database:

- a new update is claimed and handled; the row is marked answered when the handlers are done;
- an answered update, or one this process is handling right now, is not handled again;
- an unanswered update another process claimed is taken over once that claim is older than
  `stale_after_s` (that process most likely died); until then it is busy elsewhere. Polling passes 0:
  only one process can poll a bot, so another owner's unfinished claim is from a process that is gone.

A crash between claiming and answering can lose or (after the takeover) repeat that one turn; never
two answers to one delivery.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from enum import Enum

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.store import transaction
from bot.core.store.models import utcnow
from bot.core.store.telegram import TelegramInbox, TelegramUpdate

logger = logging.getLogger(__name__)


class Claim(str, Enum):
    """What claiming an update found."""

    NEW = "new"  # this process handles it now
    DONE = "done"  # already answered
    BUSY_HERE = "busy_here"  # this process is handling it
    BUSY_ELSEWHERE = "busy_elsewhere"  # another process took it recently and has not answered yet


class UpdateLedger:
    """Claims updates in the store and marks them answered."""

    def __init__(
        self, sessions: sessionmaker[Session], stale_after_s: float, owner: str | None = None
    ) -> None:
        """Claim as `owner` (a fresh random id by default, one per process start)."""
        self.sessions = sessions
        self.stale_after_s = stale_after_s
        self.owner = owner or uuid.uuid4().hex

    def claim(self, bot_id: int, update_id: int) -> Claim:
        """Take an update for handling, unless it was answered or is being handled."""
        with transaction(self.sessions) as session:
            row = session.get(TelegramUpdate, (bot_id, update_id))
            now = utcnow()
            if row is None:
                try:
                    with session.begin_nested():
                        session.add(
                            TelegramUpdate(
                                bot_id=bot_id, update_id=update_id, owner=self.owner, claimed_at=now
                            )
                        )
                except IntegrityError:  # another process claimed it this very moment
                    return Claim.BUSY_ELSEWHERE
                return Claim.NEW
            if row.answered_at is not None:
                return Claim.DONE
            if row.owner == self.owner:
                return Claim.BUSY_HERE
            if (now - row.claimed_at).total_seconds() < self.stale_after_s:
                return Claim.BUSY_ELSEWHERE
            taken = session.execute(
                update(TelegramUpdate)
                .where(
                    TelegramUpdate.bot_id == bot_id,
                    TelegramUpdate.update_id == update_id,
                    TelegramUpdate.owner == row.owner,
                    TelegramUpdate.answered_at.is_(None),
                )
                .values(owner=self.owner, claimed_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount  # type: ignore[attr-defined]
            if not taken:
                return Claim.BUSY_ELSEWHERE
            logger.warning("update %s: taking over an unanswered claim of another process", update_id)
            return Claim.NEW

    def answered(self, bot_id: int, update_id: int) -> None:
        """Mark an update this process claimed as answered."""
        with transaction(self.sessions) as session:
            session.execute(
                update(TelegramUpdate)
                .where(TelegramUpdate.bot_id == bot_id, TelegramUpdate.update_id == update_id)
                .values(answered_at=utcnow())
                .execution_options(synchronize_session=False)
            )

    def release(self, bot_id: int, update_id: int) -> None:
        """Give up a claim that was not answered, so that a redelivery is handled again."""
        with transaction(self.sessions) as session:
            session.execute(
                delete(TelegramUpdate).where(
                    TelegramUpdate.bot_id == bot_id,
                    TelegramUpdate.update_id == update_id,
                    TelegramUpdate.owner == self.owner,
                    TelegramUpdate.answered_at.is_(None),
                )
            )

    def prune(self, keep: timedelta = timedelta(days=7)) -> int:
        """Forget claims older than `keep` (Telegram keeps undelivered updates for 24 hours)."""
        with transaction(self.sessions) as session:
            result = session.execute(
                delete(TelegramUpdate).where(TelegramUpdate.claimed_at < utcnow() - keep)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]


class Inbox:
    """Polled updates kept from the moment they are fetched until they are answered."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        """Keep them in this store."""
        self.sessions = sessions

    def record(self, bot_id: int, updates: list[tuple[int, str]]) -> None:
        """Keep fetched updates (update id, JSON) before polling confirms them; known ones are skipped."""
        with transaction(self.sessions) as session:
            ids = [update_id for update_id, _ in updates]
            known = set(
                session.scalars(
                    select(TelegramInbox.update_id).where(
                        TelegramInbox.bot_id == bot_id, TelegramInbox.update_id.in_(ids)
                    )
                )
            )
            for update_id, payload in updates:
                if update_id not in known:
                    session.add(TelegramInbox(bot_id=bot_id, update_id=update_id, payload=payload))

    def pending(self, bot_id: int) -> list[str]:
        """The kept updates not answered yet (oldest first): a process died before answering them."""
        with transaction(self.sessions, write=False) as session:
            return list(
                session.scalars(
                    select(TelegramInbox.payload)
                    .where(TelegramInbox.bot_id == bot_id)
                    .order_by(TelegramInbox.update_id)
                )
            )

    def done(self, bot_id: int, update_id: int) -> None:
        """Forget an update that was answered (or needs no answer)."""
        with transaction(self.sessions) as session:
            session.execute(
                delete(TelegramInbox).where(
                    TelegramInbox.bot_id == bot_id, TelegramInbox.update_id == update_id
                )
            )

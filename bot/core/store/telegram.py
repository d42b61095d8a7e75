"""Tables of the Telegram channel, on the store's metadata (migration 0004)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.store.models import Base, utcnow


class TelegramUpdate(Base):
    """An update this bot took to answer: redelivered updates are answered once, across restarts."""

    __tablename__ = "telegram_updates"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    # The process that took it (a random id per process start).
    owner: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)

    def __repr__(self) -> str:
        """Show the update's state."""
        return (
            f"TelegramUpdate(bot_id={self.bot_id!r}, update_id={self.update_id!r}, "
            f"answered={self.answered_at is not None!r})"
        )


class TelegramInbox(Base):
    """An update polling fetched, kept until it is answered: getUpdates confirms it with the next call.

    python-telegram-bot confirms fetched updates (the next getUpdates offset) before they are handled;
    a process that dies in between would lose them, so they are written here first and replayed at the
    next start.
    """

    __tablename__ = "telegram_inbox"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    payload: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        """Show the update's id only (the payload holds what the user wrote)."""
        return f"TelegramInbox(bot_id={self.bot_id!r}, update_id={self.update_id!r})"


class TelegramCallback(Base):
    """A button payload too long for Telegram's 64-byte callback data, under the short token sent instead."""

    __tablename__ = "telegram_callbacks"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    def __repr__(self) -> str:
        """Show the token only (the payload may hold a booking reference)."""
        return f"TelegramCallback(token={self.token!r})"

"""Button payloads as Telegram callback data, which may be at most 64 bytes.

A payload that fits is sent as it is. A longer one (`/manage_booking{"booking_reference": …}`) is sent
as "~" plus a short hash of it, and the payload is kept in the store under that token: it survives
restarts and is shared by the gateway and the polling process, so a button keeps working as long as
its message is on the user's screen (rows unused for `callback_keep_days` are pruned). The token is a
hash of the payload, so the same button always gets the same token and one row.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.core.store import transaction
from bot.core.store.models import utcnow
from bot.core.store.telegram import TelegramCallback

logger = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 64
TOKEN_MARK = "~"


def fits(payload: str) -> bool:
    """Whether a payload can be sent as callback data as it is."""
    return len(payload.encode("utf-8")) <= MAX_CALLBACK_BYTES and not payload.startswith(TOKEN_MARK)


def token_for(payload: str) -> str:
    """The short token of a payload: "~" and 22 characters of its SHA-256 (URL-safe base64)."""
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    return TOKEN_MARK + base64.urlsafe_b64encode(digest).decode("ascii")[:22]


def remember(session: Session, payload: str) -> str:
    """Keep a payload under its token (or note that it was used again); return the token."""
    token = token_for(payload)
    row = session.get(TelegramCallback, token)
    if row is not None:
        row.used_at = utcnow()
        return token
    try:
        with session.begin_nested():
            session.add(TelegramCallback(token=token, payload=payload, used_at=utcnow()))
    except IntegrityError:  # the same payload stored by another process at the same moment
        pass
    return token


class CallbackStore:
    """Turns payloads into callback data and back, keeping long payloads in the store."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        """Use the store behind `sessions`."""
        self.sessions = sessions

    def encode(self, payloads: list[str]) -> list[str]:
        """Callback data for each payload (one transaction, only when some payload is too long)."""
        if all(fits(payload) for payload in payloads):
            return list(payloads)
        with transaction(self.sessions) as session:
            return [payload if fits(payload) else remember(session, payload) for payload in payloads]

    def decode(self, data: str) -> str | None:
        """The payload of a button's callback data; None for a token that is no longer known."""
        if not data.startswith(TOKEN_MARK):
            return data
        with transaction(self.sessions, write=False) as session:
            row = session.get(TelegramCallback, data)
            return row.payload if row is not None else None

    def prune(self, keep_days: int) -> int:
        """Forget payloads not used for `keep_days` days."""
        with transaction(self.sessions) as session:
            result = session.execute(
                delete(TelegramCallback).where(
                    TelegramCallback.used_at < utcnow() - timedelta(days=keep_days)
                )
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

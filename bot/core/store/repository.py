"""Reads and writes of the shared store; each function takes a Session and leaves committing to the caller."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from enum import Enum
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from bot.core.store.errors import StoreError
from bot.core.store.models import (
    OPEN_HANDOFF_STATUSES,
    Direction,
    HandoffReason,
    HandoffStatus,
    HandoffTicket,
    Message,
    Priority,
    utcnow,
)

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

MAX_PAGE = 500


def _store_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn SQLAlchemy errors raised by a repository function into StoreError."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except SQLAlchemyError as exc:
            raise StoreError(f"{fn.__name__} failed: {exc}") from exc

    return wrapper


def _plain(value: str) -> str:
    """Return the value of a str enum member, or the string itself."""
    return value.value if isinstance(value, Enum) else value


@_store_errors
def log_message(
    session: Session,
    *,
    sender_id: str,
    channel: str,
    direction: Direction,
    text: str,
    intent: str | None = None,
    intent_confidence: float | None = None,
    payload: dict[str, Any] | None = None,
) -> Message:
    """Append a message to the conversation log and return it with its id."""
    message = Message(
        sender_id=sender_id,
        channel=_plain(channel),
        direction=direction,
        text=text,
        intent=intent,
        intent_confidence=intent_confidence,
        payload=payload,
    )
    session.add(message)
    session.flush()
    return message


@_store_errors
def messages_after(
    session: Session, sender_id: str, after_id: int = 0, limit: int = 100, *, channel: str | None = None
) -> list[Message]:
    """Return a sender's messages with an id above after_id, oldest first, at most limit of them."""
    limit = max(1, min(limit, MAX_PAGE))
    query = select(Message).where(Message.sender_id == sender_id, Message.id > after_id)
    if channel is not None:
        query = query.where(Message.channel == _plain(channel))
    return list(session.scalars(query.order_by(Message.id).limit(limit)))


@_store_errors
def current_handoff(session: Session, sender_id: str) -> HandoffTicket | None:
    """Return the sender's latest waiting or active ticket, if any."""
    query = (
        select(HandoffTicket)
        .where(HandoffTicket.sender_id == sender_id, HandoffTicket.status.in_(OPEN_HANDOFF_STATUSES))
        .order_by(HandoffTicket.created_at.desc(), HandoffTicket.id.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def _escalate(
    ticket: HandoffTicket, reason: HandoffReason, priority: Priority, last_user_text: str | None
) -> None:
    """Raise an open ticket's priority (never lower it) and note the latest user text."""
    changed = False
    if priority.rank > ticket.priority.rank:
        logger.info(
            "handoff %s raised from %s to %s (%s)",
            ticket.id,
            ticket.priority.value,
            priority.value,
            reason.value,
        )
        ticket.priority = priority
        ticket.reason = reason
        changed = True
    if last_user_text and last_user_text != ticket.last_user_text:
        ticket.last_user_text = last_user_text
        changed = True
    if changed:
        ticket.updated_at = utcnow()


@_store_errors
def open_handoff(
    session: Session,
    sender_id: str,
    channel: str,
    reason: HandoffReason,
    priority: Priority = Priority.NORMAL,
    last_user_text: str | None = None,
) -> HandoffTicket:
    """Open a waiting ticket for the sender, or return the open one with its priority raised if needed."""
    ticket = current_handoff(session, sender_id)
    if ticket is None:
        ticket = HandoffTicket(
            sender_id=sender_id,
            channel=_plain(channel),
            status=HandoffStatus.WAITING,
            priority=priority,
            reason=reason,
            last_user_text=last_user_text,
        )
        try:
            with session.begin_nested():
                session.add(ticket)
        except IntegrityError:
            # Another process opened one in between; the unique index kept it single. Use that one.
            existing = current_handoff(session, sender_id)
            if existing is None:
                raise
            ticket = existing
        else:
            logger.info(
                "handoff %s opened for %s (%s, %s)", ticket.id, sender_id, reason.value, priority.value
            )
            return ticket
    _escalate(ticket, reason, priority, last_user_text)
    session.flush()
    return ticket


def priority_rank() -> Any:
    """SQL expression of a ticket's priority rank (higher is more urgent)."""
    return case(
        (HandoffTicket.priority == Priority.URGENT, Priority.URGENT.rank),
        (HandoffTicket.priority == Priority.HIGH, Priority.HIGH.rank),
        else_=Priority.NORMAL.rank,
    )


@_store_errors
def queue_position(session: Session, ticket: HandoffTicket) -> int:
    """Return how many waiting tickets operators will take before this one (0 when it is not waiting)."""
    # Read the ticket's stored state: the object passed in may come from another, older session.
    stored = session.execute(
        select(HandoffTicket.status, HandoffTicket.priority, HandoffTicket.created_at).where(
            HandoffTicket.id == ticket.id
        )
    ).one_or_none()
    if stored is None or stored.status != HandoffStatus.WAITING:
        return 0
    rank = priority_rank()
    mine = stored.priority.rank
    ahead = select(func.count(HandoffTicket.id)).where(
        HandoffTicket.status == HandoffStatus.WAITING,
        HandoffTicket.id != ticket.id,
        or_(
            rank > mine,
            and_(
                rank == mine,
                or_(
                    HandoffTicket.created_at < stored.created_at,
                    and_(HandoffTicket.created_at == stored.created_at, HandoffTicket.id < ticket.id),
                ),
            ),
        ),
    )
    return int(session.scalar(ahead) or 0)

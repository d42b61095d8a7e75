"""Operator endpoints: the handoff queue, claim, reply, release, close, and a user's conversation."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from bot.core import handoffs
from bot.core.errors import ApiError, RasaUnavailable
from bot.core.masking import mask_personal
from bot.core.store import transaction
from bot.core.store.models import HandoffStatus, HandoffTicket, Operator, utcnow
from bot.gateway.assist import profile_from_slots
from bot.gateway.auth import OperatorDep
from bot.gateway.deps import OutboxDep, RasaDep, SessionsDep, SettingsDep
from bot.gateway.schemas import (
    ConversationPublic,
    HandoffPublic,
    LoggedMessage,
    OperatorMessage,
    QueueSnapshot,
    Resolution,
    UserProfile,
)

logger = logging.getLogger(__name__)

router = APIRouter(tags=["handoffs"])
T = TypeVar("T")
KEEPALIVE_S = 15.0


def public(ticket: HandoffTicket, session: Session) -> HandoffPublic:
    """A ticket for operators, with how long the user has waited."""
    end = ticket.claimed_at or ticket.closed_at or utcnow()
    operator = session.get(Operator, ticket.operator_id) if ticket.operator_id else None
    return HandoffPublic(
        id=ticket.id,
        sender_id=ticket.sender_id,
        channel=ticket.channel,
        status=ticket.status.value,
        priority=ticket.priority.value,
        reason=ticket.reason.value,
        last_user_text=mask_personal(ticket.last_user_text) if ticket.last_user_text else None,
        summary=mask_personal(ticket.summary) if ticket.summary else None,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        waiting_s=max(0.0, (end - ticket.created_at).total_seconds()),
        operator=operator.username if operator else None,
        claimed_at=ticket.claimed_at,
        closed_at=ticket.closed_at,
        resolution=ticket.resolution,
    )


async def _run(sessions: SessionsDep, work: Callable[[Session], T], write: bool = True) -> T:
    def run() -> T:
        with transaction(sessions, write=write) as session:
            return work(session)

    try:
        return await run_in_threadpool(run)
    except handoffs.HandoffError as exc:
        raise ApiError(exc.status, exc.code, f"{exc.zh} / {exc.en}.") from exc


@router.get("/api/handoffs")
async def list_handoffs(
    operator: OperatorDep, sessions: SessionsDep, status: HandoffStatus = HandoffStatus.WAITING
) -> list[HandoffPublic]:
    """The queue: waiting tickets by priority and waiting time; active or closed ones on request."""
    return await _run(sessions, lambda s: [public(t, s) for t in handoffs.queue(s, status)], write=False)


def snapshot(sessions: sessionmaker[Session]) -> QueueSnapshot:
    """The waiting queue (by priority and waiting time) and the tickets being handled."""
    with transaction(sessions, write=False) as session:
        return QueueSnapshot(
            waiting=[public(t, session) for t in handoffs.queue(session, HandoffStatus.WAITING)],
            active=[public(t, session) for t in handoffs.queue(session, HandoffStatus.ACTIVE)],
        )


def _changes(item: QueueSnapshot) -> Any:
    """What makes a snapshot news (waiting times grow by themselves; the console counts them)."""
    return [(t.id, t.status, t.updated_at, t.operator) for t in (*item.waiting, *item.active)]


async def queue_events(
    request: Request, sessions: sessionmaker[Session], interval_s: float
) -> AsyncIterator[str]:
    """Server-sent events: the queue at once and whenever it changes, a comment to keep the line open."""
    last: Any = None
    last_sent = 0.0
    while not await request.is_disconnected():
        current = await run_in_threadpool(snapshot, sessions)
        now = time.monotonic()
        if _changes(current) != last:
            last = _changes(current)
            last_sent = now
            yield f"event: queue\ndata: {current.model_dump_json()}\n\n"
        elif now - last_sent >= KEEPALIVE_S:
            last_sent = now
            yield ": keepalive\n\n"
        await asyncio.sleep(interval_s)


@router.get("/api/handoffs/stream", response_class=StreamingResponse)
async def stream(
    request: Request, operator: OperatorDep, sessions: SessionsDep, settings: SettingsDep
) -> StreamingResponse:
    """Live queue for the console (text/event-stream; `event: queue`, data {"waiting", "active"})."""
    logger.info("queue stream opened by %s", operator.username)
    return StreamingResponse(
        queue_events(request, sessions, settings.queue_poll_s),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/api/handoffs/{ticket_id}/claim")
async def claim(ticket_id: int, operator: OperatorDep, sessions: SessionsDep) -> HandoffPublic:
    """Take a waiting ticket (409 when someone else was first)."""
    return await _run(sessions, lambda s: public(handoffs.claim(s, ticket_id, operator), s))


@router.post("/api/handoffs/{ticket_id}/messages")
async def send(
    ticket_id: int, body: OperatorMessage, operator: OperatorDep, sessions: SessionsDep, outbox: OutboxDep
) -> LoggedMessage:
    """Reply to the user of a ticket you hold; the message goes to their channel."""

    def work(session: Session) -> tuple[LoggedMessage, str, str]:
        message = handoffs.reply(session, ticket_id, operator, body.text)
        logged = LoggedMessage(
            id=message.id,
            direction=message.direction.value,
            text=message.text,
            created_at=message.created_at,
            payload=message.payload,
        )
        return logged, message.channel, message.sender_id

    logged, channel, sender_id = await _run(sessions, work)
    await outbox.deliver(channel, sender_id, logged.text)
    return logged


@router.post("/api/handoffs/{ticket_id}/release")
async def release(
    ticket_id: int, operator: OperatorDep, sessions: SessionsDep, outbox: OutboxDep
) -> HandoffPublic:
    """Hand the user back to the assistant (they are told so on their channel)."""
    ticket = await _run(sessions, lambda s: public(handoffs.release(s, ticket_id, operator), s))
    await outbox.deliver(ticket.channel, ticket.sender_id, handoffs.RELEASE_NOTE)
    return ticket


@router.post("/api/handoffs/{ticket_id}/close")
async def close(
    ticket_id: int, body: Resolution, operator: OperatorDep, sessions: SessionsDep, outbox: OutboxDep
) -> HandoffPublic:
    """Close a ticket with a resolution (a user waiting for a person is told so on their channel)."""
    ticket = await _run(
        sessions, lambda s: public(handoffs.close(s, ticket_id, operator, body.resolution), s)
    )
    if ticket.reason in {reason.value for reason in handoffs.QUIET_REASONS}:
        await outbox.deliver(ticket.channel, ticket.sender_id, handoffs.CLOSE_NOTE)
    return ticket


@router.get("/api/conversations/{sender_id}")
async def conversation(
    sender_id: str, operator: OperatorDep, sessions: SessionsDep, rasa: RasaDep
) -> ConversationPublic:
    """A user's whole conversation and profile; phone and ID numbers masked unless you hold their ticket."""
    if not 1 <= len(sender_id) <= 64:
        raise ApiError(
            422, "invalid_sender_id", "sender_id 需要 1 到 64 个字符。 / sender_id: 1 to 64 characters."
        )

    def work(session: Session) -> ConversationPublic:
        found = handoffs.conversation(session, sender_id, operator)
        show = (lambda text: text) if found.holder else mask_personal
        return ConversationPublic(
            sender_id=sender_id,
            masked=not found.holder,
            messages=[
                LoggedMessage(
                    id=m.id,
                    direction=m.direction.value,
                    text=show(m.text),
                    created_at=m.created_at,
                    payload=m.payload,
                )
                for m in found.messages
            ],
        )

    found = await _run(sessions, work, write=False)
    try:
        profile = profile_from_slots(await rasa.slots(sender_id))
    except RasaUnavailable as exc:  # the transcript is still worth showing
        logger.warning("no profile for %s: %s", sender_id, exc)
        profile = UserProfile()
    if found.masked:
        for slot in profile.slots:
            slot.value = mask_personal(slot.value)
    found.profile = profile
    return found

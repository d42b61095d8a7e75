"""The handoff workflow for operators: the queue, claiming a ticket, replying, releasing, closing.

Each function takes a Session and leaves committing to the caller. Claiming is one conditional UPDATE
(`WHERE status = 'waiting'`), so two operators never hold the same ticket.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.core.store.models import (
    Direction,
    HandoffReason,
    HandoffStatus,
    HandoffTicket,
    Message,
    Operator,
    utcnow,
)
from bot.core.store.repository import log_message, priority_rank

logger = logging.getLogger(__name__)

RELEASE_NOTE = "工作人员已经结束了这次对话。您有别的问题，可以继续问我，也可以随时点「找人工」。"
# Both notes say 结束了这次对话: the chat page recognises the end of a handoff by it.
CLOSE_NOTE = (
    "您的事情工作人员已经处理好，结束了这次对话。您有别的问题，可以继续问我，也可以随时点「找人工」。"
)
MAX_OPERATOR_TEXT = 2000
CLOSED_PAGE = 200


class HandoffError(Exception):
    """The ticket cannot be changed as asked; .status is the HTTP status, .zh/.en say why."""

    def __init__(self, status: int, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.status = status
        self.code = code
        self.zh = zh
        self.en = en


def _not_found(ticket_id: int) -> HandoffError:
    return HandoffError(
        404, "ticket_not_found", f"没有这个工单：{ticket_id}", f"no handoff ticket {ticket_id}"
    )


def _ticket(session: Session, ticket_id: int) -> HandoffTicket:
    ticket = session.get(HandoffTicket, ticket_id, populate_existing=True)
    if ticket is None:
        raise _not_found(ticket_id)
    return ticket


def queue(session: Session, status: HandoffStatus) -> list[HandoffTicket]:
    """Tickets in one state: waiting ones by priority then age, active ones by when they were taken."""
    query = select(HandoffTicket).where(HandoffTicket.status == status)
    if status is HandoffStatus.WAITING:
        query = query.order_by(priority_rank().desc(), HandoffTicket.created_at, HandoffTicket.id)
    elif status is HandoffStatus.ACTIVE:
        query = query.order_by(HandoffTicket.claimed_at, HandoffTicket.id)
    else:
        query = query.order_by(HandoffTicket.closed_at.desc(), HandoffTicket.id.desc()).limit(CLOSED_PAGE)
    return list(session.scalars(query))


def claim(session: Session, ticket_id: int, operator: Operator) -> HandoffTicket:
    """Take a waiting ticket; 409 when someone else took it first or it is closed."""
    now = utcnow()
    statement = (
        update(HandoffTicket)
        .where(HandoffTicket.id == ticket_id, HandoffTicket.status == HandoffStatus.WAITING)
        .values(status=HandoffStatus.ACTIVE, operator_id=operator.id, claimed_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    taken = session.execute(statement).rowcount  # type: ignore[attr-defined]
    ticket = _ticket(session, ticket_id)
    if not taken:
        raise HandoffError(
            409,
            "ticket_not_waiting",
            "这个工单已经有人接了或者已经结束。",
            f"ticket {ticket_id} is {ticket.status.value}, not waiting",
        )
    logger.info("handoff %s claimed by %s", ticket_id, operator.username)
    return ticket


def _held_by(
    session: Session, ticket_id: int, operator: Operator, doing_zh: str, doing_en: str
) -> HandoffTicket:
    ticket = _ticket(session, ticket_id)
    if ticket.status is not HandoffStatus.ACTIVE:
        raise HandoffError(
            409,
            "ticket_not_active",
            f"这个工单还没有人接或者已经结束，不能{doing_zh}。",
            f"ticket {ticket_id} is {ticket.status.value}; claim it before you {doing_en}",
        )
    if ticket.operator_id != operator.id:
        raise HandoffError(
            409,
            "ticket_held_by_another",
            "这个工单由别的工作人员在处理。",
            "another operator holds this ticket",
        )
    return ticket


def reply(session: Session, ticket_id: int, operator: Operator, text: str) -> Message:
    """An operator's message to the user, written to the conversation log (the channel delivers it)."""
    text = text.strip()
    if not text:
        raise HandoffError(422, "empty_text", "消息不能是空的。", "the message is empty")
    if len(text) > MAX_OPERATOR_TEXT:
        raise HandoffError(
            422, "text_too_long", f"消息不能超过 {MAX_OPERATOR_TEXT} 个字。", "the message is too long"
        )
    ticket = _held_by(session, ticket_id, operator, "回复", "reply")
    ticket.updated_at = utcnow()
    return _tell_user(session, ticket, operator, text, "operator_reply")


def release(session: Session, ticket_id: int, operator: Operator) -> HandoffTicket:
    """Hand the user back to the assistant with a short note; the ticket is closed as released."""
    ticket = _held_by(session, ticket_id, operator, "转回", "release it")
    _close(ticket, "released to the assistant")
    _tell_user(session, ticket, operator, RELEASE_NOTE, "handoff_released")
    logger.info("handoff %s released by %s", ticket_id, operator.username)
    return ticket


def close(session: Session, ticket_id: int, operator: Operator, resolution: str) -> HandoffTicket:
    """Close a waiting ticket, or an active one its operator holds, with a resolution."""
    resolution = resolution.strip()
    if not resolution:
        raise HandoffError(422, "empty_resolution", "请写明处理结果。", "a resolution is required")
    ticket = _ticket(session, ticket_id)
    if ticket.status is HandoffStatus.CLOSED:
        raise HandoffError(
            409, "ticket_closed", "这个工单已经结束了。", f"ticket {ticket_id} is already closed"
        )
    if ticket.status is HandoffStatus.ACTIVE and ticket.operator_id != operator.id:
        raise HandoffError(
            409,
            "ticket_held_by_another",
            "这个工单由别的工作人员在处理。",
            "another operator holds this ticket",
        )
    if ticket.operator_id is None:
        ticket.operator_id = operator.id
    _close(ticket, resolution)
    if ticket.reason in QUIET_REASONS:  # the user was waiting for a person: tell them it is over
        _tell_user(session, ticket, operator, CLOSE_NOTE, "handoff_closed")
    logger.info("handoff %s closed by %s", ticket_id, operator.username)
    return ticket


def _tell_user(
    session: Session, ticket: HandoffTicket, operator: Operator, text: str, intent: str
) -> Message:
    """Log a message from the operator's side to the ticket's user (their channel delivers it)."""
    return log_message(
        session,
        sender_id=ticket.sender_id,
        channel=ticket.channel,
        direction=Direction.OUT,
        text=text,
        intent=intent,
        payload={"operator": operator.username, "ticket_id": ticket.id, "buttons": []},
    )


def _close(ticket: HandoffTicket, resolution: str) -> None:
    now = utcnow()
    ticket.status = HandoffStatus.CLOSED
    ticket.closed_at = now
    ticket.updated_at = now
    ticket.resolution = resolution


@dataclass(frozen=True)
class Conversation:
    """A user's messages and whether the asking operator holds their open ticket."""

    messages: list[Message]
    holder: bool


def conversation(session: Session, sender_id: str, operator: Operator, limit: int = 500) -> Conversation:
    """A sender's whole logged conversation, for operators."""
    query = select(Message).where(Message.sender_id == sender_id).order_by(Message.id.desc()).limit(limit)
    messages = list(reversed(list(session.scalars(query))))
    holds = session.scalars(
        select(HandoffTicket.id).where(
            HandoffTicket.sender_id == sender_id,
            HandoffTicket.status == HandoffStatus.ACTIVE,
            HandoffTicket.operator_id == operator.id,
        )
    ).first()
    return Conversation(messages, holds is not None)


# Tickets that hand the user to a person: while one is open the assistant stays quiet. A system_error
# ticket only asks a worker to follow up; the assistant keeps answering.
QUIET_REASONS = (
    HandoffReason.REQUEST_HUMAN,
    HandoffReason.COMPLAINT,
    HandoffReason.MISUNDERSTANDING,
    HandoffReason.EMERGENCY,
)


def holding_ticket(session: Session, sender_id: str) -> HandoffTicket | None:
    """The user's open ticket that hands them to a person, if any."""
    query = (
        select(HandoffTicket)
        .where(
            HandoffTicket.sender_id == sender_id,
            HandoffTicket.status.in_((HandoffStatus.WAITING, HandoffStatus.ACTIVE)),
            HandoffTicket.reason.in_(QUIET_REASONS),
        )
        .limit(1)
    )
    return session.scalars(query).first()


def waiting_text(ahead: int, waited_s: float, timeout_s: float, hotline: str) -> str:
    """What a user waiting for a person reads: their place in the queue, and the hotline after a while."""
    place = f"您前面还有 {ahead} 位，" if ahead else "马上就轮到您了，"
    text = f"已经帮您转给工作人员了，{place}请您稍等。您说的话工作人员都能看到。"
    if waited_s >= timeout_s:
        text += f"工作人员暂时都在忙，着急的话，您也可以拨打 {hotline} 热线。"
    return text


def hotline_text(hotline: str) -> str:
    """Sent once to a user no operator took in time."""
    return (
        f"抱歉让您久等了，工作人员暂时都在忙。着急的话，请拨打 {hotline} 热线；"
        "您的问题我们已经记下，工作人员空了会回复您。"
    )


def overdue(session: Session, older_than: datetime) -> list[int]:
    """Waiting tickets created before a time whose user has not been given the hotline yet."""
    query = select(HandoffTicket.id).where(
        HandoffTicket.status == HandoffStatus.WAITING,
        HandoffTicket.created_at < older_than,
        HandoffTicket.hotline_sent_at.is_(None),
        HandoffTicket.reason.in_(QUIET_REASONS),
    )
    return list(session.scalars(query.order_by(HandoffTicket.id)))


def give_hotline(session: Session, ticket_id: int, hotline: str) -> bool:
    """Mark and log the hotline message for a ticket once; False when it was already given or taken."""
    statement = (
        update(HandoffTicket)
        .where(
            HandoffTicket.id == ticket_id,
            HandoffTicket.status == HandoffStatus.WAITING,
            HandoffTicket.hotline_sent_at.is_(None),
        )
        .values(hotline_sent_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if not session.execute(statement).rowcount:  # type: ignore[attr-defined]
        return False
    ticket = _ticket(session, ticket_id)
    log_message(
        session,
        sender_id=ticket.sender_id,
        channel=ticket.channel,
        direction=Direction.OUT,
        text=hotline_text(hotline),
        intent="handoff_timeout",
        payload={"ticket_id": ticket.id, "buttons": []},
    )
    logger.info("handoff %s: no operator in time, hotline given", ticket_id)
    return True

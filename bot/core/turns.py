"""One turn of a conversation, whatever the channel: validate, log, ask Rasa, log the answer.

The web chat API and the Telegram channel both answer a user's message through `ChatTurns.answer`, so
the rate limit, the message log, the quiet mode during a handoff and the apologies when Rasa fails are
the same on every channel.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from math import ceil
from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from bot.core import handoffs
from bot.core.errors import (
    MSG_ASSISTANT_UNAVAILABLE,
    MSG_EMPTY_TEXT,
    MSG_NO_WORDS,
    MSG_RATE_LIMITED,
    ApiError,
    AssistantUnavailable,
    sender_id_message,
    text_too_long_message,
)
from bot.core.letters import LetterRules, summary
from bot.core.rasa_client import AssembledReply, RasaClient
from bot.core.rate_limit import SenderRateLimit
from bot.core.safety import ALERTED, NUMBERS_FOLLOW, EmergencyPatterns
from bot.core.schemas import (
    Button,
    ChatFailure,
    ChatResponse,
    ErrorInfo,
    HandoffInfo,
    HandoffState,
    IntentInfo,
    Reply,
)
from bot.core.settings import ChatSettings
from bot.core.store import (
    Direction,
    HandoffReason,
    HandoffStatus,
    HandoffTicket,
    Message,
    Priority,
    StoreError,
    current_handoff,
    log_message,
    open_handoff,
    queue_position,
    transaction,
)
from bot.core.store.models import utcnow

logger = logging.getLogger(__name__)

SENDER_ID = re.compile(r"[\w.:@-]+")
KEPT_CONTROLS = frozenset("\n\t")


class RateLimited(ApiError):
    """Too many messages from one sender: a polite 429 with the seconds to wait."""

    def __init__(self, retry_after_s: float) -> None:
        """Keep how long the sender should wait."""
        super().__init__(429, "rate_limited", MSG_RATE_LIMITED)
        self.retry_after_s = retry_after_s

    @property
    def retry_after(self) -> str:
        """The Retry-After header value (whole seconds, at least 1)."""
        return str(max(1, ceil(self.retry_after_s)))


@dataclass
class TurnOutcome:
    """What the assistant answered: 200 with the chat answer, or 503 with an apology (ChatFailure)."""

    body: ChatResponse
    status_code: int = 200


HUMAN_BUTTON = Button(title="找人工", payload="/request_human")
APOLOGY_RECORDED = (
    "抱歉，系统暂时出了点问题，没能回答您。我们已经记下您的消息，工作人员会尽快联系您。您也可以稍后再发一次。"
)
APOLOGY_UNRECORDED = (
    "抱歉，系统暂时出了点问题，没能回答您。请您稍后再发一次，或者点「找人工」请工作人员帮忙。"
)


def check_sender_id(sender_id: str, max_chars: int) -> str:
    """Return the sender id if it is 1..max_chars of letters, digits and - _ . : @; raise ApiError if not."""
    if not 1 <= len(sender_id) <= max_chars or not SENDER_ID.fullmatch(sender_id):
        raise ApiError(422, "invalid_sender_id", sender_id_message(max_chars))
    return sender_id


def strip_controls(text: str) -> str:
    """Remove control characters except newline and tab (a carriage return becomes a newline)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ch for ch in text if ch in KEPT_CONTROLS or unicodedata.category(ch) != "Cc")


def has_words(text: str) -> bool:
    """Tell whether the text holds at least one letter, digit or CJK character."""
    return any(ch.isalnum() for ch in text)


def clean_text(text: str, max_chars: int) -> str:
    """Return the message without control characters and outer whitespace; raise ApiError if unusable."""
    cleaned = strip_controls(text).strip()
    if not cleaned:
        raise ApiError(422, "empty_text", MSG_EMPTY_TEXT)
    if len(cleaned) > max_chars:
        raise ApiError(422, "text_too_long", text_too_long_message(max_chars))
    if not has_words(cleaned):
        raise ApiError(422, "no_words", MSG_NO_WORDS)
    return cleaned


def handoff_info(ticket: HandoffTicket | None, announced_ticket_id: int | None = None) -> HandoffInfo:
    """Describe the sender's open ticket, falling back to one an action announced."""
    if ticket is not None and ticket.status == HandoffStatus.ACTIVE:
        return HandoffInfo(status=HandoffState.ACTIVE, ticket_id=ticket.id)
    if ticket is not None and ticket.status == HandoffStatus.WAITING:
        return HandoffInfo(status=HandoffState.WAITING, ticket_id=ticket.id)
    if announced_ticket_id is not None:
        return HandoffInfo(status=HandoffState.WAITING, ticket_id=announced_ticket_id)
    return HandoffInfo()


def record_inbound(sessions: sessionmaker[Session], sender_id: str, channel: str, text: str) -> int:
    """Write the user's message to the log and return its id."""
    with transaction(sessions) as session:
        return log_message(
            session, sender_id=sender_id, channel=channel, direction=Direction.IN, text=text
        ).id


def record_answer(
    sessions: sessionmaker[Session],
    sender_id: str,
    channel: str,
    text: str,
    inbound_id: int,
    answer: AssembledReply,
    urgent_ticket: bool = True,
) -> HandoffInfo:
    """Log the replies (turn metadata on the last), secure an emergency ticket, return the handoff."""
    intent = answer.intent.name if answer.intent else None
    confidence = answer.intent.confidence if answer.intent else None
    with transaction(sessions) as session:
        inbound = session.get(Message, inbound_id)
        if inbound is not None and intent is not None:
            inbound.intent = intent
            inbound.intent_confidence = confidence
        last = len(answer.replies) - 1
        for index, reply in enumerate(answer.replies):
            payload: dict[str, Any] = {"buttons": [button.model_dump() for button in reply.buttons]}
            if index == last:
                payload["citations"] = [citation.model_dump() for citation in answer.citations]
                payload["emergency"] = answer.emergency
            log_message(
                session,
                sender_id=sender_id,
                channel=channel,
                direction=Direction.OUT,
                text=reply.text,
                intent=intent,
                intent_confidence=confidence,
                payload=payload,
            )
        if answer.emergency and urgent_ticket:
            # The actions raise the ticket; make sure it exists and is urgent even if their write failed.
            open_handoff(session, sender_id, channel, HandoffReason.EMERGENCY, Priority.URGENT, text)
        return handoff_info(current_handoff(session, sender_id), answer.handoff_ticket_id)


def record_failure(sessions: sessionmaker[Session], sender_id: str, channel: str, text: str) -> HandoffTicket:
    """Open a system_error ticket so a worker follows up, log the apology, and return the ticket."""
    with transaction(sessions) as session:
        ticket = open_handoff(session, sender_id, channel, HandoffReason.SYSTEM_ERROR, Priority.NORMAL, text)
        log_message(
            session,
            sender_id=sender_id,
            channel=channel,
            direction=Direction.OUT,
            text=APOLOGY_RECORDED,
            payload={"buttons": [HUMAN_BUTTON.model_dump()], "error": "assistant_unavailable"},
        )
        return ticket


def unavailable_outcome(sender_id: str, ticket: HandoffTicket | None) -> TurnOutcome:
    """Answer 503 in the chat shape: an apology, the way to a person, and the error."""
    body = ChatFailure(
        sender_id=sender_id,
        replies=[Reply(text=APOLOGY_RECORDED if ticket else APOLOGY_UNRECORDED, buttons=[HUMAN_BUTTON])],
        intent=None,
        citations=[],
        handoff=handoff_info(ticket),
        emergency=False,
        error=ErrorInfo(code="assistant_unavailable", message=MSG_ASSISTANT_UNAVAILABLE),
    )
    return TurnOutcome(body, 503)


def record_emergency_failure(
    sessions: sessionmaker[Session], sender_id: str, channel: str, text: str, replies: list[Reply]
) -> HandoffTicket:
    """Open an urgent emergency ticket and log the instructions given without Rasa."""
    with transaction(sessions) as session:
        ticket = open_handoff(session, sender_id, channel, HandoffReason.EMERGENCY, Priority.URGENT, text)
        for reply in replies:
            payload = {"buttons": [], "emergency": True, "error": "assistant_unavailable"}
            log_message(
                session, sender_id=sender_id, channel=channel, direction=Direction.OUT, text=reply.text,
                payload=payload,
            )  # fmt: skip
        return ticket


async def answer_emergency_unavailable(
    sessions: sessionmaker[Session], sender_id: str, channel: str, text: str, emergency: EmergencyPatterns
) -> TurnOutcome:
    """Without Rasa, an emergency still gets the instruction first and an urgent ticket."""
    replies = [Reply(text=emergency.first_instruction(text)), Reply(text=ALERTED, buttons=[HUMAN_BUTTON])]
    ticket: HandoffTicket | None
    try:
        ticket = await run_in_threadpool(
            record_emergency_failure, sessions, sender_id, channel, text, replies
        )
    except StoreError:
        logger.exception("could not record the emergency of %s", sender_id)
        ticket = None
        replies[1] = Reply(text="系统暂时出了点问题。请先打电话求助，打完后可以再发消息给我。")
    body = ChatFailure(
        sender_id=sender_id,
        replies=replies,
        intent=None,
        citations=[],
        handoff=handoff_info(ticket),
        emergency=True,
        error=ErrorInfo(code="assistant_unavailable", message=MSG_ASSISTANT_UNAVAILABLE),
    )
    return TurnOutcome(body, 503)


async def answer_unavailable(
    sessions: sessionmaker[Session], sender_id: str, channel: str, text: str
) -> TurnOutcome:
    """Record the failure for a worker and apologise; without a database, apologise all the same."""
    try:
        ticket = await run_in_threadpool(record_failure, sessions, sender_id, channel, text)
    except StoreError:
        logger.exception("could not record the failed turn of %s", sender_id)
        return unavailable_outcome(sender_id, None)
    return unavailable_outcome(sender_id, ticket)


def hold_for_operator(
    sessions: sessionmaker[Session], sender_id: str, text: str, settings: ChatSettings
) -> ChatResponse | None:
    """While a person has the conversation, keep the assistant quiet: the message goes to the ticket.

    A waiting user is told their place in the queue (and the hotline after handoff_timeout_s); an
    active ticket's operator sees the message in the console and answers it, so nothing is added.
    """
    with transaction(sessions) as session:
        ticket = handoffs.holding_ticket(session, sender_id)
        if ticket is None:
            return None
        ticket.last_user_text = text
        ticket.updated_at = utcnow()
        if ticket.status is HandoffStatus.ACTIVE:
            return ChatResponse(
                sender_id=sender_id,
                replies=[],
                intent=None,
                citations=[],
                handoff=handoff_info(ticket),
                emergency=False,
            )
        waited = (utcnow() - ticket.created_at).total_seconds()
        reply = handoffs.waiting_text(
            queue_position(session, ticket), waited, settings.handoff_timeout_s, settings.hotline
        )
        log_message(
            session, sender_id=sender_id, channel=ticket.channel, direction=Direction.OUT, text=reply,
            intent="handoff_waiting", payload={"buttons": [], "ticket_id": ticket.id},
        )  # fmt: skip
        return ChatResponse(
            sender_id=sender_id,
            replies=[Reply(text=reply)],
            intent=None,
            citations=[],
            handoff=handoff_info(ticket),
            emergency=False,
        )


class ChatTurns:
    """Answers user messages on every channel with the gateway's shared parts."""

    def __init__(
        self,
        settings: ChatSettings,
        sessions: sessionmaker[Session],
        rasa: RasaClient,
        emergency: EmergencyPatterns,
        rate_limit: SenderRateLimit,
        letters: LetterRules | None = None,
    ) -> None:
        """Keep what a turn needs (letters: the shipped complaint rules unless given)."""
        self.settings = settings
        self.sessions = sessions
        self.rasa = rasa
        self.emergency = emergency
        self.letters = letters or LetterRules.load()
        self.rate_limit = rate_limit

    async def answer(self, sender_id: str, channel: str, text: str) -> TurnOutcome:
        """Answer one user message; raise ApiError for unusable input and RateLimited when too fast."""
        settings, sessions, emergency = self.settings, self.sessions, self.emergency
        sender_id = check_sender_id(sender_id, settings.max_sender_id_chars)
        text = clean_text(text, settings.max_text_chars)
        urgent = emergency.matches(text)
        wait = self.rate_limit.allow(sender_id)
        if wait > 0 and not urgent:  # an emergency is never held back
            logger.warning("rate limit: %s sent too many messages", sender_id)
            raise RateLimited(wait)
        try:
            inbound_id = await run_in_threadpool(record_inbound, sessions, sender_id, channel, text)
        except StoreError:
            logger.exception("could not log the message of %s", sender_id)
            return unavailable_outcome(sender_id, None)

        if not urgent:  # an emergency always gets the assistant's instruction first
            try:
                held = await run_in_threadpool(hold_for_operator, sessions, sender_id, text, settings)
            except StoreError:
                logger.exception("could not check the handoff of %s", sender_id)
                held = None
            if held is not None:
                return TurnOutcome(held)

        if not urgent and self.letters.is_letter(text):
            # Complaints and letters reach a person whatever the classifier makes of them.
            return await self.letter(sender_id, channel, text, inbound_id)

        if not urgent and emergency.asks_for_numbers(text):
            # Whom to call: the numbers at once, flagged as an emergency, without a ticket.
            return await self.numbers(sender_id, channel, text, inbound_id)

        try:
            answer = await self.rasa.send(sender_id, text, channel)
        except AssistantUnavailable as exc:
            logger.warning("assistant unavailable for %s: %s", sender_id, exc)
            if urgent:
                return await answer_emergency_unavailable(sessions, sender_id, channel, text, emergency)
            return await answer_unavailable(sessions, sender_id, channel, text)

        if urgent:
            answer = enforce_emergency(answer, emergency.first_instruction(text))
        try:
            handoff = await run_in_threadpool(
                record_answer, sessions, sender_id, channel, text, inbound_id, answer
            )
        except StoreError:
            logger.exception("could not log the replies to %s", sender_id)
            handoff = handoff_info(None, answer.handoff_ticket_id)
        logger.info(
            "chat %s: intent=%s replies=%d citations=%d emergency=%s handoff=%s",
            sender_id,
            answer.intent.name if answer.intent else None,
            len(answer.replies),
            len(answer.citations),
            answer.emergency,
            handoff.status.value,
        )
        return TurnOutcome(
            ChatResponse(
                sender_id=sender_id,
                replies=answer.replies,
                intent=answer.intent,
                citations=answer.citations,
                handoff=handoff,
                emergency=answer.emergency,
            )
        )

    async def letter(self, sender_id: str, channel: str, text: str, inbound_id: int) -> TurnOutcome:
        """Open (or raise) a complaint ticket with a one-line summary and tell the user."""
        line = summary(text)
        try:
            ticket, ahead = await run_in_threadpool(
                record_letter, self.sessions, sender_id, channel, text, inbound_id, line
            )
        except StoreError:
            logger.exception("could not open the complaint ticket of %s", sender_id)
            return unavailable_outcome(sender_id, None)
        reply = (
            f"很抱歉给您添麻烦了。您反映的事情我已经记下：「{line}」。"
            + ("" if ahead == 0 else f"您前面还有 {ahead} 位，")
            + "正在为您转给工作人员，请稍等。您可以接着把情况写下来，工作人员都能看到。"
        )
        return TurnOutcome(
            ChatResponse(
                sender_id=sender_id,
                replies=[Reply(text=reply)],
                intent=IntentInfo(name="complaint", confidence=1.0),
                citations=[],
                handoff=handoff_info(ticket),
                emergency=False,
            )
        )

    async def numbers(self, sender_id: str, channel: str, text: str, inbound_id: int) -> TurnOutcome:
        """Answer a question about whom to call in an emergency with the numbers."""
        answer = AssembledReply(
            replies=[
                Reply(text=self.emergency.numbers),
                Reply(text=NUMBERS_FOLLOW, buttons=[HUMAN_BUTTON]),
            ],
            intent=IntentInfo(name="emergency", confidence=1.0),
            emergency=True,
        )
        try:
            handoff = await run_in_threadpool(
                record_answer, self.sessions, sender_id, channel, text, inbound_id, answer, False
            )
        except StoreError:
            logger.exception("could not log the replies to %s", sender_id)
            handoff = handoff_info(None)
        return TurnOutcome(
            ChatResponse(
                sender_id=sender_id,
                replies=answer.replies,
                intent=answer.intent,
                citations=[],
                handoff=handoff,
                emergency=True,
            )
        )


def record_letter(
    sessions: sessionmaker[Session], sender_id: str, channel: str, text: str, inbound_id: int, line: str
) -> tuple[HandoffTicket, int]:
    """Open the complaint ticket with its summary and log the reply; the ticket and the queue ahead."""
    with transaction(sessions) as session:
        inbound = session.get(Message, inbound_id)
        if inbound is not None:
            inbound.intent = "complaint"
            inbound.intent_confidence = 1.0
        ticket = open_handoff(
            session, sender_id, channel, HandoffReason.COMPLAINT, Priority.HIGH, text[:2000]
        )
        ticket.summary = line[:200]
        ahead = queue_position(session, ticket)
        log_message(
            session, sender_id=sender_id, channel=channel, direction=Direction.OUT,
            text=f"已转人工：{line}", intent="complaint", payload={"buttons": [], "ticket_id": ticket.id},
        )  # fmt: skip
        return ticket, ahead


def enforce_emergency(answer: AssembledReply, first: str) -> AssembledReply:
    """Danger described now: the rules' instruction comes first and the turn is an emergency,
    whatever the classifier made of the message (the ticket follows in record_answer)."""
    number = next((n for n in ("120", "119", "110") if n in first), None)
    replies = answer.replies
    if not answer.emergency or not replies or (number is not None and number not in replies[0].text):
        replies = [Reply(text=first), *[r for r in replies if r.text != first]]
    return AssembledReply(
        replies=replies,
        intent=answer.intent,
        citations=answer.citations if answer.emergency else [],
        emergency=True,
        handoff_ticket_id=answer.handoff_ticket_id,
    )

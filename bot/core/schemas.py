"""What one chat turn gives back, on every channel: replies, buttons, citations, handoff, errors."""

from __future__ import annotations

from enum import Enum
from typing import Literal

from pydantic import BaseModel, Field


class Channel(str, Enum):
    """Where a user writes from."""

    WEB = "web"
    TELEGRAM = "telegram"


class HandoffState(str, Enum):
    """Whether a person has been asked to take over, as the chat contract shows it."""

    NONE = "none"
    WAITING = "waiting"
    ACTIVE = "active"


class Button(BaseModel):
    """A quick-reply button: the title shown and the payload sent back when pressed."""

    title: str
    payload: str


class Reply(BaseModel):
    """One message of the assistant."""

    text: str
    buttons: list[Button] = Field(default_factory=list)


class IntentInfo(BaseModel):
    """What the assistant understood the user to want."""

    name: str
    confidence: float


class Citation(BaseModel):
    """Where a policy answer comes from."""

    doc_id: str
    title: str
    doc_number: str | None = None
    section: str = ""
    quote: str
    # "answer": the clause answers the question; "related": what the documents say on the topic
    # when they do not answer what was asked (a partial answer).
    role: Literal["answer", "related"] = "answer"


class HandoffInfo(BaseModel):
    """The conversation's handoff ticket, if one is open."""

    status: HandoffState = HandoffState.NONE
    ticket_id: int | None = None


class ChatResponse(BaseModel):
    """What POST /api/chat answers (the fixed chat contract)."""

    sender_id: str
    replies: list[Reply]
    intent: IntentInfo | None
    citations: list[Citation]
    handoff: HandoffInfo
    emergency: bool


class ErrorInfo(BaseModel):
    """A machine-readable code and a bilingual message a person can read."""

    code: str
    message: str


class ErrorBody(BaseModel):
    """The body of every error answer."""

    error: ErrorInfo


class ChatFailure(ChatResponse):
    """A chat answer given while the assistant is unavailable: an apology plus the error."""

    error: ErrorInfo

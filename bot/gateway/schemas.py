"""Request and response bodies of the gateway's HTTP API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.core.schemas import Channel, Citation, IntentInfo


class ChatRequest(BaseModel):
    """What a client sends to POST /api/chat (lengths and content are checked against settings later)."""

    model_config = ConfigDict(extra="ignore")

    sender_id: str = Field(min_length=1, examples=["web-3f2c9a"])
    text: str = Field(examples=["我妈洗澡不方便，有人上门吗"])
    channel: Channel = Channel.WEB


class LoggedMessage(BaseModel):
    """One message of the conversation log."""

    id: int
    direction: str
    text: str
    created_at: datetime
    payload: dict[str, Any] | None


class MessageLog(BaseModel):
    """A page of a conversation's log, oldest first."""

    sender_id: str
    messages: list[LoggedMessage]


class DependencyHealth(BaseModel):
    """Whether one dependency answered, and how."""

    ok: bool
    detail: str


class HealthReport(BaseModel):
    """What GET /healthz answers."""

    status: str
    dependencies: dict[str, DependencyHealth]


class LoginRequest(BaseModel):
    """POST /api/operator/login."""

    model_config = ConfigDict(extra="ignore")

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class LoginResponse(BaseModel):
    """A bearer token for the operator API."""

    token: str
    role: str
    expires_at: datetime


class BookingEventPublic(BaseModel):
    """One entry of a booking's audit trail."""

    at: datetime
    actor: str
    action: str
    detail: dict[str, Any] | None = None


class BookingPublic(BaseModel):
    """A booking as staff see it."""

    reference: str
    status: str
    status_label: str
    service: str
    service_label: str
    day: str
    half_day: str
    half_day_label: str
    region: str
    address: str
    contact_name: str
    phone: str
    channel: str
    notes: str | None = None
    created_at: datetime
    history: list[BookingEventPublic] | None = None


class SlotCapacity(BaseModel):
    """POST /api/bookings/slots: set one slot's capacity (admins)."""

    model_config = ConfigDict(extra="forbid")

    area: str = Field(min_length=1, max_length=64)
    service: str = Field(min_length=1, max_length=32)
    day: str = Field(min_length=1, max_length=32, examples=["2026-12-01"])
    half_day: str = Field(examples=["morning", "上午"])
    capacity: int = Field(ge=0, le=1000)


class SlotPublic(BaseModel):
    """A bookable slot: booked of capacity."""

    area: str
    service: str
    day: str
    half_day: str
    capacity: int
    booked: int


class HandoffPublic(BaseModel):
    """A handoff ticket as operators see it."""

    id: int
    sender_id: str
    channel: str
    status: str
    priority: str
    reason: str
    last_user_text: str | None = None
    # One line on what a complaint or letter is about.
    summary: str | None = None
    created_at: datetime
    updated_at: datetime | None = None
    waiting_s: float
    operator: str | None = None
    claimed_at: datetime | None = None
    closed_at: datetime | None = None
    resolution: str | None = None


class QueueSnapshot(BaseModel):
    """The live queue the console shows: waiting tickets in order, and tickets being handled."""

    waiting: list[HandoffPublic]
    active: list[HandoffPublic]


class OperatorMessage(BaseModel):
    """POST /api/handoffs/{id}/messages."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(max_length=4000)


class Resolution(BaseModel):
    """POST /api/handoffs/{id}/close."""

    model_config = ConfigDict(extra="ignore")

    resolution: str = Field(max_length=2000)


class ConversationPublic(BaseModel):
    """A user's logged conversation (phone and ID numbers masked unless the operator holds the ticket)."""

    sender_id: str
    masked: bool
    messages: list[LoggedMessage]
    profile: UserProfile = Field(default_factory=lambda: UserProfile())


class SuggestionRequest(BaseModel):
    """POST /api/suggestions: what a user or caller asked, and where they live if known."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=1, max_length=2000)
    region: str | None = Field(default=None, max_length=64)


class Suggestion(BaseModel):
    """A reply an operator can insert, edit and send, with what it quotes."""

    text: str
    citations: list[Citation]


class CatalogCard(BaseModel):
    """A service, benefit or facility type of the catalog the question is about."""

    id: str
    kind: str
    name: str
    summary: str
    citations: list[Citation]


class CheckedBenefit(BaseModel):
    """One benefit of the quick eligibility check."""

    benefit: str
    verdict: str
    reason: str


class QuickCheck(BaseModel):
    """What the situation described may qualify for."""

    summary: str
    items: list[CheckedBenefit]


class Suggestions(BaseModel):
    """Agent assist: the intent, up to three suggested answers, catalog cards, an eligibility check."""

    intent: IntentInfo | None
    region: str | None
    suggestions: list[Suggestion]
    catalog: list[CatalogCard]
    eligibility: QuickCheck | None


class ProfileSlot(BaseModel):
    """One thing the assistant learnt about the user (a Rasa slot)."""

    name: str
    label: str
    value: str


class UserProfile(BaseModel):
    """The user's region and what else the conversation told the assistant."""

    region: str | None = None
    slots: list[ProfileSlot] = Field(default_factory=list)

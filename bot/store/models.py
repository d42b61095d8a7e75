"""SQLAlchemy models of the shared store: the message log, handoff tickets and booking requests."""

from __future__ import annotations

from datetime import datetime, timezone
from enum import Enum
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, Float, Index, Integer, String, Text, text
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime stored as naive UTC and always read back as aware UTC, on every backend."""

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware datetime to naive UTC before it is written."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Mark a stored naive datetime as UTC."""
        return None if value is None else value.replace(tzinfo=timezone.utc)


class Direction(str, Enum):
    """Who wrote a logged message: the user (in) or the assistant or an operator (out)."""

    IN = "in"
    OUT = "out"


class HandoffStatus(str, Enum):
    """Where a handoff ticket stands."""

    WAITING = "waiting"
    ACTIVE = "active"
    CLOSED = "closed"


OPEN_HANDOFF_STATUSES = (HandoffStatus.WAITING, HandoffStatus.ACTIVE)


class Priority(str, Enum):
    """How urgently operators should take a ticket."""

    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """Return a number that grows with urgency."""
        return _PRIORITY_RANK[self]


_PRIORITY_RANK = {Priority.NORMAL: 0, Priority.HIGH: 1, Priority.URGENT: 2}


class HandoffReason(str, Enum):
    """Why a conversation was handed to a person."""

    REQUEST_HUMAN = "request_human"
    COMPLAINT = "complaint"
    EMERGENCY = "emergency"
    MISUNDERSTANDING = "misunderstanding"
    SYSTEM_ERROR = "system_error"


class BookingStatus(str, Enum):
    """Where a booking request stands."""

    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"


def _enum_column(enum: type[Enum]) -> SAEnum:
    """Store a str enum as its value in a VARCHAR with a CHECK constraint, portable across backends."""
    return SAEnum(
        enum,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        name=f"{enum.__name__.lower()}_enum",
    )


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class Message(Base):
    """One message of a conversation, as the gateway saw it."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_sender_id_id", "sender_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[Direction] = mapped_column(_enum_column(Direction))
    text: Mapped[str] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(64), default=None)
    intent_confidence: Mapped[float | None] = mapped_column(Float, default=None)
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        """Show the message without its text, which may hold personal data."""
        return f"Message(id={self.id!r}, sender_id={self.sender_id!r}, direction={self.direction!r})"


class HandoffTicket(Base):
    """A request for a person to take over a conversation."""

    __tablename__ = "handoff_tickets"
    __table_args__ = (
        # At most one open ticket per sender, enforced by the database itself.
        Index(
            "uq_handoff_tickets_open_sender",
            "sender_id",
            unique=True,
            sqlite_where=text("status IN ('waiting', 'active')"),
            postgresql_where=text("status IN ('waiting', 'active')"),
        ),
        Index("ix_handoff_tickets_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[HandoffStatus] = mapped_column(_enum_column(HandoffStatus), default=HandoffStatus.WAITING)
    priority: Mapped[Priority] = mapped_column(_enum_column(Priority), default=Priority.NORMAL)
    reason: Mapped[HandoffReason] = mapped_column(_enum_column(HandoffReason))
    last_user_text: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        """Show the ticket's state."""
        return (
            f"HandoffTicket(id={self.id!r}, sender_id={self.sender_id!r}, status={self.status!r}, "
            f"priority={self.priority!r}, reason={self.reason!r})"
        )


class BookingRequest(Base):
    """A user's request for a home service visit."""

    __tablename__ = "booking_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    service_type: Mapped[str | None] = mapped_column(String(64), default=None)
    date_text: Mapped[str | None] = mapped_column(String(64), default=None)
    time_text: Mapped[str | None] = mapped_column(String(64), default=None)
    address: Mapped[str | None] = mapped_column(Text, default=None)
    phone: Mapped[str | None] = mapped_column(String(32), default=None)
    status: Mapped[BookingStatus] = mapped_column(
        _enum_column(BookingStatus), default=BookingStatus.REQUESTED
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        """Show the booking without personal data."""
        return f"BookingRequest(id={self.id!r}, sender_id={self.sender_id!r}, status={self.status!r})"

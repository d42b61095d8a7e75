"""SQLAlchemy models of the shared store: the message log, handoff tickets and home-visit bookings."""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import Enum
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import Enum as SAEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
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
    """Where a home-visit booking stands."""

    PENDING = "pending"
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        """The status in plain Chinese."""
        return _BOOKING_STATUS_LABELS[self]


_BOOKING_STATUS_LABELS = {
    BookingStatus.PENDING: "等待确认",
    BookingStatus.CONFIRMED: "已确认",
    BookingStatus.CANCELLED: "已取消",
    BookingStatus.COMPLETED: "已完成",
    BookingStatus.NO_SHOW: "未能上门",
}

# Bookings that still hold their slot.
LIVE_BOOKING_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class VisitService(str, Enum):
    """Services staff come to the home for, and that can be booked."""

    BATH = "bath"  # 上门助浴
    CLEANING = "cleaning"  # 助洁
    MEAL = "meal"  # 助餐送餐
    VISITING = "visiting"  # 探访巡访
    REHAB = "rehab"  # 康复护理
    ESCORT = "escort"  # 助医陪诊

    @property
    def label(self) -> str:
        """The service's Chinese name."""
        return _VISIT_SERVICE_LABELS[self]


_VISIT_SERVICE_LABELS = {
    VisitService.BATH: "上门助浴",
    VisitService.CLEANING: "助洁",
    VisitService.MEAL: "助餐送餐",
    VisitService.VISITING: "探访巡访",
    VisitService.REHAB: "康复护理",
    VisitService.ESCORT: "助医陪诊",
}


class HalfDay(str, Enum):
    """The half of the day a visit is booked for."""

    MORNING = "morning"
    AFTERNOON = "afternoon"

    @property
    def label(self) -> str:
        """上午 or 下午."""
        return "上午" if self is HalfDay.MORNING else "下午"


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


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of the store's tables (constraint names fixed, so that migrations can name them)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

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
    # One line for the operator: what a complaint or letter is about (migration 0005).
    summary: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Who took it and how it ended (set by the operator API).
    operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("operators.id", ondelete="SET NULL"), default=None, index=True
    )
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    resolution: Mapped[str | None] = mapped_column(Text, default=None)
    # When the user was given the hotline because no operator took the ticket in time.
    hotline_sent_at: Mapped[datetime | None] = mapped_column(default=None)

    def __repr__(self) -> str:
        """Show the ticket's state."""
        return (
            f"HandoffTicket(id={self.id!r}, sender_id={self.sender_id!r}, status={self.status!r}, "
            f"priority={self.priority!r}, reason={self.reason!r})"
        )


class ServiceArea(Base):
    """A region (from the gazetteer) where home visits can be booked."""

    __tablename__ = "service_areas"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def __repr__(self) -> str:
        """Show the area."""
        return f"ServiceArea(id={self.id!r}, region={self.region!r}, active={self.active!r})"


class VisitSlot(Base):
    """How many visits of one service one area can make in one half-day."""

    __tablename__ = "visit_slots"
    __table_args__ = (
        UniqueConstraint("area_id", "service", "day", "half_day", name="uq_visit_slots_area_service_when"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        Index("ix_visit_slots_day", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("service_areas.id", ondelete="RESTRICT"))
    service: Mapped[VisitService] = mapped_column(_enum_column(VisitService))
    day: Mapped[date] = mapped_column(Date)
    half_day: Mapped[HalfDay] = mapped_column(_enum_column(HalfDay))
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)

    def __repr__(self) -> str:
        """Show the slot."""
        return (
            f"VisitSlot(id={self.id!r}, area_id={self.area_id!r}, service={self.service!r}, "
            f"day={self.day!r}, half_day={self.half_day!r}, booked={self.booked!r}/{self.capacity!r})"
        )


class Booking(Base):
    """A home visit booked by a user (or by staff for them)."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_sender", "channel", "sender_id"),
        Index("ix_bookings_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # 20261201-0007: the visit's day and the booking's id; set as soon as the id is known.
    reference: Mapped[str | None] = mapped_column(String(32), unique=True, default=None)
    sender_id: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    contact_name: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(64))
    service: Mapped[VisitService] = mapped_column(_enum_column(VisitService))
    slot_id: Mapped[int] = mapped_column(ForeignKey("visit_slots.id", ondelete="RESTRICT"), index=True)
    notes: Mapped[str | None] = mapped_column(Text, default=None)
    status: Mapped[BookingStatus] = mapped_column(_enum_column(BookingStatus), default=BookingStatus.PENDING)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    slot: Mapped[VisitSlot] = relationship(lazy="joined", innerjoin=True)

    def __repr__(self) -> str:
        """Show the booking without personal data."""
        return f"Booking(id={self.id!r}, reference={self.reference!r}, status={self.status!r})"


class BookingEvent(Base):
    """One entry of a booking's audit trail: who changed what, and when."""

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        """Show the event."""
        return f"BookingEvent(booking_id={self.booking_id!r}, actor={self.actor!r}, action={self.action!r})"


class OperatorRole(str, Enum):
    """What a staff account may do: operators take chats and bookings, admins also change the schedule."""

    OPERATOR = "operator"
    ADMIN = "admin"


class Operator(Base):
    """A staff account of the console and the operator API."""

    __tablename__ = "operators"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[OperatorRole] = mapped_column(_enum_column(OperatorRole), default=OperatorRole.OPERATOR)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        """Show the account without its password hash."""
        return f"Operator(id={self.id!r}, username={self.username!r}, role={self.role!r})"


class OperatorToken(Base):
    """A bearer token an operator got by logging in; only its SHA-256 is stored."""

    __tablename__ = "operator_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    operator_id: Mapped[int] = mapped_column(ForeignKey("operators.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()

    operator: Mapped[Operator] = relationship(lazy="joined", innerjoin=True)


# The Telegram channel's tables share this metadata, so that migrations and their check see every table.
from bot.core.store import telegram as _telegram_models  # noqa: E402, F401

"""The shared store: message log, handoff tickets and home-visit bookings, for the gateway and actions."""

from __future__ import annotations

from bot.core.store.db import create_schema, make_engine, ping, session_factory, transaction
from bot.core.store.errors import StoreError
from bot.core.store.models import (
    OPEN_HANDOFF_STATUSES,
    Base,
    Booking,
    BookingEvent,
    BookingStatus,
    Direction,
    HalfDay,
    HandoffReason,
    HandoffStatus,
    HandoffTicket,
    Message,
    Priority,
    ServiceArea,
    VisitService,
    VisitSlot,
)
from bot.core.store.repository import (
    current_handoff,
    log_message,
    messages_after,
    open_handoff,
    queue_position,
)

__all__ = [
    "OPEN_HANDOFF_STATUSES",
    "Base",
    "Booking",
    "BookingEvent",
    "BookingStatus",
    "Direction",
    "HalfDay",
    "HandoffReason",
    "HandoffStatus",
    "HandoffTicket",
    "Message",
    "Priority",
    "ServiceArea",
    "StoreError",
    "VisitService",
    "VisitSlot",
    "create_schema",
    "current_handoff",
    "log_message",
    "make_engine",
    "messages_after",
    "open_handoff",
    "ping",
    "queue_position",
    "session_factory",
    "transaction",
]

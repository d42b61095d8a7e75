"""The shared store: message log, handoff tickets and booking requests, for the gateway and actions."""

from __future__ import annotations

from bot.store.db import create_schema, make_engine, ping, session_factory, transaction
from bot.store.errors import StoreError
from bot.store.models import (
    OPEN_HANDOFF_STATUSES,
    Base,
    BookingRequest,
    BookingStatus,
    Direction,
    HandoffReason,
    HandoffStatus,
    HandoffTicket,
    Message,
    Priority,
)
from bot.store.repository import (
    bookings_for,
    current_handoff,
    log_message,
    messages_after,
    open_handoff,
    queue_position,
    record_booking,
)

__all__ = [
    "OPEN_HANDOFF_STATUSES",
    "Base",
    "BookingRequest",
    "BookingStatus",
    "Direction",
    "HandoffReason",
    "HandoffStatus",
    "HandoffTicket",
    "Message",
    "Priority",
    "StoreError",
    "bookings_for",
    "create_schema",
    "current_handoff",
    "log_message",
    "make_engine",
    "messages_after",
    "open_handoff",
    "ping",
    "queue_position",
    "record_booking",
    "session_factory",
    "transaction",
]

"""The booking rules on the shared store: served areas, free half-days, booking, changes, reminders.

Each function takes a Session and leaves committing to the caller, so a booking and its audit entry are
written in one transaction or not at all. Capacity is taken with one conditional UPDATE
(`booked = booked + 1 WHERE booked < capacity`), which the database serialises per slot on SQLite
(BEGIN IMMEDIATE) and PostgreSQL (row lock) alike, so a slot is never overbooked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from bot.core.booking.errors import (
    AreaTooBroad,
    BookingError,
    CapacityBelowBooked,
    DayNotBookable,
    InvalidTransition,
    NotServed,
    NotYours,
    Opening,
    ServiceNotOffered,
    SlotFull,
    UnknownArea,
)
from bot.core.booking.schedule import Schedule
from bot.core.masking import mask_phone
from bot.core.store.models import (
    LIVE_BOOKING_STATUSES,
    Booking,
    BookingEvent,
    BookingStatus,
    HalfDay,
    ServiceArea,
    VisitService,
    VisitSlot,
    utcnow,
)
from knowledge.errors import UnknownRegionError
from knowledge.regions import Gazetteer

logger = logging.getLogger(__name__)

STAFF = "staff"
SYSTEM = "system"
_HALF_ORDER = {HalfDay.MORNING: 0, HalfDay.AFTERNOON: 1}


def user_actor(channel: str, sender_id: str) -> str:
    """How the audit trail names a user acting in a chat."""
    return f"user:{channel}:{sender_id}"


@dataclass(frozen=True)
class SyncResult:
    """What a schedule sync added."""

    areas: int
    slots: int


@dataclass(frozen=True)
class Rules:
    """When bookings may be made: from `min_notice_days` after today up to `horizon_days` ahead."""

    min_notice_days: int = 1
    horizon_days: int = 60

    def first_day(self, today: date) -> date:
        """The earliest day that can be booked."""
        return today + timedelta(days=self.min_notice_days)

    def last_day(self, today: date) -> date:
        """The latest day that can be booked."""
        return today + timedelta(days=self.horizon_days)


def _rowcount(session: Session, statement: Any) -> int:
    """Run an INSERT or UPDATE and return how many rows it touched."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount or 0


def _insert(session: Session) -> Any:
    """The dialect's INSERT that supports ON CONFLICT DO NOTHING."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def sync_schedule(session: Session, schedule: Schedule, start: date, days: int | None = None) -> SyncResult:
    """Create the schedule's areas and the slots of `days` days from `start` that do not exist yet.

    Slots that exist keep their capacity (an admin may have changed it); running it twice adds nothing.
    """
    insert = _insert(session)
    before_areas = len(session.scalars(select(ServiceArea.id)).all())
    area_rows = [{"region": a.region, "active": True} for a in schedule.areas]
    session.execute(insert(ServiceArea).values(area_rows).on_conflict_do_nothing(index_elements=["region"]))
    areas = {a.region: a.id for a in session.scalars(select(ServiceArea))}
    rows = [
        {
            "area_id": areas[region],
            "service": service,
            "day": day,
            "half_day": half,
            "capacity": cap,
            "booked": 0,
        }
        for region, service, day, half, cap in schedule.slots(start, days or schedule.horizon_days)
    ]
    count = select(func.count(VisitSlot.id))
    before_slots = session.scalar(count) or 0
    key = ["area_id", "service", "day", "half_day"]
    if rows:  # one statement executed for many rows (compiled once: a multi-VALUES insert is not)
        statement = insert(VisitSlot.__table__).on_conflict_do_nothing(index_elements=key)
        session.connection().execute(statement, rows)
    result = SyncResult(areas=len(areas) - before_areas, slots=(session.scalar(count) or 0) - before_slots)
    logger.info("schedule sync from %s: %d new areas, %d new slots", start, result.areas, result.slots)
    return result


def served_area(session: Session, gazetteer: Gazetteer, region: str) -> ServiceArea:
    """The active area that serves a region (the region itself or the nearest one above it)."""
    try:
        chain = gazetteer.resolve(region).chain
    except UnknownRegionError:
        raise NotServed(region, _area_names(session)) from None
    areas = {a.region: a for a in session.scalars(select(ServiceArea).where(ServiceArea.active))}
    for name in reversed(chain):
        if name in areas:
            return areas[name]
    below = [name for name in areas if chain[-1] in gazetteer.resolve(name).chain]
    if len(below) > 1:
        raise AreaTooBroad(chain[-1], below)
    if below:
        return areas[below[0]]
    raise NotServed(chain[-1], _nearby(gazetteer, chain, list(areas)))


def areas_below(session: Session, gazetteer: Gazetteer, region: str) -> list[str]:
    """Active areas inside a region (the districts of a city), in gazetteer order."""
    official = gazetteer.lookup(region)
    if official is None:
        return []
    inside = set(gazetteer.descendants(official)) - {official}
    return [a for a in _area_names(session) if a in inside]


def area_names(session: Session) -> list[str]:
    """Active service areas, in the order the schedule lists them."""
    return _area_names(session)


def _area_names(session: Session) -> list[str]:
    return list(
        session.scalars(select(ServiceArea.region).where(ServiceArea.active).order_by(ServiceArea.id))
    )


def _nearby(gazetteer: Gazetteer, chain: tuple[str, ...], areas: list[str]) -> list[str]:
    """Areas sharing the deepest common parent with the region (same city, else same province, else all)."""
    for depth in range(len(chain) - 1, 0, -1):
        near = [a for a in areas if gazetteer.resolve(a).chain[:depth] == chain[:depth]]
        if near and depth > 1:
            return near
    return areas


def offered_services(session: Session, area: ServiceArea, today: date, rules: Rules) -> list[VisitService]:
    """Services the area has any capacity for within the booking window."""
    query = (
        select(VisitSlot.service)
        .where(
            VisitSlot.area_id == area.id,
            VisitSlot.capacity > 0,
            VisitSlot.day >= rules.first_day(today),
            VisitSlot.day <= rules.last_day(today),
        )
        .distinct()
    )
    found = set(session.scalars(query))
    return [s for s in VisitService if s in found]


def openings(
    session: Session,
    area: ServiceArea,
    service: VisitService,
    today: date,
    rules: Rules,
    *,
    near: date | None = None,
    limit: int = 4,
) -> list[Opening]:
    """The free half-days nearest to a day (the earliest ones when no day is given)."""
    first, last = rules.first_day(today), rules.last_day(today)
    start = max(first, near - timedelta(days=7)) if near else first
    query = (
        select(VisitSlot)
        .where(
            VisitSlot.area_id == area.id,
            VisitSlot.service == service,
            VisitSlot.day >= start,
            VisitSlot.day <= last,
            VisitSlot.booked < VisitSlot.capacity,
        )
        .order_by(VisitSlot.day, VisitSlot.half_day.desc())  # "morning" sorts after "afternoon"
        .limit(200)
    )
    slots = list(session.scalars(query))
    if near is not None:
        slots.sort(key=lambda s: (abs((s.day - near).days), s.day, _HALF_ORDER[s.half_day]))
    else:
        slots.sort(key=lambda s: (s.day, _HALF_ORDER[s.half_day]))
    return [Opening(s.id, s.day, s.half_day, s.capacity - s.booked) for s in slots[:limit]]


def window_reason(day: date, today: date, rules: Rules) -> tuple[str, str]:
    """Why a day outside the booking window cannot be booked (Chinese, English)."""
    if day < today:
        return f"{day.month}月{day.day}日已经过去了。", "the day has passed"
    if day < rules.first_day(today):
        return (
            f"上门服务需要至少提前{rules.min_notice_days}天预约。",
            f"visits must be booked {rules.min_notice_days} day(s) ahead",
        )
    return (
        f"只能预约{rules.horizon_days}天以内的日子。",
        f"visits can be booked at most {rules.horizon_days} days ahead",
    )


def check_day(
    session: Session, area: ServiceArea, service: VisitService, day: date, today: date, rules: Rules
) -> None:
    """Raise DayNotBookable (with the nearest openings) for a past day or one outside the window."""
    if rules.first_day(today) <= day <= rules.last_day(today):
        return
    zh, en = window_reason(day, today, rules)
    raise DayNotBookable(zh, en, openings(session, area, service, today, rules, near=day))


def find_slot(
    session: Session, area: ServiceArea, service: VisitService, day: date, half: HalfDay
) -> VisitSlot | None:
    """The slot of an area, service, day and half-day, if the schedule has one."""
    query = select(VisitSlot).where(
        VisitSlot.area_id == area.id,
        VisitSlot.service == service,
        VisitSlot.day == day,
        VisitSlot.half_day == half,
    )
    return session.scalars(query).first()


def set_capacity(
    session: Session, region: str, service: VisitService, day: date, half: HalfDay, capacity: int
) -> tuple[ServiceArea, VisitSlot]:
    """Give one slot a capacity (creating the slot if the schedule has none), never below what is booked."""
    area = session.scalars(select(ServiceArea).where(ServiceArea.region == region)).first()
    if area is None:
        raise UnknownArea(region)
    slot = find_slot(session, area, service, day, half)
    if slot is None:
        slot = VisitSlot(area_id=area.id, service=service, day=day, half_day=half, capacity=0, booked=0)
        session.add(slot)
    elif capacity < slot.booked:
        raise CapacityBelowBooked(slot.booked)
    slot.capacity = capacity
    session.flush()
    logger.info("slot %s %s %s %s: capacity %d", region, service.value, day, half.value, capacity)
    return area, slot


def _take(session: Session, slot_id: int) -> bool:
    """Take one visit of a slot if one is free; True when taken."""
    statement = (
        update(VisitSlot)
        .where(VisitSlot.id == slot_id, VisitSlot.booked < VisitSlot.capacity)
        .values(booked=VisitSlot.booked + 1)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(session, statement) == 1


def _release(session: Session, slot_id: int) -> None:
    """Give one visit of a slot back."""
    statement = (
        update(VisitSlot)
        .where(VisitSlot.id == slot_id, VisitSlot.booked > 0)
        .values(booked=VisitSlot.booked - 1)
        .execution_options(synchronize_session=False)
    )
    session.execute(statement)


def _event(session: Session, booking: Booking, actor: str, action: str, **detail: Any) -> None:
    session.add(BookingEvent(booking_id=booking.id, actor=actor, action=action, detail=detail or None))


@dataclass(frozen=True)
class NewBooking:
    """What a user gave for a booking (already validated)."""

    sender_id: str
    channel: str
    contact_name: str
    phone: str
    address: str
    region: str
    service: VisitService
    day: date
    half_day: HalfDay
    notes: str | None = None


def book(
    session: Session, gazetteer: Gazetteer, request: NewBooking, today: date, rules: Rules, actor: str
) -> Booking:
    """Book a visit: check area, service and day, take a free visit of the slot, record it with its trail."""
    area = served_area(session, gazetteer, request.region)
    offered = offered_services(session, area, today, rules)
    if request.service not in offered:
        raise ServiceNotOffered(area.region, request.service.label, [s.label for s in offered])
    check_day(session, area, request.service, request.day, today, rules)
    slot = find_slot(session, area, request.service, request.day, request.half_day)
    if slot is None or not _take(session, slot.id):
        near = openings(session, area, request.service, today, rules, near=request.day)
        if slot is None or slot.capacity == 0:
            raise DayNotBookable(
                f"{request.day.month}月{request.day.day}日{request.half_day.label}没有安排上门服务。",
                "no visits are scheduled then",
                near,
            )
        raise SlotFull(near)
    booking = Booking(
        sender_id=request.sender_id,
        channel=request.channel,
        contact_name=request.contact_name,
        phone=request.phone,
        address=request.address,
        region=request.region,
        service=request.service,
        slot_id=slot.id,
        notes=request.notes,
        status=BookingStatus.PENDING,
    )
    session.add(booking)
    session.flush()
    booking.reference = f"{request.day:%Y%m%d}-{booking.id:04d}"
    _event(session, booking, actor, "created", slot_id=slot.id, day=request.day.isoformat(),
           half_day=request.half_day.value)  # fmt: skip
    session.flush()
    session.refresh(booking)
    logger.info(
        "booking %s: %s in %s on %s %s for %s (%s)",
        booking.reference,
        request.service.value,
        area.region,
        request.day,
        request.half_day.value,
        mask_phone(request.phone),
        actor,
    )
    return booking


def bookings_of(
    session: Session, channel: str, sender_id: str, *, today: date | None = None
) -> list[Booking]:
    """A user's bookings on a channel, soonest visit first; with `today`, only visits from today on."""
    query = select(Booking).join(VisitSlot).where(Booking.channel == channel, Booking.sender_id == sender_id)
    if today is not None:
        query = query.where(VisitSlot.day >= today)
    return list(
        session.scalars(query.order_by(VisitSlot.day, VisitSlot.half_day.desc(), Booking.id)).unique()
    )


def by_reference(session: Session, reference: str) -> Booking | None:
    """The booking with a reference, if any."""
    return session.scalars(select(Booking).where(Booking.reference == reference.strip())).first()


def owned_booking(
    session: Session,
    reference: str,
    *,
    channel: str | None = None,
    sender_id: str | None = None,
    phone: str | None = None,
) -> Booking:
    """The booking if it belongs to the user: same channel and sender, or (on the hotline) same phone."""
    booking = by_reference(session, reference)
    if booking is None:
        raise NotYours()
    same_sender = channel is not None and booking.channel == channel and booking.sender_id == sender_id
    same_phone = phone is not None and booking.phone == phone
    if not (same_sender or same_phone):
        raise NotYours()
    return booking


_TRANSITIONS: dict[BookingStatus, set[BookingStatus]] = {
    BookingStatus.PENDING: {BookingStatus.CONFIRMED, BookingStatus.CANCELLED},
    BookingStatus.CONFIRMED: {BookingStatus.COMPLETED, BookingStatus.NO_SHOW, BookingStatus.CANCELLED},
    BookingStatus.CANCELLED: set(),
    BookingStatus.COMPLETED: set(),
    BookingStatus.NO_SHOW: set(),
}
_ACTION_WORDS = {
    BookingStatus.CONFIRMED: ("确认", "confirmed"),
    BookingStatus.CANCELLED: ("取消", "cancelled"),
    BookingStatus.COMPLETED: ("标记完成", "completed"),
    BookingStatus.NO_SHOW: ("标记未上门", "marked no-show"),
}


def allowed(current: BookingStatus, target: BookingStatus) -> bool:
    """Whether a booking may go from one status to another."""
    return target in _TRANSITIONS[current]


def change_status(session: Session, booking: Booking, target: BookingStatus, actor: str) -> Booking:
    """Move a booking to a new status (cancelling frees its visit); the trail records who did it."""
    session.refresh(booking, with_for_update=session.get_bind().dialect.name == "postgresql")
    if not allowed(booking.status, target):
        zh, en = _ACTION_WORDS[target]
        raise InvalidTransition(booking.status, zh, en)
    previous = booking.status
    booking.status = target
    booking.updated_at = utcnow()
    if target is BookingStatus.CANCELLED:
        _release(session, booking.slot_id)
    _event(session, booking, actor, target.value, previous=previous.value)
    session.flush()
    logger.info("booking %s: %s -> %s by %s", booking.reference, previous.value, target.value, actor)
    return booking


def reschedule(
    session: Session, booking: Booking, day: date, half: HalfDay, today: date, rules: Rules, actor: str
) -> Booking:
    """Move a live booking to another half-day: take the new visit first, then free the old one."""
    session.refresh(booking, with_for_update=session.get_bind().dialect.name == "postgresql")
    if booking.status not in LIVE_BOOKING_STATUSES:
        raise InvalidTransition(booking.status, "改时间", "rescheduled")
    area = session.get(ServiceArea, booking.slot.area_id)
    if area is None:  # pragma: no cover - the foreign key keeps it
        raise BookingError("找不到服务地区。", "the booking's area is gone")
    check_day(session, area, booking.service, day, today, rules)
    slot = find_slot(session, area, booking.service, day, half)
    if slot is not None and slot.id == booking.slot_id:
        return booking
    if slot is None or not _take(session, slot.id):
        raise SlotFull(openings(session, area, booking.service, today, rules, near=day))
    old = booking.slot
    _release(session, old.id)
    booking.slot_id = slot.id
    previous = booking.status
    booking.status = BookingStatus.PENDING  # staff confirm the new time again
    booking.reminder_sent_at = None
    booking.updated_at = utcnow()
    _event(session, booking, actor, "rescheduled", previous=previous.value,
           from_day=old.day.isoformat(), from_half_day=old.half_day.value,
           to_day=day.isoformat(), to_half_day=half.value)  # fmt: skip
    session.flush()
    session.refresh(booking)
    logger.info("booking %s moved to %s %s by %s", booking.reference, day, half.value, actor)
    return booking


def list_bookings(
    session: Session,
    *,
    day: date | None = None,
    region: str | None = None,
    status: BookingStatus | None = None,
    limit: int = 500,
) -> list[Booking]:
    """Bookings for staff, by visit day and half-day, filtered as asked."""
    query = select(Booking).join(VisitSlot)
    if day is not None:
        query = query.where(VisitSlot.day == day)
    if region is not None:
        query = query.join(ServiceArea, ServiceArea.id == VisitSlot.area_id).where(
            ServiceArea.region == region
        )
    if status is not None:
        query = query.where(Booking.status == status)
    query = query.order_by(VisitSlot.day, VisitSlot.half_day.desc(), Booking.id).limit(limit)
    return list(session.scalars(query).unique())


def history(session: Session, booking: Booking) -> list[BookingEvent]:
    """A booking's audit trail, oldest first."""
    query = select(BookingEvent).where(BookingEvent.booking_id == booking.id).order_by(BookingEvent.id)
    return list(session.scalars(query))


def due_reminders(session: Session, day: date) -> list[Booking]:
    """Confirmed visits on a day whose reminder has not been sent."""
    query = (
        select(Booking)
        .join(VisitSlot)
        .where(
            and_(
                VisitSlot.day == day,
                Booking.status == BookingStatus.CONFIRMED,
                Booking.reminder_sent_at.is_(None),
            )
        )
        .order_by(Booking.id)
    )
    return list(session.scalars(query).unique())


def claim_reminder(session: Session, booking_id: int, now: datetime | None = None) -> bool:
    """Mark a booking's reminder as sent unless someone already did; True when this caller may send it."""
    statement = (
        update(Booking)
        .where(Booking.id == booking_id, Booking.reminder_sent_at.is_(None))
        .values(reminder_sent_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return _rowcount(session, statement) == 1

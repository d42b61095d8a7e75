"""Staff endpoints for home-visit bookings: list, look up, confirm/complete/cancel/no-show, slot capacity."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from bot.core.booking import ledger
from bot.core.booking.dates import parse_day
from bot.core.booking.errors import BookingError, CapacityBelowBooked, UnknownArea
from bot.core.clock import Clock
from bot.core.errors import ApiError
from bot.core.store import transaction
from bot.core.store.models import Booking, BookingStatus, HalfDay, VisitService
from bot.gateway.auth import AdminDep, OperatorDep
from bot.gateway.deps import SessionsDep, SettingsDep
from bot.gateway.schemas import BookingEventPublic, BookingPublic, SlotCapacity, SlotPublic

router = APIRouter(tags=["bookings"])

ACTIONS: dict[str, BookingStatus] = {
    "confirm": BookingStatus.CONFIRMED,
    "complete": BookingStatus.COMPLETED,
    "cancel": BookingStatus.CANCELLED,
    "no-show": BookingStatus.NO_SHOW,
}


def public(booking: Booking, session: Session | None = None) -> BookingPublic:
    """A booking for staff (with its audit trail when a session is given)."""
    history = None
    if session is not None:
        history = [
            BookingEventPublic(at=e.created_at, actor=e.actor, action=e.action, detail=e.detail)
            for e in ledger.history(session, booking)
        ]
    return BookingPublic(
        reference=booking.reference or "",
        status=booking.status.value,
        status_label=booking.status.label,
        service=booking.service.value,
        service_label=booking.service.label,
        day=booking.slot.day.isoformat(),
        half_day=booking.slot.half_day.value,
        half_day_label=booking.slot.half_day.label,
        region=booking.region,
        address=booking.address,
        contact_name=booking.contact_name,
        phone=booking.phone,
        channel=booking.channel,
        notes=booking.notes,
        created_at=booking.created_at,
        history=history,
    )


def _day(text: str, clock: Clock) -> date:
    day = parse_day(text, clock.today())
    if day is None:
        raise ApiError(
            422, "invalid_parameter", f"日期不对：{text} / Invalid date {text!r} (e.g. 2026-12-01)."
        )
    return day


def _not_found(reference: str) -> ApiError:
    return ApiError(404, "booking_not_found", f"没有这个预约：{reference} / No booking {reference}.")


@router.get("/api/bookings")
async def list_bookings(
    operator: OperatorDep,
    sessions: SessionsDep,
    settings: SettingsDep,
    day: Annotated[str | None, Query(alias="date")] = None,
    area: Annotated[str | None, Query(max_length=64)] = None,
    status: BookingStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[BookingPublic]:
    """Bookings by visit day and half-day, filtered by day, area and status."""
    visit_day = _day(day, settings.clock) if day else None

    def work() -> list[BookingPublic]:
        with transaction(sessions, write=False) as session:
            rows = ledger.list_bookings(session, day=visit_day, region=area, status=status, limit=limit)
            return [public(b) for b in rows]

    return await run_in_threadpool(work)


@router.get("/api/bookings/{reference}")
async def get_booking(reference: str, operator: OperatorDep, sessions: SessionsDep) -> BookingPublic:
    """One booking with its audit trail."""

    def work() -> BookingPublic | None:
        with transaction(sessions, write=False) as session:
            booking = ledger.by_reference(session, reference)
            return public(booking, session) if booking else None

    found = await run_in_threadpool(work)
    if found is None:
        raise _not_found(reference)
    return found


@router.post("/api/bookings/{reference}/{action}")
async def change_booking(
    reference: str, action: str, operator: OperatorDep, sessions: SessionsDep
) -> BookingPublic:
    """confirm, complete, cancel or no-show; 409 when the booking's status does not allow it."""
    target = ACTIONS.get(action)
    if target is None:
        raise ApiError(404, "not_found", "找不到这个地址。 / Not found.")
    actor = f"operator:{operator.username}"

    def work() -> BookingPublic | None:
        with transaction(sessions) as session:
            booking = ledger.by_reference(session, reference)
            if booking is None:
                return None
            ledger.change_status(session, booking, target, actor)
            return public(booking, session)

    try:
        changed = await run_in_threadpool(work)
    except BookingError as exc:
        raise ApiError(409, "invalid_transition", f"{exc.zh} / {exc.en}.") from exc
    if changed is None:
        raise _not_found(reference)
    return changed


@router.post("/api/bookings/slots")
async def set_slot_capacity(
    body: SlotCapacity, admin: AdminDep, sessions: SessionsDep, settings: SettingsDep
) -> SlotPublic:
    """Set one slot's capacity (admins only); never below what is already booked."""
    service = next((s for s in VisitService if body.service in (s.value, s.label)), None)
    half = next((h for h in HalfDay if body.half_day in (h.value, h.label)), None)
    if service is None or half is None:
        raise ApiError(422, "invalid_field", "服务或半天不对。 / Unknown service or half-day.")
    day = _day(body.day, settings.clock)

    def work() -> SlotPublic:
        with transaction(sessions) as session:
            try:
                area, slot = ledger.set_capacity(session, body.area, service, day, half, body.capacity)
            except UnknownArea as exc:
                raise ApiError(
                    404, "area_not_found", f"{exc.zh}：{body.area} / No service area {body.area}."
                ) from exc
            except CapacityBelowBooked as exc:
                raise ApiError(409, "capacity_below_booked", f"{exc.zh}。 / {exc.en}.") from exc
            return SlotPublic(
                area=area.region,
                service=service.value,
                day=day.isoformat(),
                half_day=half.value,
                capacity=slot.capacity,
                booked=slot.booked,
            )

    return await run_in_threadpool(work)

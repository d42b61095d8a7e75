"""`eldercare bookings …` and `eldercare db upgrade`: staff manage visits, slots and the schema."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.booking import dates, ledger
from bot.core.booking.errors import BookingError, CapacityBelowBooked, ScheduleError, UnknownArea
from bot.core.booking.schedule import load_schedule
from bot.core.booking.settings import BookingSettings
from bot.core.masking import mask_phone
from bot.core.store import (
    Booking,
    BookingStatus,
    HalfDay,
    ServiceArea,
    StoreError,
    VisitService,
    VisitSlot,
    create_schema,
    make_engine,
    session_factory,
    transaction,
)
from bot.core.store.migrate import current_revision, head_revision
from knowledge.base import load_knowledge

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
T = TypeVar("T")
STAFF_ACTIONS: dict[str, BookingStatus] = {
    "confirm": BookingStatus.CONFIRMED,
    "complete": BookingStatus.COMPLETED,
    "cancel": BookingStatus.CANCELLED,
    "no-show": BookingStatus.NO_SHOW,
}


class UsageError(Exception):
    """A bad command-line value; the message is bilingual."""


def _out(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


@contextmanager
def _store(settings: BookingSettings) -> Iterator[Any]:
    engine = make_engine(settings.database_url)
    try:
        create_schema(engine)
        yield session_factory(engine)
    finally:
        engine.dispose()


def _in_store(settings: BookingSettings, work: Callable[[Session], T]) -> T:
    with _store(settings) as sessions, transaction(sessions) as session:
        return work(session)


def parse_day(text: str, today: date) -> date:
    """A day given on the command line: 2026-12-01, 今天, 明天, 12月1日 …"""
    day = dates.parse_day(text, today)
    if day is None:
        raise UsageError(f"看不懂的日期 / not a date: {text!r} (e.g. 2026-12-01, 明天)")
    return day


def parse_half(text: str) -> HalfDay:
    """morning/afternoon or 上午/下午."""
    for half in HalfDay:
        if text in (half.value, half.label):
            return half
    raise UsageError(f"半天只能是 上午/下午 / half-day must be morning or afternoon: {text!r}")


def parse_service(text: str) -> VisitService:
    """A service by its value (bath) or Chinese name (上门助浴)."""
    for service in VisitService:
        if text in (service.value, service.label):
            return service
    names = ", ".join(f"{s.value} ({s.label})" for s in VisitService)
    raise UsageError(f"没有这项服务 / unknown service {text!r}; one of: {names}")


def parse_status(text: str) -> BookingStatus:
    """A booking status by its value."""
    try:
        return BookingStatus(text)
    except ValueError:
        raise UsageError(
            f"没有这个状态 / unknown status {text!r}; one of: {', '.join(s.value for s in BookingStatus)}"
        ) from None


def booking_dict(booking: Booking, full_phone: bool = False) -> dict[str, Any]:
    """A booking as JSON-ready data (the phone masked unless asked for)."""
    return {
        "reference": booking.reference,
        "status": booking.status.value,
        "service": booking.service.value,
        "service_label": booking.service.label,
        "day": booking.slot.day.isoformat(),
        "half_day": booking.slot.half_day.value,
        "region": booking.region,
        "address": booking.address,
        "contact_name": booking.contact_name,
        "phone": booking.phone if full_phone else mask_phone(booking.phone),
        "channel": booking.channel,
        "notes": booking.notes,
        "created_at": booking.created_at.isoformat(),
    }


def cmd_list(args: argparse.Namespace) -> int:
    """eldercare bookings list [--date D] [--area A] [--status S] [--json] [--full-phone]"""
    settings = BookingSettings()
    today = settings.clock.today()
    day = parse_day(args.date, today) if args.date else None
    status = parse_status(args.status) if args.status else None

    def work(session: Session) -> list[dict[str, Any]]:
        rows = ledger.list_bookings(session, day=day, region=args.area, status=status, limit=args.limit)
        return [booking_dict(b, args.full_phone) for b in rows]

    rows = _in_store(settings, work)
    if args.json:
        _out(json.dumps(rows, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not rows:
        _out("没有符合条件的预约 / no bookings match")
        return EXIT_OK
    for r in rows:
        half = HalfDay(r["half_day"]).label
        _out(
            f"{r['reference']}  {r['day']} {half}  {r['service_label']:<6} {r['status']:<10} "
            f"{r['region']} {r['address']}  {r['contact_name']} {r['phone']}"
        )
    _out(f"共 {len(rows)} 条 / {len(rows)} booking(s)")
    return EXIT_OK


def cmd_show(args: argparse.Namespace) -> int:
    """eldercare bookings show REF: the booking and its audit trail."""
    settings = BookingSettings()

    def work(session: Session) -> dict[str, Any]:
        booking = ledger.by_reference(session, args.reference)
        if booking is None:
            raise UsageError(f"没有这个预约编号 / no booking {args.reference}")
        data = booking_dict(booking, args.full_phone)
        data["history"] = [
            {"at": e.created_at.isoformat(), "actor": e.actor, "action": e.action, "detail": e.detail}
            for e in ledger.history(session, booking)
        ]
        return data

    _out(json.dumps(_in_store(settings, work), ensure_ascii=False, indent=2))
    return EXIT_OK


def cmd_change(args: argparse.Namespace) -> int:
    """eldercare bookings confirm|complete|cancel|no-show REF [--by NAME]"""
    settings = BookingSettings()
    target = STAFF_ACTIONS[args.action]
    actor = f"staff:{args.by}" if args.by else ledger.STAFF

    def work(session: Session) -> Booking:
        booking = ledger.by_reference(session, args.reference)
        if booking is None:
            raise UsageError(f"没有这个预约编号 / no booking {args.reference}")
        return ledger.change_status(session, booking, target, actor)

    booking = _in_store(settings, work)
    _out(f"{booking.reference}: {booking.status.value} ({booking.status.label})")
    return EXIT_OK


def cmd_slots_sync(args: argparse.Namespace) -> int:
    """eldercare bookings slots sync [--days N]: create the schedule's slots from today on."""
    settings = BookingSettings()
    kb = load_knowledge()
    schedule = load_schedule(settings.schedule_path, set(kb.gazetteer.names))
    today = settings.clock.today()
    days = args.days or settings.booking_horizon_days + 1
    result = _in_store(settings, lambda s: ledger.sync_schedule(s, schedule, today, days))
    _out(f"新增服务地区 {result.areas} 个、时段 {result.slots} 个")
    _out(f"{result.areas} areas, {result.slots} slots added")
    return EXIT_OK


def _slot_query(session: Session, args: argparse.Namespace, today: date) -> Any:
    query = select(VisitSlot, ServiceArea.region).join(ServiceArea, ServiceArea.id == VisitSlot.area_id)
    if args.area:
        query = query.where(ServiceArea.region == args.area)
    if args.service:
        query = query.where(VisitSlot.service == parse_service(args.service))
    start = parse_day(args.date, today) if args.date else today
    end = start if args.date else start + timedelta(days=args.days - 1)
    return query.where(VisitSlot.day >= start, VisitSlot.day <= end).order_by(
        VisitSlot.day, ServiceArea.id, VisitSlot.service, VisitSlot.half_day.desc()
    )


def cmd_slots_list(args: argparse.Namespace) -> int:
    """eldercare bookings slots list [--area A] [--service S] [--date D | --days N]"""
    settings = BookingSettings()
    today = settings.clock.today()

    def work(session: Session) -> list[str]:
        return [
            f"{slot.day} {slot.half_day.label}  {region:<6} {slot.service.label:<6} "
            f"{slot.booked}/{slot.capacity}"
            for slot, region in session.execute(_slot_query(session, args, today))
        ]

    lines = _in_store(settings, work)
    for text in lines:
        _out(text)
    if not lines:
        _out("没有时段 / no slots (run: eldercare bookings slots sync)")
    return EXIT_OK


def cmd_slots_set(args: argparse.Namespace) -> int:
    """eldercare bookings slots set --area A --service S --date D --half-day H --capacity N"""
    settings = BookingSettings()
    today = settings.clock.today()
    service, half = parse_service(args.service), parse_half(args.half_day)
    day = parse_day(args.date, today)
    if args.capacity < 0:
        raise UsageError("容量不能是负数 / capacity cannot be negative")

    def work(session: Session) -> VisitSlot:
        try:
            return ledger.set_capacity(session, args.area, service, day, half, args.capacity)[1]
        except (UnknownArea, CapacityBelowBooked) as exc:
            raise UsageError(f"{exc.zh} / {exc.en}") from exc

    slot = _in_store(settings, work)
    _out(f"{args.area} {slot.service.label} {slot.day} {slot.half_day.label}: {slot.booked}/{slot.capacity}")
    return EXIT_OK


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """eldercare db upgrade: bring the database schema up to date."""
    settings = BookingSettings()
    engine = make_engine(settings.database_url)
    try:
        before = current_revision(engine)
        create_schema(engine)
        _out(f"数据库结构 / schema: {before or '(empty)'} -> {head_revision()}")
    finally:
        engine.dispose()
    return EXIT_OK


def add_parsers(sub: Any) -> None:
    """Add `bookings` and `db` to the eldercare command line."""
    bookings = sub.add_parser("bookings", help="上门服务预约 / home-visit bookings").add_subparsers(
        dest="what", required=True
    )
    listing = bookings.add_parser("list", help="列出预约 / list bookings")
    listing.add_argument("--date", help="日期 / visit day (2026-12-01, 今天, 明天 …)")
    listing.add_argument("--area", help="服务地区 / service area (金台区 …)")
    listing.add_argument("--status", help="状态 / " + "|".join(s.value for s in BookingStatus))
    listing.add_argument("--limit", type=int, default=500)
    listing.add_argument("--json", action="store_true", help="JSON 输出 / print JSON")
    listing.add_argument(
        "--full-phone", action="store_true", help="显示完整电话 / show phone numbers unmasked"
    )
    listing.set_defaults(func=cmd_list)
    show = bookings.add_parser("show", help="预约详情和记录 / one booking with its audit trail")
    show.add_argument("reference")
    show.add_argument("--full-phone", action="store_true")
    show.set_defaults(func=cmd_show)
    for action, status in STAFF_ACTIONS.items():
        change = bookings.add_parser(action, help=f"预约改为{status.label} / mark a booking {status.value}")
        change.add_argument("reference")
        change.add_argument("--by", help="操作人 / who does it (for the audit trail)")
        change.set_defaults(func=cmd_change, action=action)
    slots = bookings.add_parser("slots", help="可预约时段 / bookable slots").add_subparsers(
        dest="how", required=True
    )
    sync = slots.add_parser("sync", help="按排班文件生成时段 / create slots from the schedule file")
    sync.add_argument("--days", type=int, help="天数 / days from today (default: the booking horizon)")
    sync.set_defaults(func=cmd_slots_sync)
    listing = slots.add_parser("list", help="列出时段 / list slots with booked/capacity")
    listing.add_argument("--area")
    listing.add_argument("--service")
    listing.add_argument("--date")
    listing.add_argument("--days", type=int, default=7)
    listing.set_defaults(func=cmd_slots_list)
    setter = slots.add_parser("set", help="修改某个时段的容量 / change one slot's capacity")
    setter.add_argument("--area", required=True)
    setter.add_argument("--service", required=True)
    setter.add_argument("--date", required=True)
    setter.add_argument("--half-day", required=True)
    setter.add_argument("--capacity", type=int, required=True)
    setter.set_defaults(func=cmd_slots_set)
    db = sub.add_parser("db", help="数据库 / the database").add_subparsers(dest="what", required=True)
    db.add_parser("upgrade", help="升级数据库结构 / migrate the schema").set_defaults(func=cmd_db_upgrade)


def run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a bookings command, turning its errors into messages and exit codes."""
    try:
        return func(args)
    except UsageError as exc:
        _err(str(exc))
        return EXIT_USAGE
    except BookingError as exc:
        _err(f"{exc.zh} / {exc.en}")
        return EXIT_ERROR
    except (StoreError, ScheduleError) as exc:
        _err(f"数据库或排班出错 / {exc}")
        return EXIT_ERROR

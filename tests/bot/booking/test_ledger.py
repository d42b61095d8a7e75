"""The booking rules on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.core.booking import ledger
from bot.core.booking.errors import (
    AreaTooBroad,
    DayNotBookable,
    InvalidTransition,
    NotServed,
    NotYours,
    ServiceNotOffered,
    SlotFull,
)
from bot.core.booking.ledger import NewBooking, Rules
from bot.core.booking.schedule import Schedule, load_schedule
from bot.core.store import (
    Booking,
    BookingStatus,
    HalfDay,
    ServiceArea,
    VisitService,
    VisitSlot,
    transaction,
)
from knowledge.base import KnowledgeBase
from knowledge.regions import Gazetteer

TODAY = date(2026, 11, 24)  # a Tuesday
MONDAY = date(2026, 11, 30)
RULES = Rules(min_notice_days=1, horizon_days=60)


@pytest.fixture
def gazetteer(kb: KnowledgeBase) -> Gazetteer:
    """The shipped gazetteer."""
    return kb.gazetteer


@pytest.fixture
def schedule(gazetteer: Gazetteer) -> Schedule:
    """The shipped schedule, checked against the gazetteer."""
    return load_schedule(regions=set(gazetteer.names))


@pytest.fixture
def sessions(sessions: sessionmaker[Session], schedule: Schedule) -> sessionmaker[Session]:
    """Sessions on a fresh store whose slots are synced from the shipped schedule."""
    with transaction(sessions) as session:
        ledger.sync_schedule(session, schedule, TODAY, days=61)
    return sessions


def request(**changes: object) -> NewBooking:
    """A valid booking request, with some fields changed."""
    values: dict[str, object] = {
        "sender_id": "web-1",
        "channel": "web",
        "contact_name": "王秀兰",
        "phone": "13912345678",
        "address": "金台区东风路12号3单元502",
        "region": "金台区",
        "service": VisitService.BATH,
        "day": MONDAY,
        "half_day": HalfDay.MORNING,
    }
    values.update(changes)
    return NewBooking(**values)  # type: ignore[arg-type]


def book(sessions: sessionmaker[Session], gazetteer: Gazetteer, **changes: object) -> Booking:
    """Book in its own transaction, as a user would."""
    with transaction(sessions) as session:
        return ledger.book(session, gazetteer, request(**changes), TODAY, RULES, "user:web:web-1")


def set_capacity(sessions: sessionmaker[Session], day: date, half: HalfDay, capacity: int) -> int:
    """Give the 金台区 bath slot of a half-day a capacity; return its id."""
    with transaction(sessions) as session:
        slot = session.scalars(
            select(VisitSlot)
            .join(ServiceArea)
            .where(
                ServiceArea.region == "金台区",
                VisitSlot.service == VisitService.BATH,
                VisitSlot.day == day,
                VisitSlot.half_day == half,
            )
        ).one()
        slot.capacity = capacity
        return slot.id


def test_sync_creates_areas_and_slots_once_and_keeps_edited_capacities(
    sessions: sessionmaker[Session], schedule: Schedule
) -> None:
    set_capacity(sessions, MONDAY, HalfDay.MORNING, 9)
    with transaction(sessions) as session:
        again = ledger.sync_schedule(session, schedule, TODAY, days=61)
        regions = set(session.scalars(select(ServiceArea.region)))
        weekend = session.scalars(select(VisitSlot).where(VisitSlot.day == date(2026, 11, 29))).all()
        saturday_litong = session.scalars(
            select(VisitSlot)
            .join(ServiceArea)
            .where(ServiceArea.region == "利通区", VisitSlot.day == date(2026, 11, 28))
        ).all()
    assert again == ledger.SyncResult(areas=0, slots=0)
    assert regions == {a.region for a in schedule.areas}
    assert weekend == []  # Sunday: nobody works
    assert saturday_litong  # 利通区 works on Saturdays
    assert set_capacity(sessions, MONDAY, HalfDay.MORNING, 9) > 0


@pytest.mark.parametrize(
    ("region", "area"), [("金台区", "金台区"), ("金台", "金台区"), ("胜利镇", "利通区"), ("黄岩", "黄岩区")]
)
def test_a_region_is_served_by_itself_or_the_area_above_it(
    sessions: sessionmaker[Session], gazetteer: Gazetteer, region: str, area: str
) -> None:
    with transaction(sessions) as session:
        assert ledger.served_area(session, gazetteer, region).region == area


def test_a_city_with_several_areas_asks_which_one(
    sessions: sessionmaker[Session], gazetteer: Gazetteer
) -> None:
    with pytest.raises(AreaTooBroad) as caught, transaction(sessions) as session:
        ledger.served_area(session, gazetteer, "宝鸡市")
    assert caught.value.options == ["金台区", "渭滨区", "陈仓区"]
    assert "宝鸡市哪个区县" in caught.value.zh


@pytest.mark.parametrize(
    ("region", "nearby"),
    [
        ("岐山县", ["金台区", "渭滨区", "陈仓区"]),  # same city
        ("临海市", ["椒江区", "黄岩区", "路桥区"]),
    ],
)
def test_a_region_without_service_names_the_nearest_areas(
    sessions: sessionmaker[Session], gazetteer: Gazetteer, region: str, nearby: list[str]
) -> None:
    with pytest.raises(NotServed) as caught, transaction(sessions) as session:
        ledger.served_area(session, gazetteer, region)
    assert caught.value.nearby == nearby
    assert caught.value.zh.startswith(f"{region}暂时还没有可以预约的上门服务")


def test_an_unknown_region_is_not_served_and_lists_every_area(
    sessions: sessionmaker[Session], gazetteer: Gazetteer, schedule: Schedule
) -> None:
    with pytest.raises(NotServed) as caught, transaction(sessions) as session:
        ledger.served_area(session, gazetteer, "火星")
    assert caught.value.nearby == [a.region for a in schedule.areas]


def test_booking_takes_a_visit_and_records_reference_and_trail(
    sessions: sessionmaker[Session], gazetteer: Gazetteer
) -> None:
    booking = book(sessions, gazetteer)
    assert booking.reference == f"20261130-{booking.id:04d}"
    assert booking.status is BookingStatus.PENDING
    assert booking.slot.day == MONDAY and booking.slot.half_day is HalfDay.MORNING
    with transaction(sessions) as session:
        stored = ledger.by_reference(session, booking.reference)
        assert stored is not None and stored.slot.booked == 1
        trail = ledger.history(session, stored)
    assert [(e.actor, e.action) for e in trail] == [("user:web:web-1", "created")]


def test_a_full_slot_is_refused_with_the_nearest_openings(
    sessions: sessionmaker[Session], gazetteer: Gazetteer
) -> None:
    set_capacity(sessions, MONDAY, HalfDay.MORNING, 1)
    book(sessions, gazetteer)
    with pytest.raises(SlotFull) as caught:
        book(sessions, gazetteer, sender_id="web-2")
    openings = caught.value.openings
    assert openings[0].day == MONDAY and openings[0].half_day is HalfDay.AFTERNOON
    assert all(o.free > 0 for o in openings)
    assert len(openings) == 4


@pytest.mark.parametrize(
    ("day", "reason"),
    [
        (date(2026, 11, 20), "11月20日已经过去了"),
        (TODAY, "至少提前1天预约"),
        (TODAY + timedelta(days=61), "只能预约60天以内"),
    ],
)
def test_days_outside_the_window_are_refused_with_alternatives(
    sessions: sessionmaker[Session], gazetteer: Gazetteer, day: date, reason: str
) -> None:
    with pytest.raises(DayNotBookable) as caught:
        book(sessions, gazetteer, day=day)
    assert reason in caught.value.zh
    assert caught.value.openings
    assert all(RULES.first_day(TODAY) <= o.day <= RULES.last_day(TODAY) for o in caught.value.openings)
    with transaction(sessions) as session:
        assert session.scalars(select(Booking)).all() == []


def test_a_day_without_visits_is_refused_with_alternatives(
    sessions: sessionmaker[Session], gazetteer: Gazetteer
) -> None:
    with pytest.raises(DayNotBookable) as caught:
        book(sessions, gazetteer, day=date(2026, 11, 29))  # a Sunday
    assert "没有安排上门服务" in caught.value.zh
    assert {o.day for o in caught.value.openings} <= {
        date(2026, 11, 27),
        date(2026, 11, 30),
        date(2026, 12, 1),
    }


def test_a_service_the_area_does_not_offer_is_refused(
    sessions: sessionmaker[Session], gazetteer: Gazetteer
) -> None:
    with pytest.raises(ServiceNotOffered) as caught:
        book(sessions, gazetteer, region="路桥区", service=VisitService.BATH)
    assert caught.value.offered == ["助餐送餐", "探访巡访", "助医陪诊"]


def test_fifty_concurrent_attempts_at_a_slot_of_three_give_exactly_three_bookings(
    sessions: sessionmaker[Session], gazetteer: Gazetteer
) -> None:
    slot_id = set_capacity(sessions, MONDAY, HalfDay.MORNING, 3)
    barrier = threading.Barrier(50)
    booked: list[str] = []
    full: list[SlotFull] = []
    other: list[BaseException] = []

    def attempt(n: int) -> None:
        barrier.wait()
        try:
            booking = book(sessions, gazetteer, sender_id=f"web-{n}")
            booked.append(booking.reference or "")
        except SlotFull as exc:
            full.append(exc)
        except BaseException as exc:  # collected and asserted below
            other.append(exc)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert other == []
    assert len(booked) == 3 and len(set(booked)) == 3
    assert len(full) == 47
    assert all(exc.openings and all(o.slot_id != slot_id for o in exc.openings) for exc in full)
    with transaction(sessions) as session:
        slot = session.get(VisitSlot, slot_id)
        assert slot is not None and slot.booked == 3
        assert len(session.scalars(select(Booking)).all()) == 3


def test_status_transitions_follow_the_rules_and_cancelling_frees_the_visit(
    sessions: sessionmaker[Session], gazetteer: Gazetteer
) -> None:
    booking = book(sessions, gazetteer)
    with transaction(sessions) as session:
        stored = session.get(Booking, booking.id)
        assert stored is not None
        ledger.change_status(session, stored, BookingStatus.CONFIRMED, "staff")
        ledger.change_status(session, stored, BookingStatus.CANCELLED, "user:web:web-1")
    with pytest.raises(InvalidTransition) as caught, transaction(sessions) as session:
        stored = session.get(Booking, booking.id)
        assert stored is not None
        ledger.change_status(session, stored, BookingStatus.CONFIRMED, "staff")
    assert "已取消" in caught.value.zh
    with transaction(sessions) as session:
        stored = session.get(Booking, booking.id)
        assert stored is not None and stored.slot.booked == 0
        actions = [
            (e.actor, e.action, (e.detail or {}).get("previous")) for e in ledger.history(session, stored)
        ]
    assert actions == [
        ("user:web:web-1", "created", None),
        ("staff", "confirmed", "pending"),
        ("user:web:web-1", "cancelled", "confirmed"),
    ]


@pytest.mark.parametrize(
    ("current", "target", "ok"),
    [
        (BookingStatus.PENDING, BookingStatus.CONFIRMED, True),
        (BookingStatus.PENDING, BookingStatus.CANCELLED, True),
        (BookingStatus.PENDING, BookingStatus.COMPLETED, False),
        (BookingStatus.PENDING, BookingStatus.NO_SHOW, False),
        (BookingStatus.CONFIRMED, BookingStatus.COMPLETED, True),
        (BookingStatus.CONFIRMED, BookingStatus.NO_SHOW, True),
        (BookingStatus.CONFIRMED, BookingStatus.CANCELLED, True),
        (BookingStatus.CONFIRMED, BookingStatus.PENDING, False),
        (BookingStatus.CANCELLED, BookingStatus.CONFIRMED, False),
        (BookingStatus.COMPLETED, BookingStatus.CANCELLED, False),
        (BookingStatus.NO_SHOW, BookingStatus.COMPLETED, False),
    ],
)
def test_transition_table(current: BookingStatus, target: BookingStatus, ok: bool) -> None:
    assert ledger.allowed(current, target) is ok


def test_completed_visits_keep_their_slot_counted(
    sessions: sessionmaker[Session], gazetteer: Gazetteer
) -> None:
    booking = book(sessions, gazetteer)
    with transaction(sessions) as session:
        stored = session.get(Booking, booking.id)
        assert stored is not None
        ledger.change_status(session, stored, BookingStatus.CONFIRMED, "staff")
        ledger.change_status(session, stored, BookingStatus.COMPLETED, "staff")
    with transaction(sessions) as session:
        slot = session.get(VisitSlot, booking.slot_id)
        assert slot is not None and slot.booked == 1


def test_reschedule_moves_the_visit_and_asks_staff_to_confirm_again(
    sessions: sessionmaker[Session], gazetteer: Gazetteer
) -> None:
    booking = book(sessions, gazetteer)
    tuesday = MONDAY + timedelta(days=1)
    with transaction(sessions) as session:
        stored = session.get(Booking, booking.id)
        assert stored is not None
        ledger.change_status(session, stored, BookingStatus.CONFIRMED, "staff")
        ledger.reschedule(session, stored, tuesday, HalfDay.AFTERNOON, TODAY, RULES, "user:web:web-1")
    with transaction(sessions) as session:
        stored = session.get(Booking, booking.id)
        assert stored is not None
        assert (stored.slot.day, stored.slot.half_day, stored.status) == (
            tuesday,
            HalfDay.AFTERNOON,
            BookingStatus.PENDING,
        )
        assert stored.slot.booked == 1
        old = session.get(VisitSlot, booking.slot_id)
        assert old is not None and old.booked == 0
        last = ledger.history(session, stored)[-1]
    assert last.action == "rescheduled"
    assert last.detail == {
        "previous": "confirmed",
        "from_day": "2026-11-30",
        "from_half_day": "morning",
        "to_day": "2026-12-01",
        "to_half_day": "afternoon",
    }


def test_reschedule_to_a_full_slot_changes_nothing(
    sessions: sessionmaker[Session], gazetteer: Gazetteer
) -> None:
    booking = book(sessions, gazetteer)
    set_capacity(sessions, MONDAY, HalfDay.AFTERNOON, 1)
    book(sessions, gazetteer, sender_id="web-2", half_day=HalfDay.AFTERNOON)
    with pytest.raises(SlotFull), transaction(sessions) as session:
        stored = session.get(Booking, booking.id)
        assert stored is not None
        ledger.reschedule(session, stored, MONDAY, HalfDay.AFTERNOON, TODAY, RULES, "user:web:web-1")
    with transaction(sessions) as session:
        stored = session.get(Booking, booking.id)
        assert stored is not None and stored.slot_id == booking.slot_id and stored.slot.booked == 1


def test_only_the_owner_finds_a_booking(sessions: sessionmaker[Session], gazetteer: Gazetteer) -> None:
    booking = book(sessions, gazetteer)
    reference = booking.reference or ""
    with transaction(sessions) as session:
        assert ledger.owned_booking(session, reference, channel="web", sender_id="web-1").id == booking.id
        assert ledger.owned_booking(session, f" {reference} ", phone="13912345678").id == booking.id
        for kwargs in (
            {"channel": "web", "sender_id": "web-2"},
            {"channel": "telegram", "sender_id": "web-1"},
            {"phone": "13900000000"},
            {},
        ):
            with pytest.raises(NotYours):
                ledger.owned_booking(session, reference, **kwargs)  # type: ignore[arg-type]
        with pytest.raises(NotYours):
            ledger.owned_booking(session, "20990101-9999", channel="web", sender_id="web-1")


def test_a_users_bookings_are_listed_soonest_first(
    sessions: sessionmaker[Session], gazetteer: Gazetteer
) -> None:
    later = book(sessions, gazetteer, day=MONDAY + timedelta(days=2))
    sooner = book(sessions, gazetteer, half_day=HalfDay.AFTERNOON)
    first = book(sessions, gazetteer)
    book(sessions, gazetteer, sender_id="someone-else")
    with transaction(sessions) as session:
        mine = ledger.bookings_of(session, "web", "web-1")
        assert [b.id for b in mine] == [first.id, sooner.id, later.id]
        assert ledger.bookings_of(session, "web", "web-1", today=MONDAY + timedelta(days=1)) == [
            session.get(Booking, later.id)
        ]


def test_staff_list_filters_by_day_area_and_status(
    sessions: sessionmaker[Session], gazetteer: Gazetteer
) -> None:
    a = book(sessions, gazetteer)
    b = book(sessions, gazetteer, region="利通区", address="胜利镇幸福村3组")
    c = book(sessions, gazetteer, day=MONDAY + timedelta(days=1))
    with transaction(sessions) as session:
        stored = session.get(Booking, b.id)
        assert stored is not None
        ledger.change_status(session, stored, BookingStatus.CONFIRMED, "staff")
    with transaction(sessions) as session:
        assert [x.id for x in ledger.list_bookings(session)] == [a.id, b.id, c.id]
        assert [x.id for x in ledger.list_bookings(session, day=MONDAY)] == [a.id, b.id]
        assert [x.id for x in ledger.list_bookings(session, region="利通区")] == [b.id]
        assert [x.id for x in ledger.list_bookings(session, status=BookingStatus.PENDING)] == [a.id, c.id]


def test_a_reminder_is_claimed_once(sessions: sessionmaker[Session], gazetteer: Gazetteer) -> None:
    pending = book(sessions, gazetteer)
    confirmed = book(sessions, gazetteer, sender_id="web-2")
    with transaction(sessions) as session:
        stored = session.get(Booking, confirmed.id)
        assert stored is not None
        ledger.change_status(session, stored, BookingStatus.CONFIRMED, "staff")
    with transaction(sessions) as session:
        due = ledger.due_reminders(session, MONDAY)
        assert [b.id for b in due] == [confirmed.id]
        assert pending.id not in [b.id for b in due]
        assert ledger.claim_reminder(session, confirmed.id) is True
        assert ledger.claim_reminder(session, confirmed.id) is False
    with transaction(sessions) as session:
        assert ledger.due_reminders(session, MONDAY) == []

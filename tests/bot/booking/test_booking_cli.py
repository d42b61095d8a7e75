"""`eldercare bookings …` and `eldercare db upgrade`, run in-process on a SQLite file."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.core.booking import ledger
from bot.core.booking.ledger import NewBooking, Rules
from bot.core.booking.schedule import load_schedule
from bot.core.store import HalfDay, VisitService, create_schema, make_engine, session_factory, transaction
from bot.core.store.migrate import head_revision
from knowledge.base import KnowledgeBase
from tests.utils.visits import first_visit_day

TIMEZONE = "Asia/Shanghai"


@pytest.fixture
def database_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI at a new SQLite file with the default booking settings; return its URL."""
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("ELDERCARE_DATABASE_URL", url)
    for name in ("DATABASE_URL", "ELDERCARE_SCHEDULE_PATH", "ELDERCARE_TIMEZONE", "ELDERCARE_TODAY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("ELDERCARE_BOOKING_HORIZON_DAYS", "ELDERCARE_BOOKING_MIN_NOTICE_DAYS"):
        monkeypatch.delenv(name, raising=False)
    return url


@pytest.fixture
def visit_day(today: date) -> date:
    """The first working day (Monday to Friday, not closed) at least two days from today."""
    return first_visit_day(today + timedelta(days=2))


@pytest.fixture
def synced(
    database_file: str, today: date, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """A database whose slots were created with `eldercare bookings slots sync` on `today`; its URL."""
    monkeypatch.setenv("ELDERCARE_TODAY", today.isoformat())
    assert main(["bookings", "slots", "sync"]) == 0
    capsys.readouterr()
    return database_file


def book(url: str, kb: KnowledgeBase, day: date, today: date) -> str:
    """Book a 金台区 bath visit for the morning of a day, as a web user would; return its reference."""
    engine = make_engine(url)
    try:
        create_schema(engine)
        request = NewBooking(
            sender_id="web-1",
            channel="web",
            contact_name="王秀兰",
            phone="13912345678",
            address="金台区东风路12号3单元502",
            region="金台区",
            service=VisitService.BATH,
            day=day,
            half_day=HalfDay.MORNING,
        )
        with transaction(session_factory(engine)) as session:
            booking = ledger.book(session, kb.gazetteer, request, today, Rules(), "user:web:web-1")
            assert booking.reference is not None
            return booking.reference
    finally:
        engine.dispose()


@pytest.fixture
def reference(synced: str, kb: KnowledgeBase, visit_day: date, today: date) -> str:
    """The reference of one pending booking on the synced database."""
    return book(synced, kb, visit_day, today)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the eldercare command line; return its exit code, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def slot_lines(capsys: pytest.CaptureFixture[str], *options: str) -> list[list[str]]:
    """The words of each line `eldercare bookings slots list` prints."""
    code, out, err = run(capsys, "bookings", "slots", "list", *options)
    assert (code, err) == (0, "")
    return [line.split() for line in out.splitlines()]


def test_db_upgrade_prints_the_revision_change(
    database_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    head = head_revision()
    assert run(capsys, "db", "upgrade") == (0, f"数据库结构 / schema: (empty) -> {head}\n", "")
    assert run(capsys, "db", "upgrade") == (0, f"数据库结构 / schema: {head} -> {head}\n", "")


def test_slots_sync_creates_the_schedules_slots_once(
    database_file: str, capsys: pytest.CaptureFixture[str], today: date, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELDERCARE_TODAY", today.isoformat())
    expected = len(list(load_schedule().slots(today, 61)))
    assert expected > 0
    assert run(capsys, "bookings", "slots", "sync") == (
        0,
        f"新增服务地区 7 个、时段 {expected} 个\n7 areas, {expected} slots added\n",
        "",
    )
    assert run(capsys, "bookings", "slots", "sync") == (
        0,
        "新增服务地区 0 个、时段 0 个\n0 areas, 0 slots added\n",
        "",
    )


def test_slots_list_shows_a_weeks_free_bath_visits(
    synced: str, capsys: pytest.CaptureFixture[str], today: date
) -> None:
    closed = set(load_schedule().closed_days)
    days = [today + timedelta(days=n) for n in range(7)]
    working = [d for d in days if d.isoweekday() <= 5 and d not in closed]
    lines = slot_lines(capsys, "--area", "金台区", "--service", "bath", "--days", "7")
    assert lines == [
        [d.isoformat(), half, "金台区", "上门助浴", "0/3"] for d in working for half in ("上午", "下午")
    ]


def test_slots_list_without_slots_says_how_to_make_them(
    database_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "bookings", "slots", "list") == (
        0,
        "没有时段 / no slots (run: eldercare bookings slots sync)\n",
        "",
    )


def test_slots_set_changes_one_slots_capacity(
    synced: str, capsys: pytest.CaptureFixture[str], visit_day: date
) -> None:
    day = visit_day.isoformat()
    setting = ["bookings", "slots", "set", "--area", "金台区", "--service", "上门助浴", "--date", day]
    assert run(capsys, *setting, "--half-day", "上午", "--capacity", "5") == (
        0,
        f"金台区 上门助浴 {day} 上午: 0/5\n",
        "",
    )
    lines = slot_lines(capsys, "--area", "金台区", "--service", "bath", "--date", day)
    assert lines == [[day, "上午", "金台区", "上门助浴", "0/5"], [day, "下午", "金台区", "上门助浴", "0/3"]]


def test_slots_set_on_a_day_without_slots_creates_one(
    synced: str, capsys: pytest.CaptureFixture[str], visit_day: date
) -> None:
    sunday = visit_day + timedelta(days=7 - visit_day.isoweekday())
    day = sunday.isoformat()
    assert run(capsys, "bookings", "slots", "list", "--area", "金台区", "--date", day) == (
        0,
        "没有时段 / no slots (run: eldercare bookings slots sync)\n",
        "",
    )
    setting = ["bookings", "slots", "set", "--area", "金台区", "--service", "meal", "--date", day]
    assert run(capsys, *setting, "--half-day", "afternoon", "--capacity", "2") == (
        0,
        f"金台区 助餐送餐 {day} 下午: 0/2\n",
        "",
    )
    assert slot_lines(capsys, "--area", "金台区", "--date", day) == [
        [day, "下午", "金台区", "助餐送餐", "0/2"]
    ]


def test_slots_set_refuses_a_capacity_below_the_visits_booked(
    reference: str, capsys: pytest.CaptureFixture[str], visit_day: date
) -> None:
    day = visit_day.isoformat()
    setting = ["bookings", "slots", "set", "--area", "金台区", "--service", "bath", "--date", day]
    assert run(capsys, *setting, "--half-day", "morning", "--capacity", "0") == (
        2,
        "",
        "已经有 1 个预约，容量不能小于 1 / 1 visits are booked; capacity cannot go below that\n",
    )
    lines = slot_lines(capsys, "--area", "金台区", "--service", "bath", "--date", day)
    assert lines[0] == [day, "上午", "金台区", "上门助浴", "1/3"]
    assert run(capsys, *setting, "--half-day", "morning", "--capacity", "1") == (
        0,
        f"金台区 上门助浴 {day} 上午: 1/1\n",
        "",
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("--capacity", "-1"), "容量不能是负数 / capacity cannot be negative\n"),
        (("--area", "火星区"), "没有这个服务地区 / no service area '火星区'\n"),
        (
            ("--half-day", "evening"),
            "半天只能是 上午/下午 / half-day must be morning or afternoon: 'evening'\n",
        ),
        (("--date", "someday"), "看不懂的日期 / not a date: 'someday' (e.g. 2026-12-01, 明天)\n"),
        (
            ("--service", "haircut"),
            "没有这项服务 / unknown service 'haircut'; one of: bath (上门助浴), cleaning (助洁), "
            "meal (助餐送餐), visiting (探访巡访), rehab (康复护理), escort (助医陪诊)\n",
        ),
    ],
)
def test_slots_set_refuses_bad_values_with_exit_code_2(
    synced: str, capsys: pytest.CaptureFixture[str], visit_day: date, change: tuple[str, str], message: str
) -> None:
    options = {
        "--area": "金台区",
        "--service": "bath",
        "--date": visit_day.isoformat(),
        "--half-day": "上午",
        "--capacity": "2",
    }
    options[change[0]] = change[1]
    argv = [word for pair in options.items() for word in pair]
    assert run(capsys, "bookings", "slots", "set", *argv) == (2, "", message)


def test_bookings_list_prints_one_line_per_booking_with_the_phone_masked(
    reference: str, capsys: pytest.CaptureFixture[str], visit_day: date
) -> None:
    code, out, err = run(capsys, "bookings", "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].split() == [
        reference,
        visit_day.isoformat(),
        "上午",
        "上门助浴",
        "pending",
        "金台区",
        "金台区东风路12号3单元502",
        "王秀兰",
        "139****5678",
    ]
    assert "13912345678" not in out
    assert lines[1] == "共 1 条 / 1 booking(s)"


def test_bookings_list_json_masks_the_phone_unless_asked(
    reference: str, capsys: pytest.CaptureFixture[str], visit_day: date, today: date
) -> None:
    code, out, err = run(capsys, "bookings", "list", "--json")
    assert (code, err) == (0, "")
    [row] = json.loads(out)
    created_at = datetime.fromisoformat(row.pop("created_at"))
    assert abs(created_at - datetime.now(timezone.utc)) < timedelta(minutes=10)  # when it was made
    assert row == {
        "reference": reference,
        "status": "pending",
        "service": "bath",
        "service_label": "上门助浴",
        "day": visit_day.isoformat(),
        "half_day": "morning",
        "region": "金台区",
        "address": "金台区东风路12号3单元502",
        "contact_name": "王秀兰",
        "phone": "139****5678",
        "channel": "web",
        "notes": None,
    }
    code, out, _ = run(capsys, "bookings", "list", "--json", "--full-phone")
    assert code == 0
    assert [r["phone"] for r in json.loads(out)] == ["13912345678"]


@pytest.mark.parametrize(
    ("options", "count"),
    [
        (("--status", "pending"), 1),
        (("--status", "confirmed"), 0),
        (("--area", "金台区"), 1),
        (("--area", "利通区"), 0),
        (("--date", "VISIT_DAY"), 1),
        (("--date", "NEXT_DAY"), 0),
    ],
)
def test_bookings_list_filters(
    reference: str,
    capsys: pytest.CaptureFixture[str],
    visit_day: date,
    options: tuple[str, str],
    count: int,
) -> None:
    days = {"VISIT_DAY": visit_day.isoformat(), "NEXT_DAY": (visit_day + timedelta(days=1)).isoformat()}
    value = days.get(options[1], options[1])
    code, out, _ = run(capsys, "bookings", "list", options[0], value, "--json")
    assert code == 0
    assert [r["reference"] for r in json.loads(out)] == [reference] * count


def test_bookings_list_says_when_nothing_matches(synced: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "bookings", "list") == (0, "没有符合条件的预约 / no bookings match\n", "")


def test_bookings_list_refuses_an_unknown_status_naming_the_allowed_ones(
    synced: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "bookings", "list", "--status", "bogus") == (
        2,
        "",
        "没有这个状态 / unknown status 'bogus'; one of: pending, confirmed, cancelled, completed, no_show\n",
    )


@pytest.mark.parametrize(
    "argv",
    [("bookings", "list", "--date", "someday"), ("bookings", "slots", "list", "--date", "someday")],
    ids=["bookings", "slots"],
)
def test_a_bad_date_exits_2(synced: str, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...]) -> None:
    assert run(capsys, *argv) == (2, "", "看不懂的日期 / not a date: 'someday' (e.g. 2026-12-01, 明天)\n")


def test_show_prints_the_booking_and_its_history(
    reference: str, capsys: pytest.CaptureFixture[str], visit_day: date
) -> None:
    code, out, err = run(capsys, "bookings", "show", reference)
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["reference"], data["day"], data["phone"]) == (
        reference,
        visit_day.isoformat(),
        "139****5678",
    )
    [created] = data["history"]
    assert (created["actor"], created["action"]) == ("user:web:web-1", "created")
    assert created["detail"]["day"] == visit_day.isoformat()
    assert created["detail"]["half_day"] == "morning"
    code, out, _ = run(capsys, "bookings", "show", reference, "--full-phone")
    assert (code, json.loads(out)["phone"]) == (0, "13912345678")


def test_confirm_then_complete_records_who_did_it(reference: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "bookings", "confirm", reference, "--by", "李四") == (
        0,
        f"{reference}: confirmed (已确认)\n",
        "",
    )
    assert run(capsys, "bookings", "complete", reference) == (0, f"{reference}: completed (已完成)\n", "")
    code, out, _ = run(capsys, "bookings", "show", reference)
    data = json.loads(out)
    assert (code, data["status"]) == (0, "completed")
    assert [(e["actor"], e["action"], (e["detail"] or {}).get("previous")) for e in data["history"]] == [
        ("user:web:web-1", "created", None),
        ("staff:李四", "confirmed", "pending"),
        ("staff", "completed", "confirmed"),
    ]


def test_cancelling_frees_the_visit(
    reference: str, capsys: pytest.CaptureFixture[str], visit_day: date
) -> None:
    assert run(capsys, "bookings", "cancel", reference, "--by", "王五") == (
        0,
        f"{reference}: cancelled (已取消)\n",
        "",
    )
    lines = slot_lines(capsys, "--area", "金台区", "--service", "bath", "--date", visit_day.isoformat())
    assert lines[0][-1] == "0/3"


def test_completing_a_pending_booking_exits_1_with_the_reason(
    reference: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "bookings", "complete", reference) == (
        1,
        "",
        "这个预约等待确认，不能再标记完成了。 / a pending booking cannot be completed\n",
    )
    code, out, _ = run(capsys, "bookings", "show", reference)
    assert (code, json.loads(out)["status"]) == (0, "pending")


@pytest.mark.parametrize("action", ["show", "confirm", "no-show"])
def test_an_unknown_reference_exits_2(synced: str, capsys: pytest.CaptureFixture[str], action: str) -> None:
    assert run(capsys, "bookings", action, "20990101-9999") == (
        2,
        "",
        "没有这个预约编号 / no booking 20990101-9999\n",
    )

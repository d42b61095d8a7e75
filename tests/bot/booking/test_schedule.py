"""The home-visit schedule file: the shipped one, the capacity rules, and files that must be refused."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.core.booking.errors import ScheduleError
from bot.core.booking.schedule import AreaSchedule, Schedule, default_schedule_path, load_schedule
from bot.core.store.models import HalfDay, VisitService
from knowledge.base import KnowledgeBase

MONDAY = date(2026, 11, 30)
SATURDAY = date(2026, 11, 28)
SUNDAY = date(2026, 11, 29)
NEW_YEAR = date(2027, 1, 1)  # a Friday, and a closed day
AM, PM = HalfDay.MORNING, HalfDay.AFTERNOON
SHIPPED_AREAS = ["金台区", "渭滨区", "陈仓区", "利通区", "椒江区", "黄岩区", "路桥区"]


@pytest.fixture
def regions(kb: KnowledgeBase) -> set[str]:
    """Every region name of the shipped gazetteer."""
    return set(kb.gazetteer.names)


@pytest.fixture
def schedule(regions: set[str]) -> Schedule:
    """The shipped schedule, checked against the gazetteer."""
    return load_schedule(regions=regions)


def area(schedule: Schedule, region: str) -> AreaSchedule:
    """The schedule's entry for a region."""
    return next(a for a in schedule.areas if a.region == region)


def minimal() -> dict[str, Any]:
    """A small valid schedule, as the data of a YAML file."""
    return {
        "services": {s.value: 60 for s in VisitService},
        "default_capacity": {s.value: {"morning": 2, "afternoon": 1} for s in VisitService},
        "areas": [{"region": "金台区"}, {"region": "渭滨区"}],
    }


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    """Write schedule data as a YAML file and return its path."""
    path = tmp_path / "schedule.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_schedule_loads_and_every_area_is_a_gazetteer_region(
    schedule: Schedule, regions: set[str]
) -> None:
    assert default_schedule_path().name == "schedule.yaml"
    assert [a.region for a in schedule.areas] == SHIPPED_AREAS
    assert {a.region for a in schedule.areas} <= regions
    assert schedule.horizon_days == 60
    assert schedule.closed_days == [NEW_YEAR]
    assert schedule.services == {
        VisitService.BATH: 90,
        VisitService.CLEANING: 120,
        VisitService.MEAL: 30,
        VisitService.VISITING: 60,
        VisitService.REHAB: 60,
        VisitService.ESCORT: 180,
    }


@pytest.mark.parametrize(
    ("region", "service", "day", "half", "capacity"),
    [
        ("金台区", VisitService.BATH, MONDAY, AM, 3),
        ("金台区", VisitService.BATH, MONDAY, PM, 3),
        ("金台区", VisitService.ESCORT, MONDAY, AM, 2),
        ("金台区", VisitService.ESCORT, MONDAY, PM, 1),
        ("金台区", VisitService.MEAL, MONDAY, PM, 10),
        ("金台区", VisitService.BATH, SATURDAY, AM, 0),
        ("金台区", VisitService.BATH, SUNDAY, AM, 0),
        ("金台区", VisitService.BATH, date(2026, 12, 31), AM, 3),  # the Thursday before New Year
        ("金台区", VisitService.BATH, NEW_YEAR, AM, 0),
        ("金台区", VisitService.MEAL, NEW_YEAR, PM, 0),
        ("利通区", VisitService.BATH, SATURDAY, AM, 3),  # 利通区 works on Saturdays
        ("利通区", VisitService.REHAB, SATURDAY, PM, 2),
        ("利通区", VisitService.BATH, SUNDAY, AM, 0),
        ("利通区", VisitService.BATH, NEW_YEAR, AM, 0),
        ("黄岩区", VisitService.BATH, MONDAY, AM, 2),  # its own bath capacity
        ("黄岩区", VisitService.BATH, MONDAY, PM, 2),
        ("黄岩区", VisitService.CLEANING, MONDAY, AM, 4),  # other services keep the default
        ("路桥区", VisitService.BATH, MONDAY, AM, 0),  # no bath in 路桥区
        ("路桥区", VisitService.REHAB, MONDAY, AM, 0),
        ("路桥区", VisitService.MEAL, MONDAY, AM, 10),
        ("路桥区", VisitService.ESCORT, MONDAY, PM, 1),
        ("陈仓区", VisitService.ESCORT, MONDAY, AM, 0),
        ("陈仓区", VisitService.VISITING, MONDAY, AM, 6),
    ],
)
def test_capacity_follows_weekdays_closed_days_and_area_rules(
    schedule: Schedule, region: str, service: VisitService, day: date, half: HalfDay, capacity: int
) -> None:
    assert schedule.capacity(area(schedule, region), service, day, half) == capacity


def test_slots_yield_nothing_on_a_sunday_or_a_closed_day(schedule: Schedule) -> None:
    assert list(schedule.slots(SUNDAY, 1)) == []
    assert list(schedule.slots(NEW_YEAR, 1)) == []


def test_slots_on_a_saturday_are_only_those_of_litong(schedule: Schedule) -> None:
    slots = list(schedule.slots(SATURDAY, 1))
    assert {region for region, *_ in slots} == {"利通区"}
    assert len(slots) == 12  # six services, two half-days


def test_slots_of_a_monday_cover_every_offered_service_with_its_capacity(schedule: Schedule) -> None:
    slots = list(schedule.slots(MONDAY, 1))
    per_area = {r: sum(1 for region, *_ in slots if region == r) for r in SHIPPED_AREAS}
    assert per_area == {
        "金台区": 12,
        "渭滨区": 12,
        "陈仓区": 8,
        "利通区": 12,
        "椒江区": 12,
        "黄岩区": 12,
        "路桥区": 6,
    }
    assert ("黄岩区", VisitService.BATH, MONDAY, AM, 2) in slots
    assert ("金台区", VisitService.ESCORT, MONDAY, PM, 1) in slots
    assert all(capacity > 0 for *_, capacity in slots)
    assert len(list(schedule.slots(MONDAY, 7))) == 5 * 74 + 12  # five working days and 利通区's Saturday


def test_a_capacity_of_zero_makes_no_slot(tmp_path: Path) -> None:
    data = minimal()
    data["areas"] = [{"region": "金台区", "capacity": {"bath": {"morning": 0, "afternoon": 2}}}]
    schedule = load_schedule(write(tmp_path, data))
    bath = [(day, half, n) for _, service, day, half, n in schedule.slots(MONDAY, 1) if service == "bath"]
    assert bath == [(MONDAY, PM, 2)]


def test_a_minimal_file_gets_the_defaults(tmp_path: Path) -> None:
    schedule = load_schedule(write(tmp_path, minimal()), regions={"金台区", "渭滨区"})
    assert schedule.horizon_days == 60
    assert schedule.default_weekdays == [1, 2, 3, 4, 5]
    assert schedule.closed_days == []


def test_without_regions_the_areas_are_not_checked(tmp_path: Path) -> None:
    data = minimal()
    data["areas"] = [{"region": "火星区"}]
    assert [a.region for a in load_schedule(write(tmp_path, data)).areas] == ["火星区"]


def test_an_area_outside_the_gazetteer_is_refused_by_name(tmp_path: Path, regions: set[str]) -> None:
    data = minimal()
    data["areas"].append({"region": "火星区"})
    with pytest.raises(ScheduleError) as caught:
        load_schedule(write(tmp_path, data), regions=regions)
    assert str(caught.value) == "排班文件里有地名表没有的地区 / regions not in the gazetteer: 火星区"


def _broken(data: dict[str, Any], change: str) -> None:
    """Break valid schedule data in one named way."""
    if change == "no rehab duration":
        del data["services"]["rehab"]
    elif change == "no escort capacity":
        del data["default_capacity"]["escort"]
    elif change == "weekday 8":
        data["areas"][0]["weekdays"] = [1, 8]
    elif change == "weekday 0":
        data["default_weekdays"] = [0, 1]
    elif change == "duplicate area":
        data["areas"].append({"region": "金台区"})
    elif change == "negative default":
        data["default_capacity"]["bath"]["morning"] = -1
    elif change == "negative area capacity":
        data["areas"][1]["capacity"] = {"meal": {"afternoon": -3}}
    elif change == "unknown key":
        data["holidays"] = ["2027-01-01"]
    elif change == "unknown area key":
        data["areas"][0]["workdays"] = [6]
    elif change == "unknown service":
        data["services"]["haircut"] = 30
    elif change == "no areas":
        data["areas"] = []
    elif change == "horizon too long":
        data["horizon_days"] = 400
    else:  # pragma: no cover - a typo in the parameters
        raise ValueError(change)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("no rehab duration", "services without duration or default capacity: rehab"),
        ("no escort capacity", "services without duration or default capacity: escort"),
        ("weekday 8", "weekdays are numbers 1 (Monday) to 7 (Sunday)"),
        ("weekday 0", "weekdays are numbers 1 (Monday) to 7 (Sunday)"),
        ("duplicate area", "an area is listed twice"),
        ("negative default", "capacities cannot be negative"),
        ("negative area capacity", "capacities cannot be negative"),
        ("unknown key", "holidays\n  Extra inputs are not permitted"),
        ("unknown area key", "areas.0.workdays\n  Extra inputs are not permitted"),
        ("unknown service", "services.haircut.[key]"),
        ("no areas", "areas\n  List should have at least 1 item"),
        ("horizon too long", "horizon_days\n  Input should be less than or equal to 366"),
    ],
)
def test_an_invalid_schedule_is_refused_saying_why(tmp_path: Path, change: str, reason: str) -> None:
    data = minimal()
    _broken(data, change)
    path = write(tmp_path, data)
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path, regions={"金台区", "渭滨区"})
    message = str(caught.value)
    assert message.startswith(f"排班文件有误 / invalid schedule {path}: ")
    assert reason in message


def test_invalid_yaml_is_refused_with_the_file_and_the_line(tmp_path: Path) -> None:
    path = tmp_path / "schedule.yaml"
    path.write_text("areas: [\n  - region: 金台区\n", encoding="utf-8")
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path)
    message = str(caught.value)
    assert message.startswith(f"排班文件有误 / invalid schedule {path}: ")
    assert "line 2, column 3" in message


def test_an_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "schedule.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(ScheduleError, match="Input should be a valid dictionary"):
        load_schedule(path)


def test_a_missing_file_is_refused_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(ScheduleError) as caught:
        load_schedule(path)
    message = str(caught.value)
    assert message.startswith(f"读不到排班文件 / cannot read the schedule {path}: ")
    assert "No such file or directory" in message


def test_a_negative_duration_is_refused(tmp_path: Path) -> None:
    data = minimal()
    data["services"]["bath"] = -90
    with pytest.raises(ScheduleError):
        load_schedule(write(tmp_path, data))


def test_a_file_that_is_not_utf8_is_refused_as_a_schedule_error(tmp_path: Path) -> None:
    path = tmp_path / "schedule.yaml"
    path.write_bytes(default_schedule_path().read_text(encoding="utf-8").encode("gbk"))
    with pytest.raises(ScheduleError, match="排班文件"):
        load_schedule(path)

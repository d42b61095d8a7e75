"""The home-visit schedule file: served areas, bookable services and capacities per half-day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot.core.booking.errors import ScheduleError
from bot.core.store.models import HalfDay, VisitService
from knowledge.yamlio import load_yaml

Capacity = dict[VisitService, dict[HalfDay, int]]


class AreaSchedule(BaseModel):
    """One served area: its region and what differs from the defaults."""

    model_config = ConfigDict(extra="forbid")
    region: str = Field(min_length=1)
    services: list[VisitService] | None = None
    weekdays: list[int] | None = None
    capacity: Capacity = Field(default_factory=dict)


class Schedule(BaseModel):
    """The whole schedule file."""

    model_config = ConfigDict(extra="forbid")
    horizon_days: int = Field(60, ge=1, le=366)
    services: dict[VisitService, int]
    default_capacity: Capacity
    default_weekdays: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5])
    closed_days: list[date] = Field(default_factory=list)
    areas: list[AreaSchedule] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Schedule:
        """Every service has a duration and a default capacity; weekdays are 1-7; regions are unique."""
        missing = [s.value for s in VisitService if s not in self.services or s not in self.default_capacity]
        if missing:
            raise ValueError(f"services without duration or default capacity: {', '.join(missing)}")
        for days in [self.default_weekdays, *(a.weekdays or [] for a in self.areas)]:
            if any(d < 1 or d > 7 for d in days):
                raise ValueError("weekdays are numbers 1 (Monday) to 7 (Sunday)")
        if any(minutes < 1 for minutes in self.services.values()):
            raise ValueError("visit lengths are whole minutes above 0")
        regions = [a.region for a in self.areas]
        if len(set(regions)) != len(regions):
            raise ValueError("an area is listed twice")
        for caps in [self.default_capacity, *(a.capacity for a in self.areas)]:
            if any(n < 0 for halves in caps.values() for n in halves.values()):
                raise ValueError("capacities cannot be negative")
        return self

    def capacity(self, area: AreaSchedule, service: VisitService, day: date, half: HalfDay) -> int:
        """How many visits of a service the area can make in that half-day (0 when none)."""
        if day in self.closed_days or day.isoweekday() not in (area.weekdays or self.default_weekdays):
            return 0
        if area.services is not None and service not in area.services:
            return 0
        halves = {**self.default_capacity.get(service, {}), **area.capacity.get(service, {})}
        return halves.get(half, 0)

    def slots(self, start: date, days: int) -> Iterator[tuple[str, VisitService, date, HalfDay, int]]:
        """(region, service, day, half-day, capacity) of every half-day with a capacity above 0."""
        for offset in range(days):
            day = start + timedelta(days=offset)
            for area in self.areas:
                for service in VisitService:
                    for half in HalfDay:
                        capacity = self.capacity(area, service, day, half)
                        if capacity > 0:
                            yield area.region, service, day, half, capacity


def default_schedule_path() -> Path:
    """The schedule file shipped with the package."""
    return Path(str(resources.files("bot.core.booking") / "schedule.yaml"))


def load_schedule(path: Path | None = None, regions: set[str] | None = None) -> Schedule:
    """Read and check a schedule file; with `regions`, every area must be one of them."""
    path = path or default_schedule_path()
    try:
        raw = load_yaml(path.read_text(encoding="utf-8"))
        schedule = Schedule.model_validate(raw)
    except OSError as exc:
        raise ScheduleError(f"读不到排班文件 / cannot read the schedule {path}: {exc}") from exc
    except (UnicodeDecodeError, yaml.YAMLError, ValidationError) as exc:
        raise ScheduleError(f"排班文件有误 / invalid schedule {path}: {exc}") from exc
    if regions is not None:
        unknown = [a.region for a in schedule.areas if a.region not in regions]
        if unknown:
            raise ScheduleError(
                f"排班文件里有地名表没有的地区 / regions not in the gazetteer: {', '.join(unknown)}"
            )
    return schedule

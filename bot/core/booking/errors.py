"""Errors of the booking rules; each carries a Chinese explanation for the user and an English one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core.store.models import BookingStatus, HalfDay


class ScheduleError(Exception):
    """The schedule file cannot be read or is inconsistent."""


class BookingError(Exception):
    """A booking cannot be made or changed as asked; .zh says why, for the user."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh = zh
        self.en = en


@dataclass(frozen=True)
class Opening:
    """A free half-day that can be offered instead."""

    slot_id: int
    day: date
    half_day: HalfDay
    free: int


class NotServed(BookingError):
    """Nobody visits homes in this region (yet); .nearby names areas that are served."""

    def __init__(self, region: str, nearby: list[str]) -> None:
        names = "、".join(nearby)
        zh = f"{region}暂时还没有可以预约的上门服务。"
        zh += f"目前能预约的地方有：{names}。" if nearby else ""
        super().__init__(zh, f"no home-visit service in {region}")
        self.region = region
        self.nearby = nearby


class AreaTooBroad(BookingError):
    """The region is a city or province with several served areas; .options are those areas."""

    def __init__(self, region: str, options: list[str]) -> None:
        super().__init__(f"请问您在{region}哪个区县？", f"{region} has several service areas")
        self.region = region
        self.options = options


class ServiceNotOffered(BookingError):
    """The area does not offer this service."""

    def __init__(self, region: str, service_label: str, offered: list[str]) -> None:
        zh = f"{region}暂时不能预约{service_label}。这里可以预约：{'、'.join(offered)}。"
        super().__init__(zh, f"{service_label} is not offered in {region}")
        self.offered = offered


class DayNotBookable(BookingError):
    """The day is in the past, too far ahead, or has no visits; .openings are the nearest free ones."""

    def __init__(self, zh: str, en: str, openings: list[Opening]) -> None:
        super().__init__(zh, en)
        self.openings = openings


class SlotFull(BookingError):
    """Every visit of that half-day is taken; .openings are the nearest free ones."""

    def __init__(self, openings: list[Opening]) -> None:
        super().__init__("这个时间已经约满了。", "the slot is full")
        self.openings = openings


class NotYours(BookingError):
    """No booking with that reference belongs to this user (or matches the phone given)."""

    def __init__(self) -> None:
        super().__init__(
            "没有找到您的这个预约，请核对一下预约编号。", "no booking of this user has that reference"
        )


class InvalidTransition(BookingError):
    """The booking's status does not allow the change asked for."""

    def __init__(self, status: BookingStatus, action_zh: str, action_en: str) -> None:
        super().__init__(
            f"这个预约{status.label}，不能再{action_zh}了。",
            f"a {status.value} booking cannot be {action_en}",
        )
        self.status = status


class UnknownArea(BookingError):
    """No service area has that name."""

    def __init__(self, region: str) -> None:
        super().__init__("没有这个服务地区", f"no service area {region!r}")
        self.region = region


class CapacityBelowBooked(BookingError):
    """A slot's capacity cannot go below the visits already booked."""

    def __init__(self, booked: int) -> None:
        super().__init__(
            f"已经有 {booked} 个预约，容量不能小于 {booked}",
            f"{booked} visits are booked; capacity cannot go below that",
        )
        self.booked = booked

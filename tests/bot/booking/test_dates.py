"""Parsing the dates and half-days elderly users write when booking a home visit."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from bot.core.booking.dates import HalfDay, When, format_day, parse_day, parse_when

TODAY = date(2026, 11, 24)  # a Tuesday
AM = HalfDay.MORNING
PM = HalfDay.AFTERNOON


def on(month: int, day: int, half_day: HalfDay | None = None, year: int = 2026) -> When:
    """A When on a day of 2026 unless another year is given."""
    return When(day=date(year, month, day), half_day=half_day)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # relative days
        ("今天", on(11, 24)),
        ("今日", on(11, 24)),
        ("今儿下午", on(11, 24, PM)),
        ("明天", on(11, 25)),
        ("明日上午", on(11, 25, AM)),
        ("明儿", on(11, 25)),
        ("后天", on(11, 26)),
        ("大后天", on(11, 27)),
        ("後天早上", on(11, 26, AM)),
        ("明天一早", on(11, 25, AM)),
        ("明早", on(11, 25, AM)),
        ("明天下半天", on(11, 25, PM)),
        ("3天后", on(11, 27)),
        ("三天以后", on(11, 27)),
        ("两天后", on(11, 26)),
        ("十天之后", on(12, 4)),
        # weekdays: bare = next on or after today, 这/本 = this week, 下 = next week
        ("周二", on(11, 24)),
        ("周一", on(11, 30)),
        ("周五下午", on(11, 27, PM)),
        ("星期天", on(11, 29)),
        ("周天", on(11, 29)),
        ("礼拜天", on(11, 29)),
        ("礼拜六上午", on(11, 28, AM)),
        ("週三下午", on(11, 25, PM)),
        ("禮拜五", on(11, 27)),
        ("这周一", on(11, 23)),
        ("本周五", on(11, 27)),
        ("这个星期天", on(11, 29)),
        ("这周日", on(11, 29)),
        ("下周三", on(12, 2)),
        ("下周日", on(12, 6)),
        ("下星期一", on(11, 30)),
        ("下个礼拜三", on(12, 2)),
        ("下個禮拜三上午", on(12, 2, AM)),
        ("下下周一", on(12, 7)),
        ("上周三", on(11, 18)),
        # month and day
        ("12月1号", on(12, 1)),
        ("12月1日下午", on(12, 1, PM)),
        ("12月1號", on(12, 1)),
        ("十二月一号", on(12, 1)),
        ("１２月１号", on(12, 1)),
        ("12 月 1 号上午", on(12, 1, AM)),
        ("2026年12月1日", on(12, 1)),
        ("二〇二六年十二月一日", on(12, 1)),
        ("2026-12-01", on(12, 1)),
        ("2026/12/01", on(12, 1)),
        ("12/1", on(12, 1)),
        ("今年12月1号", on(12, 1)),
        ("明年1月5号", on(1, 5, year=2027)),
        ("11月20号", on(11, 20)),
        ("9月30号", on(9, 30)),
        ("9月25号", on(9, 25)),  # exactly 60 days back: still this year
        ("9月24号", on(9, 24, year=2027)),  # 61 days back: next year
        ("9月20号", on(9, 20, year=2027)),
        ("1月5号", on(1, 5, year=2027)),
        # day of the month only
        ("1号上午", on(12, 1, AM)),
        ("30号", on(11, 30)),
        ("24号", on(11, 24)),
        ("15日", on(12, 15)),
        ("十五号", on(12, 15)),
        ("二十号", on(12, 20)),
        ("廿五号", on(11, 25)),
        ("下个月3号", on(12, 3)),
        ("本月30号", on(11, 30)),
        # dates that do not exist: no day, the half-day kept
        ("31号上午", When(day=None, half_day=AM)),
        ("2月30号下午", When(day=None, half_day=PM)),
        ("13月1号早上", When(day=None, half_day=AM)),
        # half-day only
        ("上午", When(day=None, half_day=AM)),
        ("下午", When(day=None, half_day=PM)),
        ("早上", When(day=None, half_day=AM)),
        ("午后", When(day=None, half_day=PM)),
        # long sentences
        ("我想下周三上午请人来给我妈洗澡", on(12, 2, AM)),
        ("能不能后天下午派个护工来家里看看我老伴", on(11, 26, PM)),
        ("问一下周三有空吗", on(11, 25)),
        ("下周三，就是12月2号，上午来", on(12, 2, AM)),
        ("以后天天都要来吗？明天上午先来一次", on(11, 25, AM)),
        # disagreeing mentions leave that part open
        ("明天不行，后天上午吧", When(day=None, half_day=AM)),
        ("明天上午下午都行", on(11, 25)),
    ],
)
def test_parse_when(text: str, expected: When) -> None:
    assert parse_when(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    [
        "我要洗澡",
        "中午",
        "晚上",
        "傍晚",
        "早上好",
        "下午好",
        "31号",
        "2月30号",
        "2月29号",
        "12.1",
        "过两天",
        "一周一次就够了",
        "我住3号楼",
        "明天不行，后天吧",
        "上午下午都行",
        "",
    ],
)
def test_parse_when_names_nothing(text: str) -> None:
    assert parse_when(text, TODAY) is None


@pytest.mark.parametrize(
    ("today", "text", "expected"),
    [
        (date(2026, 12, 30), "2号", date(2027, 1, 2)),
        (date(2026, 12, 30), "下周一", date(2027, 1, 4)),
        (date(2026, 12, 30), "周五", date(2027, 1, 1)),
        (date(2026, 12, 30), "明天", date(2026, 12, 31)),
        (date(2026, 12, 30), "大后天", date(2027, 1, 2)),
        (date(2026, 12, 30), "3天后", date(2027, 1, 2)),
        (date(2026, 12, 30), "1月5号", date(2027, 1, 5)),
        (date(2026, 12, 30), "12月1号", date(2026, 12, 1)),
        (date(2026, 12, 30), "下个月3号", date(2027, 1, 3)),
        (date(2026, 12, 30), "这周一", date(2026, 12, 28)),
        (date(2027, 12, 20), "2月29号", date(2028, 2, 29)),
        (date(2028, 1, 10), "2月29号", date(2028, 2, 29)),
    ],
)
def test_parse_when_other_days(today: date, text: str, expected: date) -> None:
    assert parse_when(text, today) == When(day=expected, half_day=None)


def test_day_missing_from_next_month() -> None:
    today = date(2027, 1, 31)
    assert parse_when("30号上午", today) == When(day=None, half_day=AM)
    assert parse_when("下个月30号", today) is None
    assert parse_when("31号", today) == When(day=date(2027, 1, 31), half_day=None)


@pytest.mark.parametrize(
    ("day", "today", "expected"),
    [
        (date(2026, 11, 24), TODAY, "今天 11月24日（周二）"),
        (date(2026, 11, 25), TODAY, "明天 11月25日（周三）"),
        (date(2026, 11, 26), TODAY, "后天 11月26日（周四）"),
        (date(2026, 11, 27), TODAY, "11月27日（周五）"),
        (date(2026, 11, 29), TODAY, "11月29日（周日）"),
        (date(2026, 12, 1), TODAY, "12月1日（周二）"),
        (date(2026, 11, 23), TODAY, "11月23日（周一）"),
        (date(2027, 1, 5), TODAY, "2027年1月5日（周二）"),
        (date(2026, 12, 31), date(2026, 12, 30), "明天 12月31日（周四）"),
        (date(2027, 1, 1), date(2026, 12, 30), "后天 2027年1月1日（周五）"),
    ],
)
def test_format_day(day: date, today: date, expected: str) -> None:
    assert format_day(day, today) == expected


def test_half_day_values_and_labels() -> None:
    assert [(h.value, h.label) for h in HalfDay] == [("morning", "上午"), ("afternoon", "下午")]
    assert HalfDay("afternoon") is PM


def test_when_is_frozen() -> None:
    when = on(12, 1, AM)
    with pytest.raises(dataclasses.FrozenInstanceError):
        when.day = None  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        (" 2026-12-01 ", date(2026, 12, 1)),
        ("明天", date(2026, 11, 25)),
        ("12月1日", date(2026, 12, 1)),
        ("上午", None),
        ("someday", None),
        ("2月30号", None),
    ],
)
def test_parse_day_reads_iso_dates_and_spoken_ones(text: str, expected: date | None) -> None:
    assert parse_day(text, date(2026, 11, 24)) == expected

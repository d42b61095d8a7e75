"""Parse the date and half-day an elderly user names for a home visit, relative to a given day.

Decisions on ambiguous input:

- A message may name several dates or half-days; when they all resolve to the same value that value is
  used, when they disagree ("明天不行，后天吧", "上午下午都行") that part is None so the caller asks again.
- A named date that does not exist (2月30号, 31号 in a 30-day month, 13月1号) counts as a mention whose
  date part is None; the half-day is kept. When neither part is left, parse_when returns None.
- "过两天" (vague) and "傍晚/中午/晚上" (not bookable half-days) name nothing. "12.1" is not read as a date;
  "12/1" is, and so are "2026-12-01", "2026/12/01" and "2026.12.01".
- Past dates are returned as they are (这周一, 11月20号) so the caller can say the day has passed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from bot.core.store.models import HalfDay

__all__ = ["HalfDay", "When", "format_day", "parse_day", "parse_when"]


@dataclass(frozen=True)
class When:
    """A day and a half-day, either of which the message may leave open."""

    day: date | None
    half_day: HalfDay | None


# Traditional characters that matter here, mapped to their simplified forms.
_TRADITIONAL = str.maketrans(
    {"後": "后", "週": "周", "禮": "礼", "號": "号", "兩": "两", "這": "这", "兒": "儿", "個": "个"}
)

_CN_DIGITS = {char: value for value, char in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN = "零〇一二两三四五六七八九十廿"
_NUM = rf"(?:\d{{1,2}}|[{_CN}]{{1,3}})"
# A number must not continue an earlier number, nor be followed by more of one.
_NB = rf"(?<![\d{_CN}])"
_NA = rf"(?![\d{_CN}])"

_DATE_RE = re.compile(
    "|".join(
        [
            rf"(?<!\d)(?P<y>\d{{4}}|[〇零一二三四五六七八九]{{4}})年(?P<ym>{_NUM})月(?P<yd>{_NUM}){_NA}[日号]?",
            r"(?<!\d)(?P<iy>\d{4})(?P<sep>[-/.])(?P<im>\d{1,2})(?P=sep)(?P<id>\d{1,2})(?!\d)",
            rf"(?P<yrel>今年|明年)?{_NB}(?P<m>{_NUM})月(?P<d>{_NUM}){_NA}[日号]?",
            rf"(?P<mrel>下个?月|这个?月|本月){_NB}(?P<md>{_NUM})[日号]",
            r"(?<![\d/])(?P<sm>\d{1,2})/(?P<sd>\d{1,2})(?![\d/])",
            rf"{_NB}(?P<n>{_NUM})[天日](?:以后|之后|后)",
            r"(?P<wmod>(?<!一)下下个?|(?<!一)下个?|(?<![早晚马])上上个?|(?<![早晚马])上个?|这个?|本)?(?:周|星期|礼拜)"
            r"(?P<wd>[一二三四五六](?![次回遍趟天个])|[日天](?![次回遍趟]))",
            r"(?P<rel>大后天|(?<![以之])后天|今天|今日|今儿|今早|明天|明日|明儿|明早)",
            rf"(?<![\d{_CN}月第])(?P<dd>{_NUM})(?:号(?![楼线房床室院])|日{_NA})",
        ]
    )
)

_HALF_RE = re.compile(
    r"(?P<am>上午(?!好)|早上(?!好)|早晨(?!好)|清早|大早|一早|上半天|(?<=[今明])早(?![上晨饭餐点]))"
    r"|(?P<pm>下午(?!好)|下半天|午后)"
)

_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEK_OFFSETS = {"": 0, "这": 0, "本": 0, "下": 1, "下下": 2, "上": -1, "上上": -2}
_RELATIVE_DAYS = {"今天": 0, "今日": 0, "今儿": 0, "今早": 0, "明天": 1, "明日": 1, "明儿": 1, "明早": 1}
_RELATIVE_DAYS.update({"后天": 2, "大后天": 3})
_WEEKDAY_LABELS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_NEAR_DAYS = {0: "今天", 1: "明天", 2: "后天"}

# A month-day without a year that lies further back than this is read as next year's.
_PAST_WINDOW = timedelta(days=60)


class _NotADate(Exception):
    """A match whose numbers cannot be read, so it names no date at all."""


def _number(text: str) -> int:
    """The value of Arabic digits or a Chinese numeral below 100 (十一, 二十, 廿一, 两)."""
    if text.isdigit() and text.isascii():
        return int(text)
    if "十" in text or "廿" in text:
        tens_part, _, ones_part = text.replace("廿", "二十").partition("十")
        if len(tens_part) > 1 or len(ones_part) > 1:
            raise _NotADate(text)
        tens = _CN_DIGITS[tens_part] if tens_part else 1
        ones = _CN_DIGITS[ones_part] if ones_part else 0
        if tens == 0:
            raise _NotADate(text)
        return tens * 10 + ones
    if len(text) == 1 and text in _CN_DIGITS:
        return _CN_DIGITS[text]
    raise _NotADate(text)


def _year(text: str) -> int:
    """A four-digit year in Arabic or Chinese digits (二〇二六)."""
    if text.isascii():
        return int(text)
    return int("".join(str(_CN_DIGITS[c]) for c in text))


def _safe_date(year: int, month: int, day: int) -> date | None:
    """The date, or None when it does not exist."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    """The (year, month) a number of months after the given one."""
    index = year * 12 + month - 1 + months
    return index // 12, index % 12 + 1


def _month_day(month: int, day: int, today: date) -> date | None:
    """A month and day without a year: this year's, unless that lies too far back, then next year's."""
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    this_year = _safe_date(today.year, month, day)
    # An impossible this-year date (2月29号 outside leap years) is placed by the 28th of that month.
    anchor = this_year or date(today.year, month, min(day, 28))
    if anchor < today - _PAST_WINDOW:
        return _safe_date(today.year + 1, month, day)
    return this_year


def _resolve(match: re.Match[str], today: date) -> date | None:
    """The date one match names, or None when that date does not exist; raises _NotADate otherwise."""
    groups = match.groupdict()
    if groups["y"] is not None:
        return _safe_date(_year(groups["y"]), _number(groups["ym"]), _number(groups["yd"]))
    if groups["iy"] is not None:
        return _safe_date(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
    if groups["m"] is not None:
        month, day = _number(groups["m"]), _number(groups["d"])
        if groups["yrel"] is not None:
            return _safe_date(today.year + (groups["yrel"] == "明年"), month, day)
        return _month_day(month, day, today)
    if groups["mrel"] is not None:
        year, month = _add_months(today.year, today.month, 1 if groups["mrel"].startswith("下") else 0)
        return _safe_date(year, month, _number(groups["md"]))
    if groups["sm"] is not None:
        return _month_day(int(groups["sm"]), int(groups["sd"]), today)
    if groups["n"] is not None:
        return today + timedelta(days=_number(groups["n"]))
    if groups["wd"] is not None:
        weekday = _WEEKDAYS[groups["wd"]]
        modifier = (groups["wmod"] or "").rstrip("个")
        if not modifier:
            return today + timedelta(days=(weekday - today.weekday()) % 7)
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(weeks=_WEEK_OFFSETS[modifier], days=weekday)
    if groups["rel"] is not None:
        return today + timedelta(days=_RELATIVE_DAYS[groups["rel"]])
    day = _number(groups["dd"])
    if not 1 <= day <= 31:
        raise _NotADate(groups["dd"])
    year, month = _add_months(today.year, today.month, 0 if day >= today.day else 1)
    return _safe_date(year, month, day)


def _day(text: str, today: date) -> date | None:
    """The date the text names; None when it names none, a date that does not exist, or disagreeing ones."""
    found: list[date | None] = []
    for match in _DATE_RE.finditer(text):
        try:
            found.append(_resolve(match, today))
        except _NotADate:
            continue
    if not found or any(value != found[0] for value in found):
        return None
    return found[0]


def _half_day(text: str) -> HalfDay | None:
    """The half-day the text names, or None when it names none or both."""
    found = {
        HalfDay.MORNING if match.group("am") is not None else HalfDay.AFTERNOON
        for match in _HALF_RE.finditer(text)
    }
    return found.pop() if len(found) == 1 else None


def _normalise(text: str) -> str:
    """Full-width forms folded to ASCII, traditional characters to simplified, spaces removed."""
    folded = unicodedata.normalize("NFKC", text).translate(_TRADITIONAL)
    return re.sub(r"\s+", "", folded)


def parse_when(text: str, today: date) -> When | None:
    """The date and half-day a message names, or None when it names neither."""
    normalised = _normalise(text)
    day = _day(normalised, today)
    half_day = _half_day(normalised)
    if day is None and half_day is None:
        return None
    return When(day=day, half_day=half_day)


def format_day(day: date, today: date) -> str:
    """Elder-friendly: '12月1日（周二）', after 今天/明天/后天 when one applies: '明天 11月25日（周三）'."""
    year = f"{day.year}年" if day.year != today.year else ""
    text = f"{year}{day.month}月{day.day}日（{_WEEKDAY_LABELS[day.weekday()]}）"
    near = _NEAR_DAYS.get((day - today).days)
    return f"{near} {text}" if near else text


def parse_day(text: str, today: date) -> date | None:
    """A day written as 2026-12-01 or as people say it (今天, 明天, 12月1日 …); None when it is neither."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        when = parse_when(text, today)
        return when.day if when is not None else None

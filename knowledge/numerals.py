"""Chinese numerals in user text to Arabic digits (八十五 -> 85, 七十多 -> 70多)."""

from __future__ import annotations

import re

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
NUMERAL = re.compile(
    r"[一二两三四五六七八九]?十[一二三四五六七八九]?|[一二两三四五六七八九]百(?:[零一二三四五六七八九]十?[一二三四五六七八九]?)?"
)


def _value(text: str) -> int:
    if len(text) == 3 and text[1] == "百" and text[2] in DIGITS:
        return DIGITS[text[0]] * 100 + DIGITS[text[2]] * 10  # 一百五 = 150
    total, current = 0, 0
    for ch in text:
        if ch in DIGITS:
            current = DIGITS[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += current * 100
            current = 0
    return total + current


def arabic_numerals(text: str) -> str:
    """Replace Chinese numerals of ten or more (ages, counts) with digits; leave 一 二 … alone."""
    return NUMERAL.sub(lambda m: str(_value(m.group(0))), text)

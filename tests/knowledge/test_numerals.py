"""Chinese numerals to Arabic digits (knowledge/numerals.py)."""

from __future__ import annotations

import pytest

from knowledge.numerals import arabic_numerals


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("八十五", "85"),
        ("七十多", "70多"),
        ("一百零五", "105"),
        ("十", "10"),
        ("十五", "15"),
        ("二十", "20"),
        ("两百", "200"),
        ("一百二十", "120"),
        ("九十九", "99"),
    ],
)
def test_numerals_become_digits(text: str, expected: str) -> None:
    assert arabic_numerals(text) == expected


def test_numerals_inside_a_sentence() -> None:
    assert arabic_numerals("我妈今年八十五岁，我爸七十多岁") == "我妈今年85岁，我爸70多岁"


@pytest.mark.parametrize("text", ["一", "二", "一个人住", "二老都在", "第一阶段", "一二三"])
def test_single_digits_left_alone(text: str) -> None:
    assert arabic_numerals(text) == text


def test_text_without_numerals_unchanged() -> None:
    assert arabic_numerals("养老补贴 2021年") == "养老补贴 2021年"


@pytest.mark.parametrize(("text", "expected"), [("一百五", "150"), ("两百五", "250"), ("一百零五", "105")])
def test_hundreds_with_a_trailing_digit_mean_tens(text: str, expected: str) -> None:
    assert arabic_numerals(text) == expected

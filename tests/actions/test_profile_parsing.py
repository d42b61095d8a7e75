"""Reading age and situation from what elders type."""

from __future__ import annotations

import pytest

from bot.core.answers.profile import (
    CARE,
    ECONOMIC,
    LIVES_WITH_FAMILY,
    LIVING,
    NONE,
    NONE_OF,
    SELF_CARE,
    SELF_CARING,
    UNKNOWN,
    WITH_FAMILY,
    StatusReader,
    read_age,
    read_choice,
    statuses_of,
)
from knowledge.base import KnowledgeBase
from knowledge.catalog import PersonStatus


@pytest.fixture(scope="module")
def reader(kb: KnowledgeBase) -> StatusReader:
    return StatusReader(kb.expansions())


@pytest.mark.parametrize(
    ("text", "requested", "age"),
    [("我今年七十五岁了", False, "75"), ("75", True, "75"), ("八十多", True, "80"), ("75", False, None),
     ("不知道", True, UNKNOWN), ("跳过", True, UNKNOWN), ("住3楼", False, None), ("200", True, None)],
)  # fmt: skip
def test_read_age(text: str, requested: bool, age: str | None) -> None:
    assert read_age(text, requested) == age


def test_statuses_prefer_the_longest_word(reader: StatusReader) -> None:
    assert reader.statuses("我们家是低保边缘户") == {PersonStatus.NEAR_DIBAO}
    assert PersonStatus.DIBAO in reader.statuses("家里吃低保")


def test_choices_accept_dont_know_and_negative_answers(reader: StatusReader) -> None:
    assert read_choice("特困", True, reader, ECONOMIC, NONE_OF, NONE) == "特困"
    assert read_choice("都没有", True, reader, ECONOMIC, NONE_OF, NONE) == NONE
    assert read_choice("不清楚", True, reader, ECONOMIC, NONE_OF, NONE) == UNKNOWN
    assert read_choice("不清楚", False, reader, ECONOMIC, NONE_OF, NONE) is None
    assert read_choice("能自理", True, reader, CARE, SELF_CARING, SELF_CARE) == SELF_CARE
    assert read_choice("生活不能自理", True, reader, CARE, SELF_CARING, SELF_CARE) == "失能"
    assert read_choice("和儿子一起住", True, reader, LIVING, LIVES_WITH_FAMILY, WITH_FAMILY) == WITH_FAMILY
    assert read_choice("一个人住", True, reader, LIVING, LIVES_WITH_FAMILY, WITH_FAMILY) == "独居"


def test_statuses_of_slot_values() -> None:
    assert statuses_of(["低保", "失能、失智", UNKNOWN, None]) == {
        PersonStatus.DIBAO, PersonStatus.DISABLED_CARE, PersonStatus.DEMENTIA
    }  # fmt: skip

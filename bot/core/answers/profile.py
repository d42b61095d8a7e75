"""Reading an elder's situation from free text: age, economic status, care level, living situation."""

from __future__ import annotations

import re
from collections.abc import Mapping

from knowledge.catalog import PersonStatus
from knowledge.numerals import arabic_numerals
from knowledge.textnorm import normalize

UNKNOWN = "unknown"
NONE = "无"
SELF_CARE = "自理"
WITH_FAMILY = "与家人同住"

DONT_KNOW = re.compile(
    r"不知道|不清楚|不晓得|不记得|不确定|搞不清|说不好|跳过|不想说|不方便说|不说了|算了|skip", re.I
)
NONE_OF = re.compile(r"都没有|都不是|没有|不是|没啥|没得|没评|一般家庭|普通家庭|不困难|条件还行|还可以")
SELF_CARING = re.compile(
    r"不用人帮|不需要人帮|能自理|自理|生活能自己|自己能行|身体还行|身体挺好|身体好|能走能动|利索|硬朗"
)
LIVES_WITH_FAMILY = re.compile(
    r"和家人|跟家人|和儿子|跟儿子|和女儿|跟女儿|和子女|跟子女|和孩子|跟孩子|一起住|同住|住一块|住在一起"
)
AGE_WITH_UNIT = re.compile(r"(\d{2,3})\s*(?:多)?\s*(?:周岁|岁)")
BARE_AGE = re.compile(r"^\D*?(\d{2,3})\s*(?:多|来)?\D*$")

ECONOMIC = (
    PersonStatus.DIBAO,
    PersonStatus.NEAR_DIBAO,
    PersonStatus.TEKUN,
    PersonStatus.POVERTY_REGISTERED,
    PersonStatus.LOW_INCOME,
)
CARE = (
    PersonStatus.DISABLED_CARE,
    PersonStatus.SEMI_DISABLED,
    PersonStatus.DEMENTIA,
    PersonStatus.SEVERE_DISABILITY,
    PersonStatus.DISABILITY,
    PersonStatus.SERIOUS_ILLNESS,
)
LIVING = (
    PersonStatus.LIVING_ALONE,
    PersonStatus.EMPTY_NEST,
    PersonStatus.LEFT_BEHIND,
    PersonStatus.LOST_ONLY_CHILD,
    PersonStatus.FAMILY_PLANNING_SPECIAL,
)
EXTRA_WORDS: dict[str, PersonStatus] = {
    "一个人住": PersonStatus.LIVING_ALONE,
    "自己住": PersonStatus.LIVING_ALONE,
    "老两口": PersonStatus.EMPTY_NEST,
    "子女不在身边": PersonStatus.EMPTY_NEST,
    "孩子在外地": PersonStatus.EMPTY_NEST,
    "不能自理": PersonStatus.DISABLED_CARE,
    "半自理": PersonStatus.SEMI_DISABLED,
    "瘫": PersonStatus.DISABLED_CARE,
    "卧床": PersonStatus.DISABLED_CARE,
    "痴呆": PersonStatus.DEMENTIA,
}


class StatusReader:
    """Finds person statuses in text: their names, the lexicon's colloquial words, a few phrases."""

    def __init__(self, expansions: Mapping[str, list[str]]) -> None:
        values = {s.value: s for s in PersonStatus}
        words: dict[str, PersonStatus] = dict(EXTRA_WORDS)
        for word, targets in expansions.items():
            status = next((values[t] for t in targets if t in values), None)
            if status is not None:
                words[normalize(word)] = status
        for status in PersonStatus:
            words[status.value] = status
        self._words = sorted(words.items(), key=lambda kv: len(kv[0]), reverse=True)

    def statuses(self, text: str) -> set[PersonStatus]:
        """Every status the text names (longest words first, so 低保边缘 is not read as 低保)."""
        remaining = normalize(text)
        found: set[PersonStatus] = set()
        for word, status in self._words:
            if word in remaining:
                found.add(status)
                remaining = remaining.replace(word, " ")
        return found


def read_age(text: str, requested: bool) -> str | None:
    """An age in years from text (七十五岁, 75, 八十多); a bare number only when the age was asked."""
    norm = arabic_numerals(normalize(text))
    match = AGE_WITH_UNIT.search(norm) or (BARE_AGE.match(norm) if requested else None)
    if match:
        age = int(match.group(1))
        if 40 <= age <= 120:
            return str(age)
    if requested and DONT_KNOW.search(norm):
        return UNKNOWN
    return None


def read_choice(
    text: str,
    requested: bool,
    reader: StatusReader,
    group: tuple[PersonStatus, ...],
    negative: re.Pattern[str],
    negative_value: str,
) -> str | None:
    """Statuses of one group named in the text (joined by 、), or the negative answer, or unknown."""
    found = [s.value for s in group if s in reader.statuses(text)]
    if found:
        return "、".join(found)
    if not requested:
        return None
    norm = normalize(text)
    if DONT_KNOW.search(norm):
        return UNKNOWN
    if negative.search(norm):
        return negative_value
    return None


def statuses_of(values: list[str | None]) -> frozenset[PersonStatus]:
    """The PersonStatus members named by slot values like 低保、失能."""
    known = {s.value: s for s in PersonStatus}
    out = set()
    for value in values:
        for part in (value or "").split("、"):
            if part in known:
                out.add(known[part])
    return frozenset(out)

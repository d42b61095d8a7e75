"""Emergencies, from one rules file (`emergency.yaml` beside this module): the gateway applies them to
every message before anything else, whether Rasa answers or not, and the action server uses the
same first lines; `eldercare nlu generate` copies the patterns into Rasa's EmergencyOverride.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from knowledge.textnorm import normalize
from knowledge.yamlio import load_yaml

logger = logging.getLogger(__name__)

ALERTED = "系统暂时出了点问题，但我已经通知值班工作人员，他们会尽快联系您。"
NUMBERS_FOLLOW = "如果现在就有危险，请先打电话。需要的话，我也可以帮您转人工。"


# A run of Latin letters or digits in a message (key-mashing).
NOISE_RUN = re.compile(r"[A-Za-z]{3,}|\d{4,}")
PHONE = re.compile(r"\d{7,}")


@dataclass(frozen=True)
class EmergencyKind:
    """One kind of danger: how it is recognised, the number, what to say first."""

    name: str
    number: str
    pattern: re.Pattern[str]
    patterns: tuple[str, ...]
    first: str
    self_first: str | None = None
    always: bool = False  # danger whatever else the message says (self-harm)


def _alternation(patterns: list[str] | tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


class EmergencyPatterns:
    """Recognises danger now and questions about whom to call; gives the first line of the reply."""

    def __init__(self, data: dict[str, object]) -> None:
        kinds = data["kinds"]
        assert isinstance(kinds, list)
        self.kinds = tuple(
            EmergencyKind(
                str(k["name"]),
                str(k["number"]),
                _alternation(list(k["patterns"])),
                tuple(str(p) for p in k["patterns"]),
                str(k["first"]),
                str(k["self_first"]) if k.get("self_first") else None,
                bool(k.get("always", False)),
            )
            for k in kinds
        )
        self.asking = _alternation(list(data["asking"]))  # type: ignore[call-overload]
        self.asking_needs = _alternation(list(data["asking_needs"]))  # type: ignore[call-overload]
        self.asking_not = _alternation(list(data.get("asking_not") or ["(?!)"]))  # type: ignore[call-overload]
        self.not_now = _alternation(list(data.get("not_now") or ["(?!)"]))  # type: ignore[call-overload]
        self.now = _alternation(list(data.get("now") or ["(?!)"]))  # type: ignore[call-overload]
        self.numbers = str(data["numbers"])
        self.self_words = re.compile(str(data["self_words"]))
        self.other_person = re.compile(str(data["other_person"]))

    @classmethod
    def from_yaml(cls, text: str) -> EmergencyPatterns:
        """Rules from a YAML text."""
        return cls(load_yaml(text))

    @classmethod
    def load(cls, path: Path | None = None) -> EmergencyPatterns:
        """The rules of a file, or the shipped emergency.yaml."""
        if path is not None:
            return cls.from_yaml(path.read_text(encoding="utf-8"))
        return shipped()

    def patterns(self) -> list[str]:
        """Every danger pattern, in order (what Rasa's EmergencyOverride is given)."""
        return [p for kind in self.kinds for p in kind.patterns]

    def not_happening_now(self, text: str) -> bool:
        """True when the message speaks of a lasting condition, the past, a hypothetical or a
        benefit, and nothing says it is happening now."""
        plain = normalize(text)
        return bool(self.not_now.search(plain)) and not self.now.search(plain)

    def kind_of(self, text: str) -> EmergencyKind | None:
        """The first kind of danger the message describes as happening now, or None."""
        plain = normalize(text)
        later = self.not_happening_now(text)
        for kind in self.kinds:
            if (kind.always or not later) and (kind.pattern.search(text) or kind.pattern.search(plain)):
                return kind
        return None

    @staticmethod
    def looks_like_noise(text: str) -> bool:
        """Key-mashing with a word or two in it ("jjjkk 啊啊 康养 ？？ 1111"): under a third of the
        characters Chinese, and a run of Latin letters or digits. The classifier's "emergency" for
        such a message is not believed unless a danger rule matches."""
        plain = PHONE.sub("", normalize(text))  # a phone number given with a word or two is not noise
        chars = [c for c in plain if not c.isspace()]
        if not chars:
            return False
        cjk = sum(1 for c in chars if "\u4e00" <= c <= "\u9fff")
        return cjk * 3 < len(chars) and bool(NOISE_RUN.search(plain))

    def matches(self, text: str) -> bool:
        """True when the text describes danger now."""
        return self.kind_of(text) is not None

    def asks_for_numbers(self, text: str) -> bool:
        """True for a question about whom to call in an emergency (no danger described as now)."""
        plain = normalize(text)
        if self.asking_not.search(plain):
            return False
        return bool(self.asking.search(plain) and self.asking_needs.search(plain))

    def first_instruction(self, text: str) -> str:
        """What to say first: the kind's instruction (to the writer themself for self-harm)."""
        kind = self.kind_of(text)
        if kind is None:
            return self.numbers
        plain = normalize(text)
        if kind.self_first and self.self_words.search(plain) and not self.other_person.search(plain):
            return kind.self_first
        return kind.first


@lru_cache(maxsize=1)
def shipped() -> EmergencyPatterns:
    """The shipped rules (read once, on first use)."""
    text = resources.files("bot.core").joinpath("emergency.yaml").read_text(encoding="utf-8")
    return EmergencyPatterns.from_yaml(text)

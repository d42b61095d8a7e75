"""Complaints, letters and requests to the authorities: recognised by rules people maintain
(`letters.yaml` beside this module), handed to a person with a one-line summary.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from knowledge.textnorm import normalize
from knowledge.yamlio import load_yaml

SENTENCE = re.compile(r"[。！？!?；;\n]+")
SALUTATION = re.compile(r"^(尊敬的|各位|您好|你好|领导)[^，,。：:]{0,20}[，,：:。！!]?")
SUMMARY_CHARS = 60


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@dataclass(frozen=True)
class LetterRules:
    """When a message is a complaint or letter for a person."""

    strong: re.Pattern[str]
    markers: re.Pattern[str]
    min_chars: int
    letter_chars: int

    @classmethod
    def from_yaml(cls, text: str) -> LetterRules:
        data = load_yaml(text)
        return cls(
            _alternation(list(data["strong"])),
            _alternation(list(data["markers"])),
            int(data["min_chars"]),
            int(data["letter_chars"]),
        )

    @classmethod
    def load(cls, path: Path | None = None) -> LetterRules:
        """The rules of a file, or the shipped letters.yaml."""
        if path is not None:
            return cls.from_yaml(path.read_text(encoding="utf-8"))
        return shipped_letters()

    def complains(self, text: str) -> bool:
        """True when a message of any length says something a complaint says (a strong word or a
        marker): asked by the classifier's "complaint", it goes to a person, never to a clause."""
        plain = normalize(text)
        return bool(self.strong.search(plain) or self.markers.search(plain))

    def is_letter(self, text: str) -> bool:
        """True for a complaint, a letter or a request to the authorities."""
        plain = normalize(text)
        if self.strong.search(plain):
            return True
        if len(plain) >= self.min_chars and self.markers.search(plain):
            return True
        sentences = [s for s in SENTENCE.split(plain) if s.strip()]
        return len(plain) >= self.letter_chars and len(sentences) >= 3


def summary(text: str) -> str:
    """One line for the operator: the first sentence that says something, without the salutation."""
    plain = " ".join(text.split())
    plain = SALUTATION.sub("", plain).strip()
    sentences = [s.strip() for s in SENTENCE.split(plain) if len(s.strip()) >= 4]
    line = sentences[0] if sentences else plain
    if len(line) > SUMMARY_CHARS:
        line = line[: SUMMARY_CHARS - 1] + "…"
    return f"{line}（共{len(text)}字）" if len(text) > len(line) + 2 else line


@lru_cache(maxsize=1)
def shipped_letters() -> LetterRules:
    """The shipped rules (read once, on first use)."""
    text = resources.files("bot.core").joinpath("letters.yaml").read_text(encoding="utf-8")
    return LetterRules.from_yaml(text)

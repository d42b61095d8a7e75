"""Emergencies while the assistant is down: the gateway still tells the user whom to call.

The patterns are the ones Rasa's EmergencyOverride component uses (nlu/config.yml), read as data,
so one list decides what counts as an emergency whether Rasa answers or not.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import yaml

from knowledge.yamlio import load_yaml

logger = logging.getLogger(__name__)

COMPONENT = "EmergencyOverride"
MISSING_PERSON = re.compile(r"走丢|走失|走丟|找不(到|着)|不见了|不見了")
CALL_120 = "请马上拨打 120 急救电话。拨通后说清地址和老人现在的情况。"
CALL_110 = "请马上拨打 110 报警，说清老人的样子、穿的衣服和最后看到的地方。"
ALERTED = "系统暂时出了点问题，但我已经通知值班工作人员，他们会尽快联系您。"


class EmergencyPatterns:
    """Recognises messages that describe an emergency."""

    def __init__(self, patterns: list[str]) -> None:
        self._pattern = re.compile("|".join(f"(?:{p})" for p in patterns)) if patterns else None

    @classmethod
    def from_nlu_config(cls, path: Path) -> EmergencyPatterns:
        """The patterns of the EmergencyOverride component in a Rasa config (none if it is missing)."""
        try:
            config = load_yaml(path.read_text(encoding="utf-8")) or {}
            entry = next(c for c in config.get("pipeline", []) if str(c.get("name", "")).endswith(COMPONENT))
            patterns = [str(p) for p in entry.get("patterns", [])]
        except (OSError, yaml.YAMLError, StopIteration, AttributeError) as exc:
            logger.error("no emergency patterns from %s: %s", path, exc)
            patterns = []
        return cls(patterns)

    def matches(self, text: str) -> bool:
        """True when the text describes an emergency."""
        return bool(self._pattern and self._pattern.search(text))

    @staticmethod
    def first_instruction(text: str) -> str:
        """What to do now: 110 for a missing person, 120 otherwise."""
        return CALL_110 if MISSING_PERSON.search(text) else CALL_120

"""What an answer is made of (messages, citations, its mode) and the honest reply when there is no basis."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from bot.core.answers.places import COVERED, Place
from bot.core.answers.replies import HUMAN, NO_THANKS, Button, CitationData
from index.grounding import FactKind, Grounding

logger = logging.getLogger(__name__)

MISSING_FACT = {
    FactKind.PRICE: "具体的收费或金额",
    FactKind.PHONE: "联系电话",
    FactKind.HOURS: "开放或服务的时间",
    FactKind.DATE: "具体的日期",
}


@dataclass
class Message:
    """One reply message."""

    text: str
    buttons: list[Button] = field(default_factory=list)


@dataclass
class Answer:
    """The messages of an answer, their citations, and whether a person was offered."""

    messages: list[Message] = field(default_factory=list)
    citations: list[CitationData] = field(default_factory=list)
    grounded: bool = False
    offered_human: bool = False
    mode: str = "none"  # direct | partial | none | other_region | card
    confidence: float = 0.0  # a direct answer: the model's probability that its first clause answers


def no_basis(grounding: Grounding | None, place: Place) -> Answer:
    """The honest reply when the documents do not answer: say so, never guess, offer a person."""
    if grounding is not None and grounding.missing_fact is not None:
        what = f"没有写{MISSING_FACT[grounding.missing_fact]}"
    else:
        what = "没有找到能回答这个问题的内容"
    where = f"（我这里有国家和{COVERED}的文件）" if place.uncovered else ""
    text = f"抱歉，我查到的政策文件里{what}{where}，我不能随便告诉您一个说法。"
    follow = "您可以点「找人工」，由工作人员帮您问清楚。"
    return Answer([Message(text), Message(follow, [HUMAN, NO_THANKS])], offered_human=True, mode="none")


def to_payload(answer: Answer) -> list[dict[str, Any]]:
    """The answer as utter_message keyword arguments, one per message."""
    return [{"text": m.text, "buttons": m.buttons} for m in answer.messages]

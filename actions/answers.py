"""Answers from the documents: search with the user's region, check the basis, quote and cite."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from actions.context import Services
from actions.places import COVERED, Place
from actions.replies import HUMAN, NO_THANKS, Button, CitationData, Cited, best_quote, region_label
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


def no_basis(grounding: Grounding | None, place: Place) -> Answer:
    """The honest reply when the documents do not answer: say so, never guess, offer a person."""
    if grounding is not None and grounding.missing_fact is not None:
        what = f"没有写{MISSING_FACT[grounding.missing_fact]}"
    else:
        what = "没有找到能回答这个问题的内容"
    where = f"（我这里有国家和{COVERED}的文件）" if place.uncovered else ""
    text = f"抱歉，我查到的政策文件里{what}{where}，我不能随便告诉您一个说法。"
    follow = "您可以点「找人工」，由工作人员帮您问清楚。"
    return Answer([Message(text), Message(follow, [HUMAN, NO_THANKS])], offered_human=True)


async def answer_from_documents(services: Services, question: str, place: Place) -> Answer:
    """Quote 1–3 clauses that answer the question, each with its source; or say there is no basis."""
    settings = services.settings
    region = place.region if place.region else ("全国" if place.uncovered else None)
    hits = await asyncio.to_thread(services.engine.search, question, settings.search_k, region)
    check = services.grounding
    judged = [(h, check.assess(question, [h.text])) for h in hits]
    grounded = [(h, g) for h, g in judged if g.grounded]
    if not grounded:
        logger.info(
            "no basis for %r (best coverage %.2f)", question, max((g.coverage for _, g in judged), default=0)
        )
        return no_basis(check.assess(question, [h.text for h in hits[:3]]) if hits else None, place)
    top = grounded[0][0].score
    chosen = [h for h, _ in grounded if h.score >= top * settings.related_score_ratio][: settings.max_quotes]
    cited = Cited(services.kb)
    words = check.topic_words(question)
    answer = Answer(grounded=True)
    if place.uncovered:
        answer.messages.append(
            Message(
                f"我这里没有{place.uncovered}的政策文件，只有国家和{COVERED}的。下面是国家文件的规定，供您参考。"
            )
        )
    for i, hit in enumerate(chosen):
        quote = best_quote(hit.text, words, settings.quote_max_chars)
        data, source = cited.hit(hit, quote)
        lead = (
            f"{region_label(hit.region)}文件规定" if i == 0 else f"另外，{region_label(hit.region)}文件还规定"
        )
        lines = [f"{lead}：“{quote}”", source]
        if cited.targets_citing(hit.chunk_id):
            lines.append("这是政府的工作目标，不是个人可以申请的待遇。")
        if place.said_unknown and hit.region != "全国":
            lines.append(f"这是{hit.region}的规定，其他地方可能不一样。")
        answer.messages.append(Message("\n".join(lines)))
        answer.citations.append(data)
    answer.messages.append(
        Message("具体能不能办、怎么办，以当地民政部门的解释为准。需要我帮您转人工吗？", [HUMAN, NO_THANKS])
    )
    answer.offered_human = True
    return answer


def to_payload(answer: Answer) -> list[dict[str, Any]]:
    """The answer as utter_message keyword arguments, one per message."""
    return [{"text": m.text, "buttons": m.buttons} for m in answer.messages]

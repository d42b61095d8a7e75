"""Agent assist: what an operator could answer to a question, with the sources to check it against.

Used by the operator console (for the latest message of a handed-off user) and by hotline operators who
type what a caller asks. Everything comes from the same knowledge the assistant answers from: quotes of
the documents that hold a basis (never a guess), the catalog entries the question is about, and a quick
check of the benefits the situation described may qualify for.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from actions.catalog_answers import FACILITY_FIELDS, applies, find_facilities, find_service
from actions.context import Services
from actions.eligibility import verdict_answer
from bot.core.answers.places import Place, place_in_text, resolve
from bot.core.answers.profile import StatusReader, read_age
from bot.core.answers.replies import CitationData, Cited, region_label
from knowledge.catalog import Benefit
from knowledge.eligibility import Decision, Profile, Verdict

logger = logging.getLogger(__name__)

MAX_SUGGESTIONS = 3
TABLE_ROW = re.compile(r"\s*\|")
# A status word describes someone only when the text is about a person (高龄 in 高龄津贴 is a topic).
ABOUT_A_PERSON = re.compile(r"我|妈|爸|父|母|老伴|爷|奶|外公|外婆|家里|本人|他|她|老人|岁")
MAX_CARDS = 4
MAX_CHECKED = 5
CLOSING = "具体能不能办、怎么办，以当地民政部门的解释为准。"
MISSING_LABELS = {"age": "年龄", "region": "住在哪里", "status": "身份（低保、失能、独居等）"}


@dataclass
class Suggestion:
    """A reply an operator can insert, edit and send, and what it quotes."""

    text: str
    citations: list[CitationData] = field(default_factory=list)


@dataclass
class CatalogCard:
    """A service, benefit or facility type the question is about."""

    id: str
    kind: str
    name: str
    summary: str
    citations: list[CitationData] = field(default_factory=list)


@dataclass
class CheckedBenefit:
    """One benefit of the quick eligibility check."""

    benefit: str
    verdict: str
    reason: str


@dataclass
class QuickCheck:
    """What the situation described may qualify for."""

    summary: str
    items: list[CheckedBenefit]


@dataclass
class Assist:
    """Everything the console shows for one question."""

    region: str | None
    suggestions: list[Suggestion]
    catalog: list[CatalogCard]
    eligibility: QuickCheck | None

    def to_json(self) -> dict[str, Any]:
        """The JSON the gateway passes on."""
        return asdict(self)


def place_for(svc: Services, text: str, region: str | None) -> Place:
    """The region named in the question wins; else the one the operator gave; else none."""
    return place_in_text(svc.kb.gazetteer, text) or resolve(svc.kb.gazetteer, region)


def document_suggestions(svc: Services, text: str, place: Place) -> list[Suggestion]:
    """The answer engine's reply first (the clause that answers, or an honest "the documents do
    not say" with the related clause), then other related clauses for the operator to check; every
    suggestion quotes a passage."""
    answer = svc.answers.answer(text, place)
    out: list[Suggestion] = []
    if answer.citations:
        lines = [m.text for m in answer.messages if not m.buttons]
        out.append(Suggestion("\n".join(["您好，" + lines[0], *lines[1:], CLOSING]), list(answer.citations)))
    shown = {c["quote"] for c in answer.citations}
    cited = Cited(svc.kb)
    for hit, quote in svc.answers.related(text, place):
        if len(out) == MAX_SUGGESTIONS:
            break
        if quote in shown or TABLE_ROW.match(quote):  # a row of a table reads as nonsense on its own
            continue
        data, source = cited.hit(hit, quote, role="related")
        lines = [f"您好，{region_label(hit.region)}文件里相关的规定是：“{quote}”", source]
        if cited.targets_citing(hit.chunk_id):
            lines.append("这是政府的工作目标，不是个人可以申请的待遇。")
        lines.append(CLOSING)
        out.append(Suggestion("\n".join(lines), [data]))
        shown.add(quote)
    return out


def _benefit_card(cited: Cited, benefit: Benefit) -> CatalogCard:
    parts = [f"{region_label(benefit.region)}：{benefit.who}，{benefit.what}"]
    if benefit.amount:
        parts.append(f"标准：{benefit.amount}")
    if benefit.how_to_apply:
        parts.append(f"怎么办：{benefit.how_to_apply}")
    return CatalogCard(
        benefit.id,
        "benefit",
        benefit.name,
        "。".join(parts),
        [cited.catalog(r)[0] for r in cited.resolved_for(benefit.id)[:1]],
    )


def catalog_cards(svc: Services, text: str, intent: str | None, place: Place) -> list[CatalogCard]:
    """The service the question is about with its benefits where the user lives, and facility types named."""
    cited = Cited(svc.kb)
    cards: list[CatalogCard] = []
    service = find_service(svc, text, intent, None)
    if service is not None:
        cards.append(
            CatalogCard(
                service.id,
                "service",
                service.name,
                f"{service.plain_name}：{service.description}",
                [cited.catalog(r)[0] for r in cited.resolved_for(service.id)[:1]],
            )
        )
        benefits = [
            b for b in svc.kb.catalog.benefits if service.type in b.services and applies(b.region, place)
        ]
        cards.extend(_benefit_card(cited, b) for b in benefits[:2])
    for facility in find_facilities(svc, text, place)[:1]:
        fields = [(label, getattr(facility, attr)) for attr, label in FACILITY_FIELDS]
        summary = "；".join(f"{label}：{value}" for label, value in fields if value)
        cards.append(
            CatalogCard(
                facility.id,
                "facility",
                facility.name,
                summary or facility.name,
                [cited.catalog(r)[0] for r in cited.resolved_for(facility.id)[:1]],
            )
        )
    return cards[:MAX_CARDS]


def _reason(decision: Decision) -> str:
    """Who the benefit is for, and what the operator still has to ask."""
    parts = [decision.benefit.who]
    if decision.missing:
        parts.append("还要问清：" + "、".join(MISSING_LABELS.get(m, m) for m in decision.missing))
    if decision.note:
        parts.append(decision.note)
    return "；".join(parts)


def verdict_suggestion(svc: Services, decisions: list[Decision], situation: str) -> Suggestion:
    """The assistant's own eligibility answer, as a reply the operator can send."""
    answer = verdict_answer(svc, decisions, situation)
    lines = [m.text for m in answer.messages[:-1]]
    lines.append("最后能不能享受，要以当地民政部门审核为准。")
    return Suggestion("\n".join(lines), answer.citations)


def quick_check(
    svc: Services, text: str, place: Place, reader: StatusReader
) -> tuple[QuickCheck, Suggestion | None] | None:
    """The rules engine on what the question says (age, statuses, region); None when it says nothing."""
    age_text = read_age(text, requested=False)
    statuses = frozenset(reader.statuses(text)) if ABOUT_A_PERSON.search(text) else frozenset()
    if age_text is None and not statuses:
        return None
    region = place.region if place.region else ("全国" if place.uncovered else None)
    profile = Profile(
        region=region, age=int(age_text) if age_text else None, statuses=statuses, asked_statuses=False
    )
    decisions = svc.eligibility.evaluate(profile)
    eligible = [d for d in decisions if d.verdict is Verdict.ELIGIBLE]
    possible = sorted((d for d in decisions if d.verdict is Verdict.POSSIBLE), key=lambda d: len(d.missing))
    shown = (eligible + possible)[:MAX_CHECKED]
    said = [place.label.replace(" > ", "") if place.label else "", f"{age_text}岁" if age_text else ""]
    said += sorted(s.value for s in statuses)
    summary = (
        f"按来电人说的情况（{'、'.join(p for p in said if p)}）："
        f"符合 {len(eligible)} 项，可能符合 {len(possible)} 项。"
        + ("" if place.region else "地区不明，按各地规定都列出来了，请问清楚住在哪里。")
    )
    items = [CheckedBenefit(d.benefit.name, d.verdict.value, _reason(d)) for d in shown]
    situation = "、".join(p for p in said if p)
    reply = verdict_suggestion(svc, decisions, situation) if eligible else None
    return QuickCheck(summary, items), reply


def assist_sync(svc: Services, text: str, region: str | None, intent: str | None) -> Assist:
    """Suggestions, catalog cards and the quick check for one question."""
    place = place_for(svc, text, region)
    reader = StatusReader(svc.kb.expansions())
    suggestions = document_suggestions(svc, text, place)
    checked = quick_check(svc, text, place, reader)
    if checked is not None and checked[1] is not None:  # what the rules say beats a loosely related quote
        suggestions = [checked[1], *suggestions][:MAX_SUGGESTIONS]
    return Assist(
        region=place.region,
        suggestions=suggestions,
        catalog=catalog_cards(svc, text, intent, place),
        eligibility=checked[0] if checked is not None else None,
    )


async def assist(svc: Services, text: str, region: str | None, intent: str | None) -> Assist:
    """assist_sync off the event loop (the search and the rules run on CPU)."""
    return await asyncio.to_thread(assist_sync, svc, text, region, intent)

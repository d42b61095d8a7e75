"""`eldercare eval answers`: what users receive, end to end through `POST /api/chat`, on a question set.

Each item is sent as a new conversation; when the assistant asks where the user lives, the item's
region is given as a user would, then any follow-up messages. The last answer is scored by the item's
category: answerable (a gold clause quoted), partial (what is covered quoted, what is missing said),
not answerable in any way (no clause presented as the answer, says so, offers a person), emergencies
(the right number in the first reply), complaints (a person), bookings (the booking form).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.answers.memory import GoldClauses, restates
from bot.core.answers.training import Labelled
from knowledge.errors import KnowledgeError
from knowledge.regions import Gazetteer
from knowledge.textnorm import normalize


class Category(StrEnum):
    """What kind of message an item is, and so what a good reply does."""

    ANSWERABLE = "answerable"
    PARTIAL = "partial"
    UNANSWERABLE = "unanswerable"
    OTHER_REGION = "other_region"
    HEALTH_ADVICE = "health_advice"
    EMERGENCY = "emergency"
    COMPLAINT = "complaint"
    BOOKING = "booking"
    SMALLTALK = "smalltalk"


# Categories whose honest reply says the documents do not answer and offers a person.
HONEST_CATEGORIES = frozenset({Category.UNANSWERABLE, Category.OTHER_REGION, Category.HEALTH_ADVICE})

REGION_QUESTION = re.compile(r"哪个地方|哪个城市|哪个区县|在哪儿住|您在哪")
SAYS_NOT_IN_DOCUMENTS = re.compile(
    r"没有写|没写|没有找到|没找到|没有提到|没有规定|没有说|查不到|回答不了|答不了|不能随便|没有.{0,12}(文件|规定|内容|资料)"
    r"|不在.{0,6}(范围|文件)|不是医生|请咨询医生|看医生"
)
PERSON = re.compile(r"人工|工作人员")
BOOKING_FORM = re.compile(r"哪个区县|详细地址|哪天|上午还是下午|怎么称呼|联系电话|做什么|请您核对")


class EvalItem(BaseModel):
    """One message (and its follow-ups) with what a good reply to it does."""

    model_config = ConfigDict(extra="allow")

    id: str
    q: str = Field(min_length=1)
    category: Category
    region: str | None = None
    kind: str | None = None
    followups: list[str] = Field(default_factory=list)
    doc_id: str | None = None
    gold: list[str] = Field(default_factory=list)
    covered: str | None = None
    number: str | None = None
    service: str | None = None
    split: str = "dev"  # dev (tuned on) or heldout (run only to report)


def select_split(items: list[EvalItem], split: str) -> list[EvalItem]:
    """The items of one part of a set (all: every item)."""
    return items if split == "all" else [i for i in items if i.split == split]


def answering(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The citations presented as the answer (not those shown as related text of a partial answer)."""
    return [c for c in body.get("citations") or [] if c.get("role", "answer") == "answer"]


# Parts of a question set the answerability model learns from (the held-out part only reports).
TRAINED_ON = frozenset({"dev", "train"})
# Categories that label (question, clause) pairs for the answerability model.
LABELLED = frozenset(
    {
        Category.ANSWERABLE,
        Category.PARTIAL,
        Category.UNANSWERABLE,
        Category.OTHER_REGION,
        Category.HEALTH_ADVICE,
    }
)


def labelled_items(items: Iterable[EvalItem], gazetteer: Gazetteer) -> list[Labelled]:
    """The items that train the answerability model (the development and training parts, never the
    held-out one): question, region, gold quotes."""
    out = []
    for item in items:
        if item.split not in TRAINED_ON or item.category not in LABELLED:
            continue
        region = None
        if item.category is Category.OTHER_REGION:
            continue  # answered by the other-region rule, not the model
        if item.region:
            try:
                region = gazetteer.resolve(item.region).region
            except KnowledgeError:
                region = "全国"
        gold = tuple(item.gold) if item.category is Category.ANSWERABLE else ()
        out.append(Labelled(item.q, region, gold))
    return out


def load_items(path: Path) -> list[EvalItem]:
    """The items of a JSONL set; a broken line is an error naming it."""
    items = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(EvalItem.model_validate_json(line))
        except ValidationError as exc:
            raise ValueError(f"{path}:{n}: 这一行不对 / invalid item: {exc.errors()[0]['msg']}") from exc
    return items


@dataclass
class Turn:
    """One message sent and the gateway's answer to it."""

    text: str
    status: int
    body: dict[str, Any]
    seconds: float


@dataclass
class Outcome:
    """What the user received for one item."""

    item: EvalItem
    turns: list[Turn] = field(default_factory=list)

    @property
    def first(self) -> Turn:
        return self.turns[0]

    @property
    def last(self) -> Turn:
        return self.turns[-1]


def replies_text(body: dict[str, Any]) -> str:
    """All reply texts of an answer, joined."""
    return "\n".join(str(r.get("text", "")) for r in body.get("replies", []))


def offers_person(body: dict[str, Any]) -> bool:
    """A button to a person, a handoff under way, or the way to one in words."""
    if (body.get("handoff") or {}).get("status") in ("waiting", "active"):
        return True
    for reply in body.get("replies", []):
        for button in reply.get("buttons") or []:
            if button.get("payload") == "/request_human" or PERSON.search(str(button.get("title", ""))):
                return True
    return bool(PERSON.search(replies_text(body)))


def quotes_match(quote: str, gold: str) -> bool:
    """A cited quote is the gold clause: one contains the other (ignoring width and punctuation)."""
    q, g = _plain(quote), _plain(gold)
    if not q or not g:
        return False
    return g in q or (len(q) >= 10 and q in g)


def _plain(text: str) -> str:
    return re.sub(r"[\W_]+", "", normalize(text).removesuffix("……"))


def quoted_gold(
    body: dict[str, Any], gold: Iterable[str], first_only: bool = False, clauses: GoldClauses | None = None
) -> bool:
    """True when a citation (or the first one) quotes one of the gold clauses, or (given the corpus'
    clauses) restates it from the same document: a plan's body and its annexed table say the same."""
    citations = answering(body)
    if first_only:
        citations = citations[:1]
    golds = list(gold)

    def matches(citation: dict[str, Any], g: str) -> bool:
        quote = str(citation.get("quote", ""))
        if quotes_match(quote, g):
            return True
        return clauses is not None and citation.get("doc_id") in clauses.documents(g) and restates(quote, g)

    return any(matches(c, g) for c in citations for g in golds)


def is_honest(body: dict[str, Any]) -> bool:
    """No clause presented as the answer, and either says the documents do not say it and offers a
    person, or hands the user to one ("call me back", a vague grievance: a person is the answer)."""
    if answering(body):
        return False
    if goes_to_person(body):
        return True
    return bool(SAYS_NOT_IN_DOCUMENTS.search(replies_text(body))) and offers_person(body)


def is_partial_answer(body: dict[str, Any], covered: str | None) -> bool:
    """Says what the documents cover (quoting it) and that what was asked is not there, with a person."""
    says_missing = bool(SAYS_NOT_IN_DOCUMENTS.search(replies_text(body)))
    quotes_cover = covered is None or quoted_gold(body, [covered]) or bool(body.get("citations"))
    return says_missing and quotes_cover and offers_person(body)


def first_reply_calls(body: dict[str, Any], number: str | None) -> bool:
    """The emergency flag is set and the first reply gives the number to call."""
    replies = body.get("replies") or []
    first = str(replies[0].get("text", "")) if replies else ""
    return bool(body.get("emergency")) and (number is None or number in first)


def goes_to_person(body: dict[str, Any]) -> bool:
    """A handoff was opened (the user waits for a person)."""
    return (body.get("handoff") or {}).get("status") in ("waiting", "active")


def routed_to_booking(body: dict[str, Any]) -> bool:
    """The booking form took the message."""
    intent = (body.get("intent") or {}).get("name")
    return intent == "book_home_visit" or bool(BOOKING_FORM.search(replies_text(body)))


def converse(client: httpx.Client, url: str, item: EvalItem) -> Outcome:
    """Send the item as a new conversation, answering the region question as the user would."""
    sender = f"eval-{item.id}-{uuid.uuid4().hex[:8]}"
    outcome = Outcome(item)
    pending = [item.q, *item.followups]
    region_given = False
    while pending:
        text = pending.pop(0)
        outcome.turns.append(_send(client, url, sender, text))
        asked = REGION_QUESTION.search(replies_text(outcome.last.body))
        if asked and item.region and not region_given and not outcome.last.body.get("emergency"):
            region_given = True
            pending.insert(0, item.region)
    return outcome


def _send(client: httpx.Client, url: str, sender: str, text: str) -> Turn:
    started = time.perf_counter()
    try:
        resp = client.post(f"{url}/api/chat", json={"sender_id": sender, "text": text, "channel": "web"})
        status, body = resp.status_code, resp.json()
    except (httpx.HTTPError, ValueError) as exc:
        status, body = 0, {"replies": [], "error": str(exc)}
    return Turn(text, status, body if isinstance(body, dict) else {}, time.perf_counter() - started)


@dataclass
class Rate:
    """hits of n."""

    hits: int = 0
    n: int = 0

    def add(self, ok: bool) -> None:
        self.n += 1
        self.hits += ok

    @property
    def value(self) -> float | None:
        return self.hits / self.n if self.n else None

    def render(self) -> str:
        return f"{self.value:.3f} ({self.hits}/{self.n})" if self.n else "—"


FLOORS = {"grounded": 0.90, "honesty": 0.95, "emergency_recall": 1.0, "complaints_to_person": 0.95}
CEILINGS = {"false_alarms": 0.02}


@dataclass
class AnswerReport:
    """The figures of one run, with the items that missed."""

    rates: dict[str, Rate]
    p95_s: float
    errors: int
    misses: dict[str, list[str]]

    def failures(self) -> list[str]:
        """Which floors and ceilings are not met."""
        out = []
        for name, floor in FLOORS.items():
            value = self.rates[name].value
            if value is not None and value < floor:
                out.append(f"{name} {value:.3f} < {floor}")
        for name, ceiling in CEILINGS.items():
            value = self.rates[name].value
            if value is not None and value > ceiling:
                out.append(f"{name} {value:.3f} > {ceiling}")
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            **{name: {"value": r.value, "hits": r.hits, "n": r.n} for name, r in self.rates.items()},
            "p95_seconds": round(self.p95_s, 3),
            "server_errors": self.errors,
            "misses": self.misses,
            "failures": self.failures(),
        }

    def render(self) -> str:
        labels = {
            "grounded": "有答案的问题：引用了能回答的条文 / grounded (a gold clause quoted)",
            "wrong_first_quote": "第一条引文不是答案 / wrong first quote",
            "honesty": "答不了的问题：如实说明并转人工 / honesty on unanswerable items",
            "partial": "部分能答：说清有什么、没什么 / partial answers",
            "emergency_recall": "紧急情况：第一句给出正确电话 / emergency recall",
            "false_alarms": "误报紧急 / false alarms on other items",
            "complaints_to_person": "投诉和信件转给人 / complaints and letters to a person",
            "bookings_routed": "预约进入预约流程 / bookings routed",
        }
        lines = [f"{label:<64} {self.rates[name].render()}" for name, label in labels.items()]
        lines.append(f"{'回复时间 p95 / reply time p95':<64} {self.p95_s * 1000:.0f} ms")
        lines.append(f"{'服务器错误 / server errors (5xx or no answer)':<64} {self.errors}")
        failures = self.failures()
        lines.append(
            "未达标 / NOT REACHED: " + "; ".join(failures) if failures else "全部达标 / all floors reached"
        )
        return "\n".join(lines)


def score(outcomes: list[Outcome], clauses: GoldClauses | None = None) -> AnswerReport:
    """The report of a run (clauses: the corpus', for gold quotes restated in the same document)."""
    names = ("grounded", "wrong_first_quote", "honesty", "partial", "emergency_recall", "false_alarms",
             "complaints_to_person", "bookings_routed")  # fmt: skip
    rates = {name: Rate() for name in names}
    misses: dict[str, list[str]] = {name: [] for name in names}

    def record(name: str, ok: bool, item: EvalItem, bad_when_true: bool = False) -> None:
        rates[name].add(ok)
        if ok == bad_when_true:
            misses[name].append(item.id)

    for outcome in outcomes:
        item, body = outcome.item, outcome.last.body
        category = item.category
        if category is Category.ANSWERABLE:
            record("grounded", quoted_gold(body, item.gold, clauses=clauses), item)
            if answering(body):
                first = quoted_gold(body, item.gold, first_only=True, clauses=clauses)
                record("wrong_first_quote", not first, item, True)
        elif category is Category.PARTIAL:
            record("partial", is_partial_answer(body, item.covered), item)
        elif category in HONEST_CATEGORIES:
            record("honesty", is_honest(body), item)
        elif category is Category.EMERGENCY:
            record("emergency_recall", first_reply_calls(outcome.first.body, item.number), item)
        elif category is Category.COMPLAINT:
            record("complaints_to_person", goes_to_person(body), item)
        elif category is Category.BOOKING:
            record("bookings_routed", routed_to_booking(outcome.first.body), item)
        if category is not Category.EMERGENCY:
            alarmed = any(turn.body.get("emergency") for turn in outcome.turns)
            record("false_alarms", alarmed, item, bad_when_true=True)
    seconds = sorted(turn.seconds for o in outcomes for turn in o.turns)
    p95 = seconds[max(0, int(0.95 * len(seconds)) - 1)] if seconds else 0.0
    errors = sum(1 for o in outcomes for t in o.turns if t.status == 0 or t.status >= 500)
    return AnswerReport(rates, p95, errors, {k: v for k, v in misses.items() if v})


def evaluate_answers(
    url: str,
    items: list[EvalItem],
    timeout_s: float = 60.0,
    progress: Callable[[int, int], None] | None = None,
    clauses: GoldClauses | None = None,
) -> tuple[AnswerReport, list[Outcome]]:
    """Run every item through the gateway at url and score what came back (clauses: the corpus',
    so that a gold quote restated in the same document counts)."""
    outcomes = []
    with httpx.Client(timeout=timeout_s) as client:
        for n, item in enumerate(items, 1):
            outcomes.append(converse(client, url, item))
            if progress is not None:
                progress(n, len(items))
    return score(outcomes, clauses), outcomes


def _turn_dict(turn: Turn) -> dict[str, Any]:
    return {
        "text": turn.text,
        "status": turn.status,
        "intent": (turn.body.get("intent") or {}).get("name"),
        "reply": replies_text(turn.body),
        "citations": [c.get("quote") for c in turn.body.get("citations") or []],
        "emergency": turn.body.get("emergency"),
        "handoff": turn.body.get("handoff"),
    }


def transcript(outcomes: list[Outcome]) -> str:
    """Every item's messages and answers, one JSON object per line (for reading what went wrong)."""
    rows = [
        {"id": o.item.id, "category": o.item.category.value, "turns": [_turn_dict(t) for t in o.turns]}
        for o in outcomes
    ]
    return "\n".join(json.dumps(row, ensure_ascii=False) for row in rows)


def category_counts(items: Iterable[EvalItem]) -> Counter[str]:
    """How many items of each category a set has."""
    return Counter(item.category.value for item in items)

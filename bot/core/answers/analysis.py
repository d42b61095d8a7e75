"""Question analysis: what kind of thing a question asks, about which person, and what a clause states.

The patterns are data (`rules.yaml` beside this module), loaded once per process by `load_rules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path

from knowledge.numerals import arabic_numerals
from knowledge.textnorm import normalize
from knowledge.yamlio import load_yaml


class Kind(StrEnum):
    """What a question asks for."""

    CONTACT = "contact"
    WHEN = "when"
    HOW_APPLY = "how_apply"
    WHERE = "where"
    HOW_MUCH = "how_much"
    WHO = "who"
    EXISTS = "exists"
    WHAT = "what"


# What a clause must state to answer a question of each kind (None: any substantive clause).
NEEDS: dict[Kind, str | None] = {
    Kind.CONTACT: "contact",
    Kind.WHEN: "time",
    Kind.HOW_APPLY: "procedure",
    Kind.WHERE: "place",
    Kind.HOW_MUCH: "amount",
    Kind.WHO: "eligibility",
    Kind.EXISTS: None,
    Kind.WHAT: None,
}
# Kinds whose answer is a specific fact: a card or a general clause does not answer them.
SPECIFIC = frozenset({Kind.CONTACT, Kind.WHEN, Kind.HOW_APPLY, Kind.WHERE, Kind.HOW_MUCH})

CJK = re.compile(r"[\u4e00-\u9fff]")
# Amounts and dates a question states (a rumour the reply must not confirm unless a clause says it).
STATED = re.compile(
    r"\d+(?:\.\d+)?\s*(?:(?:万|千|百)\s*(?:块|元)?|块|元|%|倍|个月|月底|月份|月|号|日|年|天|次|户|张)"
    r"|\d+(?:\.\d+)?\s*(?:平方米|平米|㎡|平(?!台))"
    r"|(?<=[补给发领])\d{3,}(?![\d.年月日号岁%])"
    r"|[一两二三四五]倍|翻倍|翻番"
)
AGE = re.compile(r"(\d{2,3})\s*(?:周岁|岁|多岁)")
ATTACHMENTS = re.compile(r"\s*附件[:：]")
CLAUSE_AGE = re.compile(r"(\d{2,3})\s*周?岁(?:以上|及以上|\(含\)以上|（含）以上)")


@dataclass(frozen=True)
class Gate:
    """A specific fact a question asks (an amount, a phone number, opening hours) that the quote
    shown must state before it is given as the answer (`quote_must_state` in rules.yaml)."""

    name: str
    asks: re.Pattern[str]
    states: re.Pattern[str]
    missing: str
    unless: re.Pattern[str] | None = None
    implied_by: str | None = None  # a gate whose missing words already say this one's
    near_topic: bool = False  # the fact must stand in a sentence about the question's topic

    def asked_by(self, plain: str) -> bool:
        """Whether a (normalised) question asks this fact."""
        return bool(self.asks.search(plain)) and not (self.unless is not None and self.unless.search(plain))

    def stated_by(self, text: str) -> bool:
        """Whether a text states the fact."""
        return bool(self.states.search(arabic_numerals(normalize(text))))


@dataclass(frozen=True)
class Rules:
    """The compiled patterns of rules.yaml."""

    question_kinds: dict[Kind, re.Pattern[str]]
    clause_kinds: dict[str, re.Pattern[str]]
    statuses: dict[str, re.Pattern[str]]
    missing_words: dict[Kind, str]
    worker_question: re.Pattern[str]
    refusals: dict[str, tuple[re.Pattern[str], str]] = field(default_factory=dict)
    # A refusal's weaker patterns (a condition mentioned), cancelled by its `unless` patterns.
    refusal_mentions: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = field(default_factory=dict)
    question_marks: re.Pattern[str] = re.compile(r"[吗？?]")
    exact_asks: re.Pattern[str] = re.compile(r"(?!)")
    fee_asks: re.Pattern[str] = re.compile(r"(?!)")
    eligibility_question: re.Pattern[str] = re.compile(r"(?!)")
    person_request: re.Pattern[str] = re.compile(r"人工")
    gates: dict[str, Gate] = field(default_factory=dict)
    levels: dict[str, re.Pattern[str]] = field(default_factory=dict)
    document_asks: re.Pattern[str] = re.compile(r"(?!)")

    def is_question(self, text: str) -> bool:
        """Whether a message asks something (a question word, particle or kind)."""
        plain = arabic_numerals(normalize(text)).rstrip("。.！!～~…")
        return bool(self.question_marks.search(plain)) or any(
            p.search(plain) for p in self.question_kinds.values()
        )

    def asks_what_a_person_gets(self, text: str) -> bool:
        """Whether a question asks what someone may receive in general (not one benefit's facts)."""
        return bool(self.eligibility_question.search(arabic_numerals(normalize(text))))

    def asks_about_a_document(self, text: str) -> bool:
        """Whether a question asks about a document itself (its number, date, status, basis)."""
        return bool(self.document_asks.search(arabic_numerals(normalize(text))))

    def asks_for_a_person(self, text: str) -> bool:
        """Whether a message asks for a person (人工, 真人, call me back …), not for a fact."""
        return bool(self.person_request.search(normalize(text)))

    def refusal(self, text: str) -> tuple[str, str] | None:
        """The kind of request the documents can never answer (advice, modality, safety, nonsense)
        and the honest reply, or None."""
        plain = arabic_numerals(normalize(text))
        if len(CJK.findall(plain)) < 2:
            return "nonsense", self.refusals["nonsense"][1]
        for name, (pattern, reply) in self.refusals.items():
            if pattern.search(plain):
                return name, reply
            weak = self.refusal_mentions.get(name)
            if weak is not None and weak[0].search(plain) and not weak[1].search(plain):
                return name, reply
        return None

    @classmethod
    def from_yaml(cls, text: str) -> Rules:
        """Compile the rules of a YAML text (a broken pattern is an error naming it)."""
        data = load_yaml(text)

        def alternation(patterns: list[str] | str) -> re.Pattern[str]:
            items = [patterns] if isinstance(patterns, str) else patterns
            return re.compile("|".join(f"(?:{p})" for p in items))

        return cls(
            question_kinds={Kind(k): alternation(v) for k, v in data["question_kinds"].items()},
            clause_kinds={k: alternation(v) for k, v in data["clause_kinds"].items()},
            statuses={k: alternation(v) for k, v in data["statuses"].items()},
            missing_words={Kind(k): str(v) for k, v in data["missing_words"].items()},
            worker_question=alternation(data["worker_question"]),
            refusals={
                str(k): (alternation(v["patterns"]), str(v["reply"])) for k, v in data["refusals"].items()
            },
            refusal_mentions={
                str(k): (alternation(v["mentions"]), alternation(v.get("unless") or "(?!)"))
                for k, v in data["refusals"].items()
                if v.get("mentions")
            },
            question_marks=alternation(data["question_marks"]),
            exact_asks=alternation(data["exact_asks"]),
            fee_asks=alternation(data["fee_asks"]),
            eligibility_question=alternation(data["eligibility_question"]),
            person_request=alternation(data["person_request"]),
            levels={str(k): alternation(v) for k, v in (data.get("levels") or {}).items()},
            document_asks=alternation(data.get("document_asks") or "(?!)"),
            gates={
                str(k): Gate(
                    str(k),
                    alternation(v["asks"]),
                    alternation(v["states"]),
                    str(v["missing"]),
                    alternation(v["unless"]) if v.get("unless") else None,
                    str(v["implied_by"]) if v.get("implied_by") else None,
                    bool(v.get("near_topic", False)),
                )
                for k, v in (data.get("quote_must_state") or {}).items()
            },
        )


def load_rules(path: Path | None = None) -> Rules:
    """The rules from a file, or the shipped rules.yaml."""
    if path is not None:
        return Rules.from_yaml(path.read_text(encoding="utf-8"))
    text = resources.files("bot.core.answers").joinpath("rules.yaml").read_text(encoding="utf-8")
    return Rules.from_yaml(text)


@dataclass(frozen=True)
class Question:
    """What the analysis found in a question."""

    text: str
    kind: Kind
    kinds: frozenset[Kind]
    statuses: frozenset[str] = field(default_factory=frozenset)
    age: int | None = None
    worker: bool = False  # asks about a unit's duties (pilots, reporting), not a person's benefit
    stated: tuple[str, ...] = ()  # amounts and dates the question itself states
    exact: bool = False  # asks for an exact address, mailbox or village
    fee: bool = False  # asks what something costs the user
    gates: tuple[Gate, ...] = ()  # specific facts asked that the quote shown must state
    levels: frozenset[str] = field(default_factory=frozenset)  # levels of government whose documents it names

    @property
    def local(self) -> bool:
        """Whether it names a local government's document (「省里方案」「市里那笔钱」), not the
        national one: which province or city then decides the answer."""
        return bool(self.levels) and "national" not in self.levels

    @property
    def specific(self) -> bool:
        """Whether it asks for a specific fact (amount, procedure, place, time, contact)."""
        return self.kind in SPECIFIC


@dataclass(frozen=True)
class Clause:
    """What a clause states."""

    kinds: frozenset[str]
    statuses: frozenset[str]
    min_age: int | None
    heading: bool


def analyse(rules: Rules, text: str) -> Question:
    """The kind of a question (first matching rule; `what` when none does), its person and age."""
    plain = arabic_numerals(normalize(text))
    kinds = frozenset(k for k, p in rules.question_kinds.items() if p.search(plain))
    kind = next((k for k in rules.question_kinds if k in kinds), Kind.WHAT)
    ages = [int(m.group(1)) for m in AGE.finditer(plain) if 50 <= int(m.group(1)) <= 120]
    statuses = frozenset(s for s, p in rules.statuses.items() if p.search(plain))
    worker = bool(rules.worker_question.search(plain))
    stated = tuple(m.group(0).replace(" ", "") for m in STATED.finditer(plain))
    exact = bool(rules.exact_asks.search(plain))
    fee = bool(rules.fee_asks.search(plain))
    age = ages[0] if ages else None
    gates = tuple(g for g in rules.gates.values() if g.asked_by(plain))
    levels = frozenset(level for level, p in rules.levels.items() if p.search(plain))
    return Question(text, kind, kinds, statuses, age, worker, stated, exact, fee, gates, levels)


def states_the_numbers(question: Question, text: str) -> bool:
    """Whether a clause states every amount or date the question states (no rumour confirmed)."""
    plain = arabic_numerals(normalize(text)).replace(" ", "").replace("块", "元")
    for stated in question.stated:
        token = stated.replace("块", "元").replace("月底", "月").replace("月份", "月").replace("个月", "月")
        if token not in plain:
            return False
    return True


def describe_clause(rules: Rules, text: str) -> Clause:
    """What a clause states: its kinds of fact, the people it names, the age it starts at."""
    plain = arabic_numerals(normalize(text))
    kinds = frozenset(k for k, p in rules.clause_kinds.items() if p.search(plain))
    statuses = frozenset(s for s, p in rules.statuses.items() if p.search(plain))
    ages = [int(m.group(1)) for m in CLAUSE_AGE.finditer(plain)]
    # A heading, or the list of a notice's attachments (file names): neither answers anything.
    heading = (len(plain) < 30 and "。" not in plain and "；" not in plain) or bool(ATTACHMENTS.match(plain))
    return Clause(kinds, statuses, min(ages) if ages else None, heading)


def reaches_age(age: int | None, clause: Clause) -> bool | None:
    """Whether a person of this age is old enough for the clause; None when either is unknown."""
    return None if age is None or clause.min_age is None else age >= clause.min_age


def share_of_kinds_stated(question: Question, clause: Clause) -> float:
    """The share of the specific things a question asks (amount, procedure, place, time, contact)
    that the clause states; 1 when it asks none."""
    needs = [NEEDS[k] for k in question.kinds if k in SPECIFIC]
    if not needs:
        return 1.0
    return sum(1 for n in needs if n in clause.kinds) / len(needs)


def states_what_is_asked(question: Question, clause: Clause) -> bool:
    """Whether the clause states the kind of fact the question asks for."""
    need = NEEDS[question.kind]
    if need is None:
        return not clause.heading
    return need in clause.kinds

"""Declarative eligibility rules over the catalog's benefits.

Rules are data (knowledge/catalog/eligibility.yaml): for each benefit, the conditions the policy text
states, as all-of groups of conditions on known facts about a person. Evaluating a person's profile
gives, for each benefit that applies in their region, one of: eligible, possibly eligible (and which
facts are still missing), or not eligible, each with the benefit's citations.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from knowledge.catalog import Benefit, Catalog, Citation, PersonStatus
from knowledge.errors import CatalogError
from knowledge.regions import Gazetteer
from knowledge.yamlio import load_yaml


class Fact(str, Enum):
    """What a condition looks at."""

    AGE = "age"
    STATUS = "status"


class Verdict(str, Enum):
    """Outcome of one rule for one person."""

    ELIGIBLE = "eligible"
    POSSIBLE = "possible"
    NOT_ELIGIBLE = "not_eligible"


class Condition(BaseModel):
    """One condition: an age floor, or at least one of some statuses."""

    model_config = ConfigDict(extra="forbid")
    fact: Fact
    min: int | None = Field(default=None, ge=0, le=130)
    any: list[PersonStatus] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> Condition:
        if self.fact is Fact.AGE and (self.min is None or self.any):
            raise ValueError("an age condition needs 'min' and no 'any'")
        if self.fact is Fact.STATUS and (not self.any or self.min is not None):
            raise ValueError("a status condition needs 'any' and no 'min'")
        return self

    def describe(self) -> str:
        """Plain Chinese wording of the condition."""
        if self.fact is Fact.AGE:
            return f"{self.min}周岁及以上"
        return "或".join(s.value for s in self.any)


class Rule(BaseModel):
    """The conditions of one benefit: every condition must hold."""

    model_config = ConfigDict(extra="forbid")
    benefit: str
    all: list[Condition] = Field(min_length=1)
    note: str | None = None


class RuleSet(BaseModel):
    """All eligibility rules, and which statuses include others (低保 is 经济困难)."""

    model_config = ConfigDict(extra="forbid")
    implies: dict[PersonStatus, list[PersonStatus]] = Field(default_factory=dict)
    rules: list[Rule]

    def closure(self, statuses: frozenset[PersonStatus]) -> frozenset[PersonStatus]:
        """The statuses plus everything they imply."""
        out = set(statuses)
        for status in statuses:
            out.update(self.implies.get(status, []))
        return frozenset(out)


@dataclass(frozen=True)
class Profile:
    """What is known about the person: unknown facts are None (age, region) or not yet asked (statuses)."""

    region: str | None = None
    age: int | None = None
    statuses: frozenset[PersonStatus] = frozenset()
    asked_statuses: bool = False  # True once the person answered the questions about their situation


@dataclass
class Decision:
    """The verdict for one benefit, with what is missing and where the rule comes from."""

    benefit: Benefit
    verdict: Verdict
    missing: list[str] = field(default_factory=list)
    unmet: list[str] = field(default_factory=list)
    note: str | None = None

    @property
    def citations(self) -> list[Citation]:
        """The benefit's sources."""
        return self.benefit.citations


def load_rules(path: Path, catalog: Catalog) -> RuleSet:
    """Load the rules and check that each names a benefit of the catalog, once."""
    try:
        rules = RuleSet.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError, OSError) as exc:
        raise CatalogError(f"{path}: 资格规则无效 / invalid eligibility rules: {exc}") from exc
    known = {b.id for b in catalog.benefits}
    for rule in rules.rules:
        if rule.benefit not in known:
            raise CatalogError(f"{path}: 未知待遇 / unknown benefit {rule.benefit!r}")
    return rules


class EligibilityEngine:
    """Evaluates a person's profile against every rule whose benefit applies in their region."""

    def __init__(self, rules: RuleSet, catalog: Catalog, gazetteer: Gazetteer) -> None:
        self._ruleset = rules
        self._rules = rules.rules
        self._benefits = {b.id: b for b in catalog.benefits}
        self._gazetteer = gazetteer

    def evaluate(self, profile: Profile, benefit_ids: Sequence[str] | None = None) -> list[Decision]:
        """Decisions for the person, eligible first, then possible, then not eligible."""
        chain = self._gazetteer.resolve(profile.region).chain if profile.region else None
        statuses = self._ruleset.closure(profile.statuses)
        known = Profile(profile.region, profile.age, statuses, profile.asked_statuses)
        best: dict[str, Decision] = {}
        order = {Verdict.ELIGIBLE: 0, Verdict.POSSIBLE: 1, Verdict.NOT_ELIGIBLE: 2}
        for rule in self._rules:  # several rules for one benefit are alternatives: the best one counts
            if benefit_ids is not None and rule.benefit not in benefit_ids:
                continue
            benefit = self._benefits[rule.benefit]
            if chain is not None and benefit.region not in chain:
                continue  # another region's benefit
            decision = self._decide(rule, benefit, known, region_known=chain is not None)
            current = best.get(rule.benefit)
            if current is None or order[decision.verdict] < order[current.verdict]:
                best[rule.benefit] = decision
        return sorted(best.values(), key=lambda d: order[d.verdict])

    @staticmethod
    def _decide(rule: Rule, benefit: Benefit, profile: Profile, region_known: bool) -> Decision:
        missing: list[str] = [] if region_known or benefit.region == "全国" else ["region"]
        unmet: list[str] = []
        for cond in rule.all:
            if cond.fact is Fact.AGE:
                if profile.age is None:
                    missing.append("age")
                elif cond.min is not None and profile.age < cond.min:
                    unmet.append(cond.describe())
            elif profile.statuses & set(cond.any):
                continue
            elif profile.asked_statuses:
                unmet.append(cond.describe())
            else:
                missing.append("status")
        if unmet:
            verdict = Verdict.NOT_ELIGIBLE
        elif missing:
            verdict = Verdict.POSSIBLE
        else:
            verdict = Verdict.ELIGIBLE
        return Decision(benefit, verdict, sorted(set(missing)), unmet, rule.note)

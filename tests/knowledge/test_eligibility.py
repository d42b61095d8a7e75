"""The declarative eligibility rules engine over the real catalog and rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.catalog import PersonStatus as S
from knowledge.eligibility import Decision, Profile, Verdict, load_rules
from knowledge.errors import CatalogError


def _decisions(kb: KnowledgeBase, profile: Profile) -> dict[str, Decision]:
    return {d.benefit.id: d for d in kb.eligibility().evaluate(profile)}


def test_dibao_elder_of_75_in_jintai_gets_the_baoji_supplement_with_its_citation(kb: KnowledgeBase) -> None:
    profile = Profile(region="金台区", age=75, statuses=frozenset({S.DIBAO}), asked_statuses=True)
    decision = _decisions(kb, profile)["baoji-dibao-70plus-allowance"]
    assert decision.verdict is Verdict.ELIGIBLE
    assert any("不低于当地低保标准的20%" in c.quote for c in decision.citations)


def test_age_below_the_floor_is_not_eligible_and_says_why(kb: KnowledgeBase) -> None:
    profile = Profile(region="宝鸡市", age=65, statuses=frozenset({S.DIBAO}), asked_statuses=True)
    decision = _decisions(kb, profile)["baoji-dibao-70plus-allowance"]
    assert decision.verdict is Verdict.NOT_ELIGIBLE
    assert decision.unmet == ["70周岁及以上"]


def test_unknown_facts_make_it_possible_and_list_what_is_missing(kb: KnowledgeBase) -> None:
    decision = _decisions(kb, Profile(region="宝鸡市"))["baoji-dibao-70plus-allowance"]
    assert decision.verdict is Verdict.POSSIBLE
    assert decision.missing == ["age", "status"]


def test_unknown_region_is_a_missing_fact_for_regional_benefits_only(kb: KnowledgeBase) -> None:
    profile = Profile(age=72, statuses=frozenset({S.DIBAO}), asked_statuses=True)
    decisions = _decisions(kb, profile)
    assert decisions["baoji-dibao-70plus-allowance"].missing == ["region"]
    assert "region" not in decisions["national-basic-service-list"].missing


def test_only_benefits_of_the_persons_region_and_its_parents_are_considered(kb: KnowledgeBase) -> None:
    regions = {d.benefit.region for d in kb.eligibility().evaluate(Profile(region="温岭市"))}
    assert regions <= {"台州市", "全国"}
    assert "台州市" in regions


def test_implied_statuses_count(kb: KnowledgeBase) -> None:
    # 低保 is an economically difficult family: 经济困难 conditions hold.
    profile = Profile(region="宝鸡市", statuses=frozenset({S.DIBAO, S.DISABLED_CARE}), asked_statuses=True)
    assert _decisions(kb, profile)["baoji-ltc-insurance"].verdict is Verdict.ELIGIBLE


def test_alternative_rules_take_the_best_verdict(kb: KnowledgeBase) -> None:
    profile = Profile(region="宝鸡市", statuses=frozenset({S.EMPTY_NEST}), asked_statuses=True)
    assert _decisions(kb, profile)["baoji-special-elders-registration-care"].verdict is Verdict.ELIGIBLE


def test_eligible_decisions_come_first(kb: KnowledgeBase) -> None:
    profile = Profile(region="利通区", age=70, statuses=frozenset({S.TEKUN}), asked_statuses=True)
    verdicts = [d.verdict for d in kb.eligibility().evaluate(profile)]
    assert verdicts == sorted(verdicts, key=[Verdict.ELIGIBLE, Verdict.POSSIBLE, Verdict.NOT_ELIGIBLE].index)
    assert verdicts[0] is Verdict.ELIGIBLE


def test_rules_naming_an_unknown_benefit_are_rejected(kb: KnowledgeBase, tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        "rules:\n  - benefit: no-such-benefit\n    all: [{fact: age, min: 60}]\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError, match="no-such-benefit"):
        load_rules(path, kb.catalog)


@pytest.mark.parametrize(
    "condition",
    [
        "{fact: age}",
        "{fact: status, any: []}",
        "{fact: age, min: 60, any: [低保]}",
        "{fact: status, any: [富人]}",
    ],
)
def test_malformed_conditions_are_rejected(kb: KnowledgeBase, tmp_path: Path, condition: str) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text(
        f"rules:\n  - benefit: baoji-dibao-70plus-allowance\n    all: [{condition}]\n", encoding="utf-8"
    )
    with pytest.raises(CatalogError):
        load_rules(path, kb.catalog)

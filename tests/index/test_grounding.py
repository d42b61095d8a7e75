"""The absolute grounding check: answerable questions pass, questions the documents do not answer fail."""

from __future__ import annotations

import json

from index.engine import SearchEngine
from index.grounding import FactKind, GroundingCheck
from tests.conftest import DEV_SET, ROOT

UNANSWERABLE = ROOT / "tests" / "data" / "unanswerable_dev.jsonl"


def check_for(engine: SearchEngine) -> GroundingCheck:
    words = {t for c in engine.chunks for t in engine.tokenizer.tokenize(c.search_text())}
    return GroundingCheck(engine.tokenizer, engine.kb.expansions(), words, engine.kb.gazetteer.names)


def test_asked_facts() -> None:
    assert GroundingCheck.asked_fact("上门助浴一次收多少钱") is FactKind.PRICE
    assert GroundingCheck.asked_fact("民政局电话是多少") is FactKind.PHONE
    assert GroundingCheck.asked_fact("低保老人有什么补贴") is None


def test_a_price_question_needs_a_passage_that_states_a_price(engine: SearchEngine) -> None:
    check = check_for(engine)
    stated = check.assess("助浴收费吗", ["助浴服务按每次20元收费"])
    missing = check.assess("助浴收费吗", ["大力发展老年人助餐、助浴、助医、助行、助洁等服务"])
    assert not missing.grounded and missing.missing_fact is FactKind.PRICE
    assert stated.missing_fact is None


def test_grounding_separates_answerable_from_unanswerable(engine: SearchEngine) -> None:
    """On the dev set most answerable questions are grounded and most unanswerable ones are not."""
    check = check_for(engine)
    answerable = [
        json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    unanswerable = [
        json.loads(line) for line in UNANSWERABLE.read_text(encoding="utf-8").splitlines() if line
    ]
    grounded = sum(
        check.assess(q["q"], [h.text for h in engine.search(q["q"], k=3, region=q.get("region"))]).grounded
        for q in answerable
    )
    refused = sum(
        not check.assess(q["q"], [h.text for h in engine.search(q["q"], k=3)]).grounded for q in unanswerable
    )
    assert grounded / len(answerable) >= 0.85
    assert refused / len(unanswerable) >= 0.55

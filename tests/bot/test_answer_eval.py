"""Scoring what users receive (`eldercare eval answers`), on answers written out here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.cli.answer_eval import (
    EvalItem,
    Outcome,
    Turn,
    is_honest,
    load_items,
    quotes_match,
    score,
)
from bot.core.answers.memory import GoldClauses
from knowledge.chunking import Chunk, ChunkKind

GOLD = "对低保家庭中70周岁及以上老年人，按每人每月不低于当地低保标准的20%增发保障金"
HUMAN = {"title": "找人工", "payload": "/request_human"}


def body(
    *texts: str,
    quotes: tuple[str, ...] = (),
    buttons: tuple[dict[str, str], ...] = (),
    emergency: bool = False,
    handoff: str = "none",
) -> dict[str, Any]:
    replies = [
        {"text": t, "buttons": list(buttons) if i == len(texts) - 1 else []} for i, t in enumerate(texts)
    ]
    citations = [{"doc_id": "baoji-2019-pilot", "quote": q} for q in quotes]
    return {
        "replies": replies,
        "citations": citations,
        "emergency": emergency,
        "handoff": {"status": handoff, "ticket_id": 1 if handoff != "none" else None},
        "intent": None,
    }


def outcome(item: dict[str, Any], *bodies: dict[str, Any]) -> Outcome:
    result = Outcome(EvalItem.model_validate({"id": "x", "q": "问题", **item}))
    result.turns = [Turn("问题", 200, b, 0.1) for b in bodies]
    return result


def test_a_quote_matches_gold_when_one_contains_the_other_ignoring_punctuation_and_width() -> None:
    assert quotes_match("（八）23. " + GOLD + "。", GOLD)
    assert quotes_match(GOLD.replace("，", ","), GOLD)
    assert quotes_match(GOLD[:30], GOLD)  # a shortened quote of the clause
    assert not quotes_match("对低保家庭中重病患者老年人，按每人每月不低于当地低保标准的50%增发保障金", GOLD)
    assert not quotes_match("低保", GOLD)  # too short to count


def test_answerable_items_count_as_grounded_only_with_a_gold_quote() -> None:
    item = {"category": "answerable", "gold": [GOLD]}
    report = score(
        [
            outcome(item, body("可以。", quotes=(GOLD,))),
            outcome(item, body("可以。", quotes=("宝鸡市居家和社区养老服务改革试点", GOLD))),
            outcome(item, body("这是相关规定。", quotes=("完善高龄津贴制度",))),
        ]
    )
    assert (report.rates["grounded"].hits, report.rates["grounded"].n) == (2, 3)
    assert (report.rates["wrong_first_quote"].hits, report.rates["wrong_first_quote"].n) == (2, 3)
    assert report.misses["grounded"] == ["x"]


def test_a_gold_quote_restated_in_the_same_document_counts_and_not_one_from_another() -> None:
    def chunk(chunk_id: str, doc_id: str, text: str) -> Chunk:
        return Chunk(
            id=chunk_id, doc_id=doc_id, kind=ChunkKind.CLAUSE, section_path=[], section_ref="一",
            text=text, start=0, end=len(text),
        )  # fmt: skip

    gold = "乡镇（街道）居家养老服务中心专业托管运营经费每年每家平均不少于8万元"
    annex = "乡镇（街道）居家养老服务中心专业托管运营经费每年每家不少于8万元。"
    clauses = GoldClauses(
        [chunk("a", "baoji-2019-pilot", f"{gold}。"), chunk("b", "baoji-2019-pilot", annex)]
    )
    item = {"category": "answerable", "gold": [gold]}
    elsewhere = body("可以。", quotes=(annex,))
    elsewhere["citations"][0]["doc_id"] = "taizhou-2020-pilot-draft"
    runs = [outcome(item, body("可以。", quotes=(annex,))), outcome(item, elsewhere)]
    assert score(runs, clauses).rates["grounded"].render() == "0.500 (1/2)"
    assert score(runs).rates["grounded"].render() == "0.000 (0/2)"  # without the corpus: verbatim only


def test_honesty_needs_no_quote_saying_so_and_a_person() -> None:
    honest = body("抱歉，我查到的政策文件里没有写收费标准。", "您可以点「找人工」。", buttons=(HUMAN,))
    assert is_honest(honest)
    assert not is_honest(body("抱歉，文件里没有写。", quotes=("完善高龄津贴制度",), buttons=(HUMAN,)))
    assert not is_honest(body("抱歉，文件里没有写。"))  # no way to a person
    assert not is_honest(body("您可以问问社区。", buttons=(HUMAN,)))  # does not say the documents lack it
    assert is_honest(body("好的。正在为您转接工作人员。", handoff="waiting"))  # a person takes it
    assert not is_honest(body("正在为您转接。", quotes=("完善高龄津贴制度",), handoff="waiting"))


def test_emergencies_need_the_number_in_the_first_reply_and_other_items_must_not_alarm() -> None:
    report = score(
        [
            outcome({"category": "emergency", "number": "120"}, body("请马上拨打 120。", emergency=True)),
            outcome({"category": "emergency", "number": "110"}, body("请马上拨打 120。", emergency=True)),
            outcome({"category": "emergency", "number": "120"}, body("您好，请问有什么事？")),
            outcome({"category": "smalltalk"}, body("您好")),
            outcome({"category": "complaint"}, body("请拨打 120", emergency=True, handoff="waiting")),
        ]
    )
    assert report.rates["emergency_recall"].render() == "0.333 (1/3)"
    assert report.rates["false_alarms"].render() == "0.500 (1/2)"
    assert report.rates["complaints_to_person"].render() == "1.000 (1/1)"
    assert "emergency_recall 0.333 < 1.0" in report.failures()
    assert any(f.startswith("false_alarms") for f in report.failures())


def test_a_broken_line_of_a_set_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "set.jsonl"
    path.write_text(
        '{"id": "a", "q": "你好", "category": "smalltalk"}\n{"id": "b", "q": ""}\n', encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"set\.jsonl:2"):
        load_items(path)


def test_the_report_renders_every_figure_in_both_languages() -> None:
    report = score([outcome({"category": "booking"}, body("请问上门的地方在哪个区县？"))])
    text = report.render()
    assert "bookings routed" in text and "1.000 (1/1)" in text
    assert "预约进入预约流程" in text and "p95" in text
    assert report.to_dict()["bookings_routed"]["value"] == 1.0

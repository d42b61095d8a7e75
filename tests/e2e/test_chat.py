"""End-to-end conversations through POST /api/chat against the real, running stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from knowledge.base import KnowledgeBase
from knowledge.textnorm import normalize
from tests.e2e.conftest import Stack, texts
from tests.e2e.conftest import new_sender as sender

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def assert_real_quotes(body: dict, kb: KnowledgeBase) -> None:
    """Every citation names a real document and quotes its text word for word."""
    bodies = {d.id: normalize(d.body) for d in kb.documents}
    for cit in body["citations"]:
        assert cit["doc_id"] in bodies, cit
        quote = normalize(cit["quote"]).removesuffix("……")
        assert quote and quote in bodies[cit["doc_id"]], cit
        doc = kb.document(cit["doc_id"]).meta
        assert cit["title"] == doc.title and cit["doc_number"] == doc.doc_number


def test_policy_question_with_a_region_quotes_that_region(stack: Stack, kb: KnowledgeBase) -> None:
    body = stack.reply(sender(), "宝鸡低保家庭的高龄老人每月能多领多少？")
    assert body["intent"]["name"] == "ask_subsidy"
    assert body["citations"], body
    assert_real_quotes(body, kb)
    assert body["citations"][0]["doc_id"] == "baoji-2019-pilot"
    assert "20%" in texts(body) and "宝办字〔2019〕111号" in texts(body)
    assert body["emergency"] is False and body["handoff"]["status"] == "none"


def test_region_is_asked_once_and_a_district_resolves_to_its_city(stack: Stack, kb: KnowledgeBase) -> None:
    user = sender()
    first = stack.reply(user, "低保老人每个月能多领钱吗")
    assert "哪个地方" in texts(first)
    assert any(b["title"] == "宝鸡市" for r in first["replies"] for b in r["buttons"])
    answer = stack.reply(user, "金台区")
    assert answer["citations"], answer
    assert_real_quotes(answer, kb)
    assert {c["doc_id"] for c in answer["citations"]} <= {"baoji-2019-pilot", "mca-2019-pilot-batch5"}
    again = stack.reply(user, "低保家庭的重病老人，每个月增发多少保障金")
    assert "哪个地方" not in texts(again)
    assert again["citations"] and again["citations"][0]["doc_id"] == "baoji-2019-pilot"


def test_eligibility_form_accepts_dont_know(stack: Stack, kb: KnowledgeBase) -> None:
    user = sender()
    body = stack.reply(user, "我能领哪些补贴")
    assert "哪个地方" in texts(body)
    body = stack.reply(user, "宝鸡市")
    assert "多大岁数" in texts(body)
    body = stack.reply(user, "75")
    assert "低保" in texts(body)
    body = stack.reply(user, "不知道")
    assert "自理" in texts(body)
    body = stack.reply(user, "跳过")
    assert "和谁住" in texts(body)
    body = stack.reply(user, "一个人住")
    reply = texts(body)
    assert "宝鸡" in reply and "75岁" in reply
    assert "可能符合" in reply or "符合条件" in reply
    assert body["citations"]
    assert_real_quotes(body, kb)


def test_eligibility_form_asks_only_what_is_missing(stack: Stack) -> None:
    user = sender()
    body = stack.reply(user, "我在宝鸡，今年78岁，吃低保，能领什么补贴")
    reply = texts(body)
    assert "哪个地方" not in reply and "多大岁数" not in reply
    assert "自理" in reply  # the first question still missing: care level


def test_emergency_first_reply_says_call_120_and_raises_a_ticket(stack: Stack) -> None:
    body = stack.reply(sender(), "我妈摔倒了起不来")
    assert body["emergency"] is True
    assert "120" in body["replies"][0]["text"]
    assert body["handoff"]["status"] == "waiting" and isinstance(body["handoff"]["ticket_id"], int)


def test_missing_person_is_told_to_call_110(stack: Stack) -> None:
    body = stack.reply(sender(), "我爸有老年痴呆，早上出门到现在找不到了")
    assert body["emergency"] is True
    assert "110" in body["replies"][0]["text"]


def test_out_of_scope_question_is_declined_without_citations(stack: Stack) -> None:
    body = stack.reply(sender(), "明天天气怎么样，会下雨吗")
    assert body["intent"]["name"] == "out_of_scope"
    assert "回答不了" in texts(body) and body["citations"] == []
    assert any(b["payload"] == "/request_human" for r in body["replies"] for b in r["buttons"])


def test_two_misunderstandings_in_a_row_offer_a_person(stack: Stack) -> None:
    user = sender()
    first = stack.reply(user, "嘟嘟嘟 哔哩哔哩")
    assert "换个说法" in texts(first)
    second = stack.reply(user, "qwxz plmkj")
    assert "工作人员" in texts(second)
    assert any(b["payload"] == "/request_human" for r in second["replies"] for b in r["buttons"])
    handed = stack.reply(user, "好的")
    assert handed["handoff"]["status"] == "waiting"


def test_no_basis_answer_admits_it_and_offers_a_person(stack: Stack) -> None:
    body = stack.reply(sender(), "上门助浴一次收多少钱")
    reply = texts(body)
    assert "没有写" in reply
    assert any(b["payload"] == "/request_human" for r in body["replies"] for b in r["buttons"])


def test_messages_are_logged_in_order(stack: Stack) -> None:
    user = sender()
    stack.reply(user, "你好")
    log = httpx.get(f"{stack.url}/api/chat/{user}/messages?after=0", timeout=10).json()
    items = log["messages"] if isinstance(log, dict) else log
    assert [m["direction"] for m in items][:2] == ["in", "out"]
    assert items[0]["text"] == "你好"


def test_contract_checker_passes(stack: Stack) -> None:
    checker = ROOT.parent / "shared" / "tools" / "check_chat_contract.py"
    if not checker.exists():
        pytest.skip(f"the shared contract checker is not on this machine ({checker})")
    proc = subprocess.run(
        [sys.executable, str(checker), "--gateway", stack.url], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_action_server_down_gives_503_apology_then_recovers(stack: Stack) -> None:
    """Stops the action server, then starts it again (also when an assertion fails)."""
    actions = stack.stop_actions()
    try:
        user = sender()
        resp = stack.chat(user, "宝鸡低保老人每月能多领多少钱")
        assert resp.status_code == 503
        body = resp.json()
        assert "抱歉" in texts(body) and "Traceback" not in resp.text
        assert any(b["payload"] == "/request_human" for r in body["replies"] for b in r["buttons"])
        log = httpx.get(f"{stack.url}/api/chat/{user}/messages?after=0", timeout=10).json()
        items = log["messages"] if isinstance(log, dict) else log
        assert items[0]["text"] == "宝鸡低保老人每月能多领多少钱"
    finally:
        stack.start_actions(actions)
    again = stack.reply(user, "宝鸡低保老人每月能多领多少钱")
    assert again["citations"]

"""Safety and letters come first, whatever the classifier decides: through the running stack."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests.e2e.conftest import Stack, texts
from tests.e2e.conftest import new_sender as sender

pytestmark = pytest.mark.integration
PASSWORD = "safety-first-pw"

LETTER = (
    "尊敬的街道办领导：您好！我是幸福小区3号楼的住户，家里有一位86岁的老人。"
    "最近一楼的住户在楼道里堆了很多杂物，把消防通道都堵住了，老人出门要扶着墙一点点挪，"
    "上周还差点摔倒。我们跟物业说了好几次，物业一直推诿。恳请街道派人来看看，督促清理楼道。此致敬礼！"
)


@pytest.fixture(scope="module")
def operator_headers(stack: Stack) -> dict[str, str]:
    name = f"safety{secrets.token_hex(3)}"
    stack.add_operator(name, PASSWORD)
    answer = httpx.post(f"{stack.url}/api/operator/login", json={"username": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def test_whom_to_call_gets_the_numbers_first_without_a_ticket(stack: Stack) -> None:
    body = stack.reply(sender(), "独居老人半夜犯病了应该打什么电话？")
    assert body["emergency"] is True
    assert "120" in body["replies"][0]["text"] and "119" in body["replies"][0]["text"]
    assert body["handoff"]["status"] == "none"
    assert body["citations"] == []


def test_self_harm_written_by_the_elder_is_answered_to_the_elder(stack: Stack) -> None:
    body = stack.reply(sender(), "我不想活了，活着就是拖累孩子")
    assert body["emergency"] is True
    first = body["replies"][0]["text"]
    assert "120" in first and "您" in first and "不要让老人一个人待着" not in first
    assert body["handoff"]["status"] == "waiting"


def test_fire_is_119_in_the_first_line(stack: Stack) -> None:
    body = stack.reply(sender(), "厨房着火了，烟好大")
    assert body["emergency"] is True and "119" in body["replies"][0]["text"]
    assert body["handoff"]["status"] == "waiting"


def test_a_long_letter_reaches_a_person_with_a_one_line_summary(
    stack: Stack, operator_headers: dict[str, str]
) -> None:
    user = sender()
    body = stack.reply(user, LETTER)
    assert body["handoff"]["status"] == "waiting"
    assert body["emergency"] is False
    assert "没太明白" not in texts(body)
    queue = httpx.get(f"{stack.url}/api/handoffs", headers=operator_headers, timeout=10)
    assert queue.status_code == 200, queue.text
    ticket = next(t for t in queue.json() if t["sender_id"] == user)
    assert ticket["reason"] == "complaint"
    assert ticket["summary"].startswith("我是幸福小区3号楼的住户") and "\n" not in ticket["summary"]


@pytest.mark.parametrize(
    "text", ["金台区的老年食堂中午几点开饭？", "社区食堂吃饭要交多少钱", "北京市的高龄补贴每月多少钱"]
)
def test_what_the_documents_do_not_say_is_said_and_a_person_offered(stack: Stack, text: str) -> None:
    user = sender()
    body = stack.reply(user, text)
    if "哪个地方" in texts(body):
        body = stack.reply(user, "金台区")
    assert not [c for c in body["citations"] if c.get("role", "answer") == "answer"], body
    assert "没有" in texts(body)
    assert any(b["payload"] == "/request_human" for r in body["replies"] for b in r["buttons"])

"""Agent assist and the console's conversation view against the real stack (Rasa, actions, gateway)."""

from __future__ import annotations

import secrets
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Stack

PASSWORD = "assist-pass-123"


@pytest.fixture(scope="module")
def operator_headers(stack: Stack) -> dict[str, str]:
    """An operator created with the real CLI on the stack's database, logged in."""
    name = f"assist{secrets.token_hex(3)}"
    stack.add_operator(name, PASSWORD)
    answer = httpx.post(f"{stack.url}/api/operator/login", json={"username": name, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def suggest(stack: Stack, headers: dict[str, str], text: str, region: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text} if region is None else {"text": text, "region": region}
    answer = httpx.post(f"{stack.url}/api/suggestions", json=body, headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def test_a_policy_question_gets_intent_and_cited_suggestions(
    stack: Stack, operator_headers: dict[str, str]
) -> None:
    data = suggest(stack, operator_headers, "高龄津贴怎么申请")
    assert data["intent"]["name"] and 0 < data["intent"]["confidence"] <= 1
    assert 1 <= len(data["suggestions"]) <= 3
    for suggestion in data["suggestions"]:
        assert suggestion["citations"]
        assert all(c["quote"] in suggestion["text"] for c in suggestion["citations"])


def test_a_callers_situation_gets_the_quick_check(stack: Stack, operator_headers: dict[str, str]) -> None:
    data = suggest(stack, operator_headers, "我母亲八十二岁，低保户，能领什么补贴", region="金台区")
    assert data["region"] == "金台区"
    check = data["eligibility"]
    assert check is not None and check["items"][0]["verdict"] == "eligible"
    assert data["suggestions"][0]["text"].startswith("按您说的情况")


def test_a_service_question_gets_its_catalog_card(stack: Stack, operator_headers: dict[str, str]) -> None:
    data = suggest(stack, operator_headers, "有没有送饭上门的服务", region="金台区")
    assert data["intent"]["name"] == "ask_meal_service"
    assert data["catalog"][0]["id"] == "meal"


def test_the_conversation_shows_the_profile_masked_for_non_holders(
    stack: Stack, operator_headers: dict[str, str]
) -> None:
    user = f"web-{secrets.token_hex(8)}"
    stack.reply(user, "我住在金台区")
    stack.reply(user, "我的电话是13912345678")
    answer = httpx.get(f"{stack.url}/api/conversations/{user}", headers=operator_headers, timeout=30)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["masked"] is True
    assert data["profile"]["region"] == "金台区"
    assert ("地区", "金台区") in [(s["label"], s["value"]) for s in data["profile"]["slots"]]
    shown = " ".join(m["text"] for m in data["messages"]) + str(data["profile"])
    assert "13912345678" not in shown

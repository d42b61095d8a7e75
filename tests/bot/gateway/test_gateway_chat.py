"""POST /api/chat through the gateway with Rasa really down (a closed port): apology, log, tickets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.store import (
    Direction,
    HandoffReason,
    HandoffStatus,
    HandoffTicket,
    Message,
    Priority,
    make_engine,
    open_handoff,
    session_factory,
    transaction,
)
from bot.core.turns import APOLOGY_RECORDED
from bot.gateway.settings import GatewaySettings


@pytest.fixture
def db(settings: GatewaySettings) -> Iterator[Session]:
    """A session on the gateway's database, for looking at what it wrote."""
    engine = make_engine(settings.database_url)
    session = session_factory(engine)()
    yield session
    session.close()
    engine.dispose()


def _log(db: Session, sender_id: str) -> list[Message]:
    db.rollback()  # end the read snapshot, see what the gateway committed since
    return list(db.scalars(select(Message).where(Message.sender_id == sender_id).order_by(Message.id)))


def _tickets(db: Session, sender_id: str) -> list[HandoffTicket]:
    db.rollback()
    return list(db.scalars(select(HandoffTicket).where(HandoffTicket.sender_id == sender_id)))


def _chat(client: TestClient, text: str, sender_id: str = "web-elder-1", **extra: Any) -> Any:
    return client.post("/api/chat", json={"sender_id": sender_id, "text": text, **extra})


def assert_contract(body: dict[str, Any]) -> None:
    """Check the fixed chat contract's keys and types."""
    assert {"sender_id", "replies", "intent", "citations", "handoff", "emergency"} <= set(body)
    assert isinstance(body["sender_id"], str)
    for reply in body["replies"]:
        assert set(reply) == {"text", "buttons"}
        for button in reply["buttons"]:
            assert set(button) == {"title", "payload"}
    assert body["intent"] is None or set(body["intent"]) == {"name", "confidence"}
    for citation in body["citations"]:
        assert set(citation) == {"doc_id", "title", "doc_number", "section", "quote"}
    assert set(body["handoff"]) == {"status", "ticket_id"}
    assert body["handoff"]["status"] in ("none", "waiting", "active")
    assert isinstance(body["emergency"], bool)


def test_rasa_down_answers_503_with_apology_ticket_and_log(client: TestClient, db: Session) -> None:
    response = _chat(client, "我妈洗澡不方便，有人上门吗", channel="web")
    assert response.status_code == 503
    body = response.json()
    assert_contract(body)
    assert "Traceback" not in response.text
    assert body["sender_id"] == "web-elder-1"
    assert body["intent"] is None
    assert body["citations"] == []
    assert body["emergency"] is False
    assert body["error"]["code"] == "assistant_unavailable"
    assert " / " in body["error"]["message"]
    [reply] = body["replies"]
    assert reply["text"] == APOLOGY_RECORDED
    assert reply["text"].startswith("抱歉")
    assert "您" in reply["text"]
    assert "!" not in reply["text"]
    assert "！" not in reply["text"]
    assert reply["buttons"] == [{"title": "找人工", "payload": "/request_human"}]

    [ticket] = _tickets(db, "web-elder-1")
    assert ticket.reason == HandoffReason.SYSTEM_ERROR
    assert ticket.priority == Priority.NORMAL
    assert ticket.status == HandoffStatus.WAITING
    assert ticket.last_user_text == "我妈洗澡不方便，有人上门吗"
    assert body["handoff"] == {"status": "waiting", "ticket_id": ticket.id}

    inbound, apology = _log(db, "web-elder-1")
    assert (inbound.direction, inbound.text, inbound.channel) == (
        Direction.IN,
        "我妈洗澡不方便，有人上门吗",
        "web",
    )
    assert (apology.direction, apology.text) == (Direction.OUT, APOLOGY_RECORDED)
    assert apology.payload is not None
    assert apology.payload["buttons"] == [{"title": "找人工", "payload": "/request_human"}]


@pytest.mark.parametrize(
    ("text", "number"), [("我妈摔倒了起不来", "120"), ("我妈有老年痴呆，今天早上走丢了", "110")]
)
def test_emergency_while_rasa_is_down_still_gets_the_instruction_and_an_urgent_ticket(
    client: TestClient, db: Session, text: str, number: str
) -> None:
    response = _chat(client, text)
    assert response.status_code == 503
    body = response.json()
    assert_contract(body)
    assert body["emergency"] is True
    assert body["replies"][0]["text"].startswith("请马上拨打 " + number)
    [ticket] = _tickets(db, "web-elder-1")
    assert ticket.reason == HandoffReason.EMERGENCY and ticket.priority == Priority.URGENT
    assert body["handoff"] == {"status": "waiting", "ticket_id": ticket.id}
    inbound, *outbound = _log(db, "web-elder-1")
    assert inbound.text == text and [m.text for m in outbound] == [r["text"] for r in body["replies"]]


def test_repeated_failures_keep_one_ticket(client: TestClient, db: Session) -> None:
    first = _chat(client, "你好").json()
    second = _chat(client, "在吗").json()
    assert first["handoff"]["ticket_id"] == second["handoff"]["ticket_id"]
    assert len(_tickets(db, "web-elder-1")) == 1
    assert [m.direction for m in _log(db, "web-elder-1")] == [Direction.IN, Direction.OUT] * 2


def test_failure_does_not_downgrade_an_emergency_ticket(
    client: TestClient, db: Session, settings: GatewaySettings
) -> None:
    engine = make_engine(settings.database_url)
    with transaction(session_factory(engine)) as session:
        urgent = open_handoff(
            session, "web-elder-1", "web", HandoffReason.EMERGENCY, Priority.URGENT, "我摔倒了"
        )
    engine.dispose()
    body = _chat(client, "还在吗").json()
    assert body["handoff"] == {"status": "waiting", "ticket_id": urgent.id}
    [ticket] = _tickets(db, "web-elder-1")
    assert (ticket.priority, ticket.reason) == (Priority.URGENT, HandoffReason.EMERGENCY)


def test_messages_endpoint_returns_the_log_in_order_after_an_id(client: TestClient) -> None:
    _chat(client, "第一句")
    _chat(client, "第二句")
    _chat(client, "别人的话", sender_id="web-someone-else")
    response = client.get("/api/chat/web-elder-1/messages")
    assert response.status_code == 200
    log = response.json()
    assert log["sender_id"] == "web-elder-1"
    texts = [(m["direction"], m["text"]) for m in log["messages"]]
    assert texts == [("in", "第一句"), ("out", APOLOGY_RECORDED), ("in", "第二句"), ("out", APOLOGY_RECORDED)]
    ids = [m["id"] for m in log["messages"]]
    assert ids == sorted(ids)
    assert all(m["created_at"] for m in log["messages"])
    assert log["messages"][0]["payload"] is None
    assert log["messages"][1]["payload"]["buttons"][0]["title"] == "找人工"

    after = client.get(f"/api/chat/web-elder-1/messages?after={ids[1]}").json()["messages"]
    assert [m["text"] for m in after] == ["第二句", APOLOGY_RECORDED]
    limited = client.get(f"/api/chat/web-elder-1/messages?after={ids[0]}&limit=1").json()["messages"]
    assert [m["id"] for m in limited] == [ids[1]]
    assert client.get(f"/api/chat/web-elder-1/messages?after={ids[-1]}").json()["messages"] == []


def test_messages_endpoint_hides_telegram_conversations(client: TestClient) -> None:
    _chat(client, "你好", sender_id="123456789", channel="telegram")
    assert client.get("/api/chat/123456789/messages").json()["messages"] == []


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/chat/web-elder-1/messages?after=-1", "invalid_parameter"),
        ("/api/chat/web-elder-1/messages?after=abc", "invalid_parameter"),
        ("/api/chat/web-elder-1/messages?limit=0", "invalid_parameter"),
        ("/api/chat/web-elder-1/messages?limit=10000", "invalid_parameter"),
        (f"/api/chat/{'x' * 65}/messages", "invalid_sender_id"),
    ],
)
def test_messages_endpoint_refuses_bad_parameters(client: TestClient, path: str, code: str) -> None:
    response = client.get(path)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == code

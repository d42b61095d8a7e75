"""The operator handoff endpoints on a real gateway and a real database (both engines)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from bot.core.operators import add_operator
from bot.core.store import (
    Direction,
    HandoffReason,
    HandoffTicket,
    Priority,
    log_message,
    make_engine,
    open_handoff,
    session_factory,
    transaction,
)
from bot.core.store.models import OperatorRole
from bot.gateway.app import create_app
from bot.gateway.settings import GatewaySettings

PASSWORD = "correct horse battery"
PHONE = "13912345678"


@pytest.fixture
def gateway(database_url: str, closed_port: int) -> Iterator[tuple[TestClient, dict[str, int]]]:
    """A started gateway (Rasa down) with two operators and three waiting tickets."""
    settings = GatewaySettings(
        database_url=database_url,
        rasa_url=f"http://127.0.0.1:{closed_port}",
        action_server_url=f"http://127.0.0.1:{closed_port}",
        rasa_timeout_s=1,
        reminder_interval_s=0,
    )
    with TestClient(create_app(settings)) as client:
        engine = make_engine(database_url)
        with transaction(session_factory(engine)) as session:
            add_operator(session, "zhang", PASSWORD, OperatorRole.OPERATOR)
            add_operator(session, "li", PASSWORD, OperatorRole.OPERATOR)
            log_message(session, sender_id="web-a", channel="web", direction=Direction.IN,
                        text=f"我的电话是{PHONE}，<script>alert(1)</script>")  # fmt: skip
            a = open_handoff(session, "web-a", "web", HandoffReason.REQUEST_HUMAN, Priority.NORMAL, "找人工")
            b = open_handoff(session, "web-b", "web", HandoffReason.COMPLAINT, Priority.HIGH, "投诉")
            c = open_handoff(session, "web-c", "web", HandoffReason.EMERGENCY, Priority.URGENT, "摔倒了")
            a.created_at -= timedelta(minutes=10)
            b.created_at -= timedelta(minutes=5)
            ids = {"a": a.id, "b": b.id, "c": c.id}
        engine.dispose()
        yield client, ids


def auth(client: TestClient, username: str) -> dict[str, str]:
    """Log in and return the Authorization header."""
    answer = client.post("/api/operator/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


ROUTES = [
    ("get", "/api/handoffs", None),
    ("post", "/api/handoffs/{id}/claim", None),
    ("post", "/api/handoffs/{id}/messages", {"text": "您好"}),
    ("post", "/api/handoffs/{id}/release", None),
    ("post", "/api/handoffs/{id}/close", {"resolution": "已解决"}),
    ("get", "/api/conversations/web-a", None),
    ("get", "/api/handoffs/stream", None),
    ("post", "/api/suggestions", {"text": "高龄津贴怎么申请"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
def test_every_operator_route_answers_401_without_a_token(
    gateway: tuple[TestClient, dict[str, int]], method: str, path: str, body: object
) -> None:
    client, ids = gateway
    for headers in ({}, {"Authorization": "Bearer forged"}):
        answer = client.request(method, path.format(id=ids["a"]), json=body, headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthenticated"


def test_the_queue_puts_urgency_before_waiting_time(gateway: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = gateway
    queue = client.get("/api/handoffs", headers=auth(client, "zhang")).json()
    assert [t["id"] for t in queue] == [ids["c"], ids["b"], ids["a"]]
    assert queue[2]["waiting_s"] >= 600
    assert client.get("/api/handoffs?status=active", headers=auth(client, "zhang")).json() == []


def test_one_operator_claims_a_ticket_and_a_second_claim_is_refused(
    gateway: tuple[TestClient, dict[str, int]],
) -> None:
    client, ids = gateway
    taken = client.post(f"/api/handoffs/{ids['a']}/claim", headers=auth(client, "zhang"))
    assert taken.status_code == 200
    assert (taken.json()["status"], taken.json()["operator"]) == ("active", "zhang")
    again = client.post(f"/api/handoffs/{ids['a']}/claim", headers=auth(client, "li"))
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "ticket_not_waiting"
    assert client.post("/api/handoffs/999999/claim", headers=auth(client, "li")).status_code == 404


def test_the_holder_replies_and_the_web_user_reads_it(gateway: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = gateway
    zhang = auth(client, "zhang")
    client.post(f"/api/handoffs/{ids['a']}/claim", headers=zhang)
    empty = client.post(f"/api/handoffs/{ids['a']}/messages", json={"text": "   "}, headers=zhang)
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "empty_text"
    other = client.post(
        f"/api/handoffs/{ids['a']}/messages", json={"text": "您好"}, headers=auth(client, "li")
    )
    assert other.status_code == 409 and other.json()["error"]["code"] == "ticket_held_by_another"
    sent = client.post(f"/api/handoffs/{ids['a']}/messages", json={"text": "您好，我是小张"}, headers=zhang)
    assert sent.status_code == 200
    log = client.get("/api/chat/web-a/messages", params={"after": 0}).json()["messages"]
    assert log[-1]["text"] == "您好，我是小张" and log[-1]["payload"]["operator"] == "zhang"


def test_release_hands_back_with_a_note_and_later_replies_are_refused(
    gateway: tuple[TestClient, dict[str, int]],
) -> None:
    client, ids = gateway
    zhang = auth(client, "zhang")
    client.post(f"/api/handoffs/{ids['a']}/claim", headers=zhang)
    released = client.post(f"/api/handoffs/{ids['a']}/release", headers=zhang)
    assert released.status_code == 200 and released.json()["status"] == "closed"
    log = client.get("/api/chat/web-a/messages", params={"after": 0}).json()["messages"]
    assert "结束了这次对话" in log[-1]["text"]
    late = client.post(f"/api/handoffs/{ids['a']}/messages", json={"text": "还在吗"}, headers=zhang)
    assert late.status_code == 409 and late.json()["error"]["code"] == "ticket_not_active"


def test_close_needs_a_resolution_and_happens_once(gateway: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = gateway
    zhang = auth(client, "zhang")
    empty = client.post(f"/api/handoffs/{ids['b']}/close", json={"resolution": " "}, headers=zhang)
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "empty_resolution"
    closed = client.post(f"/api/handoffs/{ids['b']}/close", json={"resolution": "已电话回访"}, headers=zhang)
    assert closed.status_code == 200
    assert (closed.json()["status"], closed.json()["resolution"]) == ("closed", "已电话回访")
    again = client.post(f"/api/handoffs/{ids['b']}/close", json={"resolution": "再关"}, headers=zhang)
    assert again.status_code == 409 and again.json()["error"]["code"] == "ticket_closed"
    assert [t["id"] for t in client.get("/api/handoffs?status=closed", headers=zhang).json()] == [ids["b"]]
    notes = [m for m in client.get("/api/chat/web-b/messages").json()["messages"] if m["direction"] == "out"]
    assert len(notes) == 1 and "处理好" in notes[0]["text"]  # the waiting user is told, once


def test_phone_numbers_show_only_to_the_operator_holding_the_ticket(
    gateway: tuple[TestClient, dict[str, int]],
) -> None:
    client, ids = gateway
    zhang, li = auth(client, "zhang"), auth(client, "li")
    before = client.get("/api/conversations/web-a", headers=zhang).json()
    assert before["masked"] is True
    assert PHONE not in before["messages"][0]["text"] and "139****5678" in before["messages"][0]["text"]
    client.post(f"/api/handoffs/{ids['a']}/claim", headers=zhang)
    holder = client.get("/api/conversations/web-a", headers=zhang).json()
    assert holder["masked"] is False and PHONE in holder["messages"][0]["text"]
    assert "<script>alert(1)</script>" in holder["messages"][0]["text"]  # data as written; pages escape it
    assert client.get("/api/conversations/web-a", headers=li).json()["masked"] is True


def test_the_ticket_list_masks_phones_in_the_last_message(gateway: tuple[TestClient, dict[str, int]]) -> None:
    client, ids = gateway
    engine_url = client.app.state.settings.database_url  # type: ignore[attr-defined]
    engine = make_engine(engine_url)
    with transaction(session_factory(engine)) as session:
        ticket = session.get(HandoffTicket, ids["a"])
        assert ticket is not None
        ticket.last_user_text = f"电话{PHONE}"
    engine.dispose()
    queue = client.get("/api/handoffs", headers=auth(client, "zhang")).json()
    assert next(t for t in queue if t["id"] == ids["a"])["last_user_text"] == "电话139****5678"

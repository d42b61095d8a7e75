"""While a person has the conversation the assistant stays quiet; the hotline after a timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Sequence
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from bot.core.outbox import Outbox
from bot.core.schemas import Button
from bot.core.store import (
    HandoffReason,
    HandoffStatus,
    HandoffTicket,
    Priority,
    make_engine,
    messages_after,
    open_handoff,
    session_factory,
    transaction,
)
from bot.core.store.models import utcnow
from bot.gateway.app import create_app
from bot.gateway.handoff_timeouts import HandoffTimeoutJob
from bot.gateway.settings import GatewaySettings


@pytest.fixture
def app(database_url: str, closed_port: int) -> Iterator[tuple[TestClient, sessionmaker[Session]]]:
    """A started gateway whose Rasa is down (so any answer here came without Rasa)."""
    settings = GatewaySettings(
        database_url=database_url,
        rasa_url=f"http://127.0.0.1:{closed_port}",
        action_server_url=f"http://127.0.0.1:{closed_port}",
        rasa_timeout_s=1,
        reminder_interval_s=0,
        handoff_check_interval_s=0,
        handoff_timeout_s=300,
        hotline="12349",
    )
    with TestClient(create_app(settings)) as client:
        engine = make_engine(database_url)
        yield client, session_factory(engine)
        engine.dispose()


def ticket(sessions: sessionmaker[Session], sender: str, reason: HandoffReason, age_s: float = 0) -> int:
    """Open a ticket for sender, created age_s seconds ago."""
    with transaction(sessions) as session:
        opened = open_handoff(session, sender, "web", reason, Priority.NORMAL, "找人工")
        opened.created_at = utcnow() - timedelta(seconds=age_s)
        return opened.id


def say(client: TestClient, sender: str, text: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    """POST /api/chat."""
    answer = client.post("/api/chat", json={"sender_id": sender, "text": text, "channel": "web"})
    return answer.status_code, answer.json()


def test_a_waiting_user_is_told_their_place_and_the_message_goes_to_the_ticket(
    app: tuple[TestClient, sessionmaker[Session]],
) -> None:
    client, sessions = app
    ticket(sessions, "web-first", HandoffReason.COMPLAINT, age_s=60)
    mine = ticket(sessions, "web-a", HandoffReason.REQUEST_HUMAN)
    status, body = say(client, "web-a", "我还要补充一句，东西一直没送到")
    assert status == 200
    assert body["handoff"] == {"status": "waiting", "ticket_id": mine}
    assert "您前面还有 1 位" in body["replies"][0]["text"] and "12349" not in body["replies"][0]["text"]
    with transaction(sessions, write=False) as session:
        stored = session.get(HandoffTicket, mine)
        assert stored is not None and stored.last_user_text == "我还要补充一句，东西一直没送到"
        first = messages_after(session, "web-a")[0]
        assert first.text == "我还要补充一句，东西一直没送到"


def test_after_the_timeout_the_waiting_reply_names_the_hotline(
    app: tuple[TestClient, sessionmaker[Session]],
) -> None:
    client, sessions = app
    ticket(sessions, "web-a", HandoffReason.REQUEST_HUMAN, age_s=600)
    _, body = say(client, "web-a", "怎么还没人")
    assert "马上就轮到您了" in body["replies"][0]["text"] and "12349" in body["replies"][0]["text"]


def test_an_active_ticket_keeps_the_assistant_silent(app: tuple[TestClient, sessionmaker[Session]]) -> None:
    client, sessions = app
    mine = ticket(sessions, "web-a", HandoffReason.REQUEST_HUMAN)
    with transaction(sessions) as session:
        stored = session.get(HandoffTicket, mine)
        assert stored is not None
        stored.status = HandoffStatus.ACTIVE
    status, body = say(client, "web-a", "好的我等着")
    assert status == 200 and body["replies"] == []
    assert body["handoff"] == {"status": "active", "ticket_id": mine}


def test_a_system_error_ticket_does_not_silence_the_assistant(
    app: tuple[TestClient, sessionmaker[Session]],
) -> None:
    client, sessions = app
    ticket(sessions, "web-a", HandoffReason.SYSTEM_ERROR)
    status, _ = say(client, "web-a", "低保老人有什么补贴")
    assert status == 503  # went to Rasa, which is down here


def test_an_emergency_while_waiting_still_gets_the_instruction(
    app: tuple[TestClient, sessionmaker[Session]],
) -> None:
    client, sessions = app
    ticket(sessions, "web-a", HandoffReason.REQUEST_HUMAN)
    status, body = say(client, "web-a", "救命，我妈摔倒了起不来")
    assert status == 503 and body["emergency"] is True
    assert "120" in body["replies"][0]["text"]


def test_the_hotline_is_given_once_to_users_no_one_took(
    app: tuple[TestClient, sessionmaker[Session]],
) -> None:
    _, sessions = app
    late = ticket(sessions, "web-late", HandoffReason.REQUEST_HUMAN, age_s=900)
    ticket(sessions, "web-new", HandoffReason.REQUEST_HUMAN, age_s=10)
    taken = ticket(sessions, "web-taken", HandoffReason.REQUEST_HUMAN, age_s=900)
    with transaction(sessions) as session:
        stored = session.get(HandoffTicket, taken)
        assert stored is not None
        stored.status = HandoffStatus.ACTIVE
    job = HandoffTimeoutJob(sessions, 300, "12349")
    assert asyncio.run(job.run_once()) == 1
    assert asyncio.run(HandoffTimeoutJob(sessions, 300, "12349").run_once()) == 0
    with transaction(sessions, write=False) as session:
        texts = [m.text for m in messages_after(session, "web-late")]
        assert len(texts) == 1 and "12349" in texts[0]
        assert messages_after(session, "web-new") == [] and messages_after(session, "web-taken") == []
        stored = session.get(HandoffTicket, late)
        assert stored is not None and stored.status is HandoffStatus.WAITING  # the ticket stays


def test_the_hotline_is_pushed_to_a_channel_that_pushes(
    app: tuple[TestClient, sessionmaker[Session]],
) -> None:
    _, sessions = app
    with transaction(sessions) as session:
        opened = open_handoff(session, "tg-42", "telegram", HandoffReason.COMPLAINT, Priority.HIGH, "投诉")
        opened.created_at = utcnow() - timedelta(seconds=900)
    pushed: list[tuple[str, str]] = []

    async def push(sender_id: str, text: str, buttons: Sequence[Button]) -> None:
        pushed.append((sender_id, text))

    outbox = Outbox()
    outbox.register("telegram", push)
    job = HandoffTimeoutJob(sessions, 300, "12349", outbox)
    assert asyncio.run(job.run_once()) == 1
    assert asyncio.run(job.run_once()) == 0
    assert len(pushed) == 1 and pushed[0][0] == "tg-42" and "12349" in pushed[0][1]

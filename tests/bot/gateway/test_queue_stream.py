"""GET /api/handoffs/stream: the console's live queue over server-sent events, on a real server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.core.operators import add_operator
from bot.core.store import (
    HandoffReason,
    Priority,
    create_schema,
    make_engine,
    open_handoff,
    session_factory,
    transaction,
)
from bot.core.store.models import OperatorRole
from bot.gateway.settings import GatewaySettings
from tests.utils.live_gateway import live_gateway

PASSWORD = "correct horse battery"


@pytest.fixture
def gateway(tmp_path: Path, closed_port: int) -> Iterator[tuple[str, str]]:
    """A live gateway (Rasa down) with one operator; yields its URL and the database URL."""
    database_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    engine = make_engine(database_url)
    create_schema(engine)
    with transaction(session_factory(engine)) as session:
        add_operator(session, "zhang", PASSWORD, OperatorRole.OPERATOR)
    settings = GatewaySettings(
        database_url=database_url,
        rasa_url=f"http://127.0.0.1:{closed_port}",
        action_server_url=f"http://127.0.0.1:{closed_port}",
        reminder_interval_s=0,
        handoff_check_interval_s=0,
        queue_poll_s=0.1,
    )
    with live_gateway(settings) as url:
        yield url, database_url
    engine.dispose()


def events(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    """Parse server-sent events: (event name, JSON data); comments come as ("comment", text)."""
    name, data = "message", []
    for line in lines:
        if line.startswith(":"):
            yield "comment", line[1:].strip()
        elif line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif not line and data:
            yield name, json.loads("\n".join(data))
            name, data = "message", []


def open_ticket(database_url: str, sender_id: str, reason: HandoffReason, priority: Priority) -> int:
    engine = make_engine(database_url)
    try:
        with transaction(session_factory(engine)) as session:
            return open_handoff(session, sender_id, "web", reason, priority, "找人工").id
    finally:
        engine.dispose()


def test_the_stream_sends_the_queue_then_every_change(gateway: tuple[str, str]) -> None:
    url, database_url = gateway
    with httpx.Client(base_url=url, timeout=10) as http:
        token = http.post("/api/operator/login", json={"username": "zhang", "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['token']}"}
        with http.stream("GET", "/api/handoffs/stream", headers=headers) as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            received = events(stream.iter_lines())
            name, first = next(received)
            assert (name, first) == ("queue", {"waiting": [], "active": []})

            normal = open_ticket(database_url, "web-a", HandoffReason.REQUEST_HUMAN, Priority.NORMAL)
            name, second = next(e for e in received if e[0] == "queue")
            assert [t["id"] for t in second["waiting"]] == [normal]

            urgent = open_ticket(database_url, "web-b", HandoffReason.EMERGENCY, Priority.URGENT)
            _, third = next(e for e in received if e[0] == "queue")
            assert [t["id"] for t in third["waiting"]] == [urgent, normal]  # priority first

            claimed = http.post(f"/api/handoffs/{normal}/claim", headers=headers)
            assert claimed.status_code == 200
            _, fourth = next(e for e in received if e[0] == "queue")
            assert [t["id"] for t in fourth["waiting"]] == [urgent]
            assert [(t["id"], t["operator"]) for t in fourth["active"]] == [(normal, "zhang")]
            assert fourth["active"][0]["updated_at"]


def test_the_stream_needs_a_token(gateway: tuple[str, str]) -> None:
    url, _ = gateway
    answer = httpx.get(f"{url}/api/handoffs/stream", timeout=10)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"]

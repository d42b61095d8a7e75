"""The per-sender rate limit: a sliding window, a polite 429, and emergencies never held back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.core.rate_limit import SenderRateLimit
from bot.gateway.app import create_app
from bot.gateway.settings import GatewaySettings


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_window_slides_and_senders_are_counted_apart() -> None:
    clock = Clock()
    limit = SenderRateLimit(3, 60, clock=clock)
    assert [limit.allow("a") for _ in range(3)] == [0, 0, 0]
    assert limit.allow("a") == pytest.approx(60)
    assert limit.allow("b") == 0
    clock.now += 30
    assert limit.allow("a") == pytest.approx(30)
    clock.now += 30.5
    assert limit.allow("a") == 0


def test_only_the_most_recent_senders_are_remembered() -> None:
    limit = SenderRateLimit(1, 60, max_senders=2, clock=Clock())
    limit.allow("a")
    limit.allow("b")
    limit.allow("c")  # "a" is forgotten
    assert limit.allow("a") == 0
    assert limit.allow("c") > 0


@pytest.fixture
def client(tmp_path: Path, closed_port: int) -> Iterator[TestClient]:
    """A gateway (Rasa down) that allows three messages a minute per sender."""
    settings = GatewaySettings(
        database_url=f"sqlite:///{tmp_path / 'gw.db'}",
        rasa_url=f"http://127.0.0.1:{closed_port}",
        action_server_url=f"http://127.0.0.1:{closed_port}",
        rasa_timeout_s=1,
        reminder_interval_s=0,
        handoff_check_interval_s=0,
        rate_limit_messages=3,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def test_a_fourth_message_in_a_minute_gets_a_polite_429(client: TestClient) -> None:
    send = {"sender_id": "web-fast", "text": "你好", "channel": "web"}
    assert [client.post("/api/chat", json=send).status_code for _ in range(3)] == [503, 503, 503]
    answer = client.post("/api/chat", json=send)
    assert answer.status_code == 429
    assert answer.json()["error"]["code"] == "rate_limited"
    assert "请歇一会儿再发" in answer.json()["error"]["message"]
    assert 1 <= int(answer.headers["Retry-After"]) <= 60
    other = client.post("/api/chat", json={**send, "sender_id": "web-other"})
    assert other.status_code == 503  # another sender is not held back


def test_an_emergency_is_never_held_back(client: TestClient) -> None:
    send = {"sender_id": "web-fast", "text": "你好", "channel": "web"}
    for _ in range(3):
        client.post("/api/chat", json=send)
    answer = client.post("/api/chat", json={**send, "text": "救命，我妈摔倒了起不来"})
    assert answer.status_code == 503 and answer.json()["emergency"] is True
    assert "120" in answer.json()["replies"][0]["text"]

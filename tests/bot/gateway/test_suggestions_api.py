"""Agent assist on the gateway side: the profile panel and POST /api/suggestions when things fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.core.operators import add_operator
from bot.core.store import create_schema, make_engine, session_factory, transaction
from bot.core.store.models import OperatorRole
from bot.gateway.app import create_app
from bot.gateway.assist import profile_from_slots
from bot.gateway.settings import GatewaySettings

PASSWORD = "correct horse battery"


def test_the_profile_shows_known_slots_in_order_with_labels() -> None:
    profile = profile_from_slots(
        {
            "misunderstandings": 1,
            "contact_phone": "13912345678",
            "region": "金台区",
            "age": "82",
            "economic_status": "低保",
            "booking_confirmed": True,
            "care_level": None,
            "person_status": ["独居", "失能"],
        }
    )
    assert profile.region == "金台区"
    assert [(s.label, s.value) for s in profile.slots] == [
        ("地区", "金台区"),
        ("年龄", "82"),
        ("身份", "独居、失能"),
        ("经济情况", "低保"),
        ("联系电话", "13912345678"),
    ]


def test_an_empty_conversation_has_an_empty_profile() -> None:
    profile = profile_from_slots({})
    assert profile.region is None and profile.slots == []


@pytest.fixture
def client(tmp_path: Path, closed_port: int) -> Iterator[TestClient]:
    """A gateway whose Rasa and action server are down, with one operator."""
    database_url = f"sqlite:///{tmp_path / 'gateway.db'}"
    engine = make_engine(database_url)
    create_schema(engine)
    with transaction(session_factory(engine)) as session:
        add_operator(session, "zhang", PASSWORD, OperatorRole.OPERATOR)
    engine.dispose()
    settings = GatewaySettings(
        database_url=database_url,
        rasa_url=f"http://127.0.0.1:{closed_port}",
        action_server_url=f"http://127.0.0.1:{closed_port}",
        assist_timeout_s=1,
        reminder_interval_s=0,
        handoff_check_interval_s=0,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def headers(client: TestClient) -> dict[str, str]:
    token = client.post("/api/operator/login", json={"username": "zhang", "password": PASSWORD}).json()[
        "token"
    ]
    return {"Authorization": f"Bearer {token}"}


def test_suggestions_say_clearly_when_the_action_server_is_down(client: TestClient) -> None:
    answer = client.post("/api/suggestions", json={"text": "高龄津贴怎么申请"}, headers=headers(client))
    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "assist_unavailable"
    assert "稍后" in error["message"] and "unavailable" in error["message"]


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   "}, {}, {"text": "x" * 2001}, {"text": 5}])
def test_suggestions_refuse_unusable_text(client: TestClient, body: object) -> None:
    answer = client.post("/api/suggestions", json=body, headers=headers(client))
    assert answer.status_code == 422
    assert answer.json()["error"]["message"]


def test_the_conversation_is_shown_without_a_profile_when_rasa_is_down(client: TestClient) -> None:
    answer = client.get("/api/conversations/web-a", headers=headers(client))
    assert answer.status_code == 200
    assert answer.json()["profile"] == {"region": None, "slots": []}

"""Operator login and the staff booking endpoints on a real gateway and a real database (both engines)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from bot.core.booking import ledger
from bot.core.booking.ledger import NewBooking, Rules
from bot.core.booking.schedule import load_schedule
from bot.core.operators import add_operator
from bot.core.store import HalfDay, VisitService, make_engine, session_factory, transaction
from bot.core.store.models import OperatorRole
from bot.gateway.app import create_app
from bot.gateway.settings import GatewaySettings
from knowledge.base import KnowledgeBase
from tests.utils.visits import first_visit_day

PASSWORD = "correct horse battery"
FRIDAY = date(2026, 12, 11)


@contextmanager
def started_gateway(
    database_url: str, closed_port: int, kb: KnowledgeBase, today: date
) -> Iterator[tuple[TestClient, str]]:
    """A started gateway (Rasa down, reminders off) on a fresh database with two staff and a booking."""
    settings = GatewaySettings(
        database_url=database_url,
        rasa_url=f"http://127.0.0.1:{closed_port}",
        action_server_url=f"http://127.0.0.1:{closed_port}",
        rasa_timeout_s=1,
        reminder_interval_s=0,
        today=today,
    )
    with TestClient(create_app(settings)) as client:
        engine = make_engine(database_url)
        sessions = session_factory(engine)
        day = first_visit_day(today + timedelta(days=1))
        with transaction(sessions) as session:
            add_operator(session, "zhang", PASSWORD, OperatorRole.OPERATOR)
            add_operator(session, "boss", PASSWORD, OperatorRole.ADMIN)
            ledger.sync_schedule(session, load_schedule(regions=set(kb.gazetteer.names)), today, 14)
            booking = ledger.book(
                session,
                kb.gazetteer,
                NewBooking(
                    "web-1",
                    "web",
                    "王秀兰",
                    "13912345678",
                    "东风路12号",
                    "金台区",
                    VisitService.BATH,
                    day,
                    HalfDay.MORNING,
                ),
                today,
                Rules(),
                "user:web:web-1",
            )
            reference = booking.reference or ""
        engine.dispose()
        yield client, reference


@pytest.fixture
def gateway(database_url: str, closed_port: int, kb: KnowledgeBase) -> Iterator[tuple[TestClient, str]]:
    """The gateway on a Friday, for the checks that do not depend on the day (log in, 401, 404)."""
    with started_gateway(database_url, closed_port, kb, FRIDAY) as started:
        yield started


@pytest.fixture
def week_gateway(
    database_url: str, closed_port: int, kb: KnowledgeBase, today: date
) -> Iterator[tuple[TestClient, str]]:
    """The gateway on each day of one week, for listing, confirming and changing capacities."""
    with started_gateway(database_url, closed_port, kb, today) as started:
        yield started


def token(client: TestClient, username: str) -> dict[str, str]:
    """Log in and return the Authorization header."""
    answer = client.post("/api/operator/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


@pytest.mark.parametrize(
    ("username", "password"), [("zhang", "wrong password"), ("nobody", PASSWORD), ("zhang", "")]
)
def test_login_refuses_wrong_credentials(
    gateway: tuple[TestClient, str], username: str, password: str
) -> None:
    client, _ = gateway
    answer = client.post("/api/operator/login", json={"username": username, "password": password})
    assert answer.status_code in (401, 422)
    assert "token" not in answer.text


def test_login_gives_a_token_with_role_and_expiry(gateway: tuple[TestClient, str]) -> None:
    client, _ = gateway
    answer = client.post("/api/operator/login", json={"username": "boss", "password": PASSWORD}).json()
    assert answer["role"] == "admin"
    assert len(answer["token"]) >= 40
    assert answer["expires_at"]


ROUTES = [
    ("get", "/api/bookings", None),
    ("get", "/api/bookings/{ref}", None),
    ("post", "/api/bookings/{ref}/confirm", None),
    ("post", "/api/bookings/{ref}/complete", None),
    ("post", "/api/bookings/{ref}/cancel", None),
    ("post", "/api/bookings/{ref}/no-show", None),
    (
        "post",
        "/api/bookings/slots",
        {"area": "金台区", "service": "bath", "day": "2026-12-01", "half_day": "morning", "capacity": 5},
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES)
@pytest.mark.parametrize("auth", [None, "Bearer not-a-real-token", "Basic emhhbmc6eA=="])
def test_every_staff_route_answers_401_without_a_valid_token(
    gateway: tuple[TestClient, str], method: str, path: str, body: object, auth: str | None
) -> None:
    client, reference = gateway
    headers = {"Authorization": auth} if auth else {}
    answer = client.request(method, path.format(ref=reference), json=body, headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"


def test_slot_capacity_is_for_admins_only(gateway: tuple[TestClient, str]) -> None:
    client, _ = gateway
    body = ROUTES[-1][2]
    answer = client.post("/api/bookings/slots", json=body, headers=token(client, "zhang"))
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    answer = client.post("/api/bookings/slots", json=body, headers=token(client, "boss"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["capacity"] == 5


def test_capacity_cannot_go_below_what_is_booked(week_gateway: tuple[TestClient, str]) -> None:
    client, reference = week_gateway
    headers = token(client, "boss")
    booking = client.get(f"/api/bookings/{reference}", headers=headers).json()
    body = {"area": "金台区", "service": "bath", "day": booking["day"], "half_day": "morning", "capacity": 0}
    answer = client.post("/api/bookings/slots", json=body, headers=headers)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "capacity_below_booked"


def test_staff_list_filter_confirm_and_read_the_trail(week_gateway: tuple[TestClient, str]) -> None:
    client, reference = week_gateway
    headers = token(client, "zhang")
    listed = client.get("/api/bookings", headers=headers).json()
    assert [b["reference"] for b in listed] == [reference]
    assert listed[0]["phone"] == "13912345678"  # staff call the family
    assert client.get("/api/bookings", params={"status": "confirmed"}, headers=headers).json() == []
    assert client.get("/api/bookings", params={"area": "渭滨区"}, headers=headers).json() == []
    day = listed[0]["day"]
    assert len(client.get("/api/bookings", params={"date": day}, headers=headers).json()) == 1
    confirmed = client.post(f"/api/bookings/{reference}/confirm", headers=headers)
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "confirmed"
    trail = client.get(f"/api/bookings/{reference}", headers=headers).json()["history"]
    assert [(e["actor"], e["action"]) for e in trail] == [
        ("user:web:web-1", "created"),
        ("operator:zhang", "confirmed"),
    ]


def test_a_transition_the_status_does_not_allow_is_a_409(week_gateway: tuple[TestClient, str]) -> None:
    client, reference = week_gateway
    headers = token(client, "zhang")
    answer = client.post(f"/api/bookings/{reference}/complete", headers=headers)
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "invalid_transition"
    assert client.get(f"/api/bookings/{reference}", headers=headers).json()["status"] == "pending"


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/bookings/20990101-9999", "booking_not_found"),
        ("/api/bookings/20990101-9999/confirm", "booking_not_found"),
        ("/api/bookings/{ref}/explode", "not_found"),
    ],
)
def test_unknown_bookings_and_actions_are_404(gateway: tuple[TestClient, str], path: str, code: str) -> None:
    client, reference = gateway
    method = "get" if path.count("/") == 3 else "post"
    answer = client.request(method, path.format(ref=reference), headers=token(client, "zhang"))
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == code


def test_a_bad_date_filter_is_a_422(week_gateway: tuple[TestClient, str]) -> None:
    client, _ = week_gateway
    answer = client.get("/api/bookings", params={"date": "someday"}, headers=token(client, "zhang"))
    assert answer.status_code == 422
    assert "日期不对" in answer.json()["error"]["message"]

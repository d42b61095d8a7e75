"""GET /healthz reports each dependency and answers 503 when any is down."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_health_is_degraded_when_rasa_and_actions_are_down(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert set(body["dependencies"]) == {"database", "rasa", "action_server"}
    assert body["dependencies"]["database"]["ok"] is True
    assert body["dependencies"]["rasa"]["ok"] is False
    assert body["dependencies"]["action_server"]["ok"] is False
    assert all(isinstance(dep["detail"], str) and dep["detail"] for dep in body["dependencies"].values())

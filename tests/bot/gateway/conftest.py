"""Fixtures of the gateway tests: settings on a temp database, a closed port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.gateway.app import create_app
from bot.gateway.settings import GatewaySettings


@pytest.fixture
def settings(tmp_path: Path, closed_port: int) -> GatewaySettings:
    """Gateway settings with a temp database and Rasa and the action server down."""
    return GatewaySettings(
        database_url=f"sqlite:///{tmp_path / 'var' / 'gateway.db'}",
        rasa_url=f"http://127.0.0.1:{closed_port}",
        action_server_url=f"http://127.0.0.1:{closed_port}",
        rasa_timeout_s=1,
        health_timeout_s=1,
    )


@pytest.fixture
def client(settings: GatewaySettings) -> Iterator[TestClient]:
    """A started gateway whose Rasa is down."""
    with TestClient(create_app(settings)) as test_client:
        yield test_client

"""Fixtures of the Telegram tests: a fake Bot API on loopback, and a gateway (Rasa down) configured for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bot.gateway.app import create_app
from bot.gateway.settings import GatewaySettings
from tests.utils.fake_telegram import TOKEN, FakeTelegram, fake_telegram

SECRET = "webhook-secret_0123456789"
WEBHOOK_URL = "http://testserver/telegram/webhook"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """A fake Telegram Bot API server, listening on 127.0.0.1."""
    with fake_telegram() as server:
        yield server


@pytest.fixture
def gateway_settings(tmp_path: Path, closed_port: int) -> GatewaySettings:
    """Gateway settings on a temp database, with Rasa and the action server down, no background rounds."""
    return GatewaySettings(
        database_url=f"sqlite:///{tmp_path / 'gateway.db'}",
        rasa_url=f"http://127.0.0.1:{closed_port}",
        action_server_url=f"http://127.0.0.1:{closed_port}",
        rasa_timeout_s=1,
        reminder_interval_s=0,
        handoff_check_interval_s=0,
    )


@pytest.fixture
def telegram_env(fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> FakeTelegram:
    """TELEGRAM_* variables pointing at the fake, with a webhook and its secret."""
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", fake.url)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", WEBHOOK_URL)
    return fake


@pytest.fixture
def client(telegram_env: FakeTelegram, gateway_settings: GatewaySettings) -> Iterator[TestClient]:
    """A started gateway with the Telegram channel on the fake (and Rasa down)."""
    with TestClient(create_app(gateway_settings)) as test_client:
        yield test_client

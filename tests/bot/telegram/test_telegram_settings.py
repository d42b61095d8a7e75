"""Telegram settings from TELEGRAM_* variables."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.telegram.settings import TelegramSettings

TOKEN = "123456789:AAE-token_example"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("BOT_TOKEN", "BASE_URL", "WEBHOOK_SECRET", "WEBHOOK_URL", "MAX_RETRIES"):
        monkeypatch.delenv(f"TELEGRAM_{name}", raising=False)


def test_without_a_token_the_channel_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not TelegramSettings().enabled
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "  ")
    assert not TelegramSettings().enabled


def test_variables_are_read_and_the_bot_api_address_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", "http://127.0.0.1:8081/")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "s3cret-_X")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram/webhook")
    monkeypatch.setenv("TELEGRAM_MAX_RETRIES", "5")
    settings = TelegramSettings()
    assert settings.enabled and settings.token == TOKEN
    assert settings.api_url == "http://127.0.0.1:8081/bot"
    assert settings.file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.webhook_url == "https://bot.example.org/telegram/webhook"
    assert settings.max_retries == 5
    assert TOKEN not in repr(settings) and "s3cret" not in repr(settings)


def test_the_default_bot_api_is_telegrams(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    assert TelegramSettings().api_url == "https://api.telegram.org/bot"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", "not a token"),
        ("TELEGRAM_WEBHOOK_SECRET", "has spaces and ！"),
        ("TELEGRAM_BASE_URL", "api.telegram.org"),
    ],
)
def test_malformed_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        TelegramSettings()


def test_a_webhook_without_a_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://bot.example.org/telegram/webhook")
    with pytest.raises(ValidationError, match="TELEGRAM_WEBHOOK_SECRET"):
        TelegramSettings()

"""`eldercare telegram`: the bot's status, and polling mode as a real process stopped with SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.gateway.settings import GatewaySettings
from bot.telegram.handlers import HELP_TEXT
from tests.utils.fake_telegram import TOKEN, FakeTelegram

ROOT = Path(__file__).resolve().parents[3]


def test_without_a_token_it_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["telegram"]) == 2
    assert main(["telegram", "--polling"]) == 2
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


def test_status_shows_the_bot_and_its_webhook(
    fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", fake.url)
    fake.webhook_url = "https://bot.example.org/telegram/webhook"
    assert main(["telegram"]) == 0
    out = capsys.readouterr().out
    assert "@eldercare_test_bot" in out and "https://bot.example.org/telegram/webhook" in out
    assert TOKEN not in out
    assert [c.method for c in fake.calls] == ["getMe", "getWebhookInfo"]


def test_status_when_telegram_cannot_be_reached(
    closed_port: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", f"http://127.0.0.1:{closed_port}")
    assert main(["telegram"]) == 1
    assert "Telegram" in capsys.readouterr().err


def test_polling_process_answers_and_stops_cleanly_on_sigterm(
    fake: FakeTelegram, gateway_settings: GatewaySettings
) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ELDERCARE_"))},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.url,
        "TELEGRAM_POLL_TIMEOUT_S": "2",
        "ELDERCARE_DATABASE_URL": gateway_settings.database_url,
        "ELDERCARE_RASA_URL": gateway_settings.rasa_url,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli.main", "telegram", "--polling"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        fake.wait_for(lambda: bool(fake.calls_of("getUpdates")), timeout=60)
        fake.deliver(fake.user_message(70, "/help"))
        assert [m["text"] for m in fake.wait_sent(70, 0)] == [HELP_TEXT]
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Traceback" not in err and TOKEN not in err
    assert fake.queued() == 0  # the answered update was confirmed before exiting

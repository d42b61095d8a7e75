"""The real stack for end-to-end tests: Rasa, the action server and the gateway, started for real."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.rasa_model import train_assistant
from bot.settings import RasaSettings, StackSettings
from bot.stack import down, up


@dataclass
class Stack:
    """A running stack and how to reach it."""

    settings: StackSettings
    url: str
    database: Path

    def chat(self, sender_id: str, text: str) -> httpx.Response:
        """POST /api/chat."""
        return httpx.post(
            f"{self.url}/api/chat", json={"sender_id": sender_id, "text": text, "channel": "web"}, timeout=60
        )

    def reply(self, sender_id: str, text: str) -> dict[str, Any]:
        """POST /api/chat and return the JSON of a 200 answer."""
        resp = self.chat(sender_id, text)
        assert resp.status_code == 200, resp.text
        body: dict[str, Any] = resp.json()
        return body


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Train the model if needed, start every service with a fresh SQLite store, stop them after."""
    settings = StackSettings(
        run_dir=tmp_path_factory.mktemp("run"), log_dir=tmp_path_factory.mktemp("log"), start_timeout_s=600
    )
    busy = [p for p in (settings.rasa_port, settings.action_port, settings.gateway_port) if not _port_free(p)]
    if busy:
        pytest.fail(f"ports already in use (stop the running stack with `eldercare down`): {busy}")
    database = tmp_path_factory.mktemp("db") / "eldercare.db"
    previous = os.environ.get("ELDERCARE_DATABASE_URL")
    os.environ["ELDERCARE_DATABASE_URL"] = f"sqlite:///{database}"
    rasa = RasaSettings()
    try:
        up(settings, rasa, train_assistant(rasa))
        yield Stack(settings, f"http://127.0.0.1:{settings.gateway_port}", database)
    finally:
        down(settings)
        if previous is None:
            os.environ.pop("ELDERCARE_DATABASE_URL", None)
        else:
            os.environ["ELDERCARE_DATABASE_URL"] = previous

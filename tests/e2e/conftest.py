"""The real stack for end-to-end tests: Rasa, the action server and the gateway, started for real.

The stack is the test session's own: ports picked free at run time, its own run and log folders, its
own SQLite store and index, and a fixed "today". So it runs beside a developer's `make run`, beside
another checkout's tests, and on any day of the week.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.cli.answer_eval import labelled_items, load_items
from bot.cli.rasa_model import train_assistant
from bot.cli.settings import RasaSettings, StackSettings
from bot.cli.stack import (
    Service,
    down,
    free_ports,
    read_pid,
    services,
    start,
    stop_group,
    up,
    wait_healthy,
    warm_actions,
)
from bot.core.answers.engine import AnswerEngine
from bot.core.answers.training import train
from index.engine import SearchEngine
from index.grounding import GroundingCheck
from index.settings import IndexSettings

ELDERCARE = Path(sys.executable).with_name("eldercare")
# The day the stack takes as today: a Friday (tomorrow has no visits, so the booking tests meet the
# weekend; the unit tests cover every day of a week), or ELDERCARE_TEST_TODAY (e.g. 2026-12-13, a Sunday).
STACK_TODAY = date.fromisoformat(os.environ.get("ELDERCARE_TEST_TODAY") or "2026-12-11")


def new_sender(prefix: str = "e2e") -> str:
    """A sender id no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def texts(body: dict[str, Any]) -> str:
    """The text of every reply of a /api/chat answer."""
    return "\n".join(r["text"] for r in body["replies"])


def buttons(body: dict[str, Any]) -> list[dict[str, str]]:
    """The buttons of every reply of a /api/chat answer."""
    return [b for r in body["replies"] for b in r["buttons"]]


@dataclass
class Stack:
    """A running stack and how to reach it."""

    settings: StackSettings
    url: str
    database: Path
    model: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.database}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}"

    @property
    def today(self) -> date:
        return date.fromisoformat(self.env["ELDERCARE_TODAY"])

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

    def add_operator(self, name: str, password: str, role: str = "operator") -> None:
        """`eldercare operators add NAME --role ROLE` on the stack's database (the password on stdin)."""
        result = subprocess.run(
            [str(ELDERCARE), "operators", "add", name, "--role", role],
            input=f"{password}\n", text=True, env={**os.environ, **self.env}, capture_output=True,
            timeout=120,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr

    def service(self, name: str) -> Service:
        """One of the stack's services, as `up` started it."""
        return next(
            s for s in services(self.settings, RasaSettings(), self.model, self.env) if s.name == name
        )

    def stop_actions(self) -> Service:
        """Stop the action server; the service, to start again with `start_actions`."""
        actions = self.service("actions")
        pid = read_pid(actions.pid_file(self.settings))
        assert pid is not None, "the action server is not running"
        stop_group(pid, 20)
        return actions

    def start_actions(self, actions: Service | None = None) -> None:
        """Start the action server (unless it runs) and wait until it answers with its index loaded."""
        actions = actions or self.service("actions")
        start(actions, self.settings)
        wait_healthy(actions, self.settings, 300, lambda: None)
        warm_actions(self.settings)

    @contextlib.contextmanager
    def actions_restarted(self, **env: str) -> Iterator[Service]:
        """Run the action server with extra settings inside the block; the usual one again after it."""
        actions = self.stop_actions()
        actions.env.update(env)
        try:
            self.start_actions(actions)
            yield actions
        finally:
            pid = read_pid(actions.pid_file(self.settings))
            if pid is not None:
                stop_group(pid, 20)
            self.start_actions()


ANSWER_SET = Path(__file__).parents[1] / "data" / "answers_dev.jsonl"


@pytest.fixture(scope="session")
def answerability_model(
    tmp_path_factory: pytest.TempPathFactory, engine: SearchEngine, index_settings: IndexSettings
) -> Path:
    """The answerability model trained on the development set, as `make build` trains it."""
    words = {t for c in engine.chunks for t in engine.tokenizer.tokenize(c.search_text())}
    check = GroundingCheck(engine.tokenizer, engine.kb.expansions(), words, engine.kb.gazetteer.names, 0.4)
    items = labelled_items(load_items(ANSWER_SET), engine.kb.gazetteer)
    answers = AnswerEngine.open(engine, check, None, index_settings.index_dir.parent / "answers")
    model, _ = train(answers, items)
    path = tmp_path_factory.mktemp("answers") / "answerability.json"
    model.save(path)
    return path


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory,
    engine: SearchEngine,
    index_settings: IndexSettings,
    answerability_model: Path,
) -> Iterator[Stack]:
    """Train the model if needed, start every service on free ports with a fresh store, stop them after."""
    gateway_port, rasa_port, action_port = free_ports(3)
    settings = StackSettings(
        gateway_port=gateway_port,
        rasa_port=rasa_port,
        action_port=action_port,
        run_dir=tmp_path_factory.mktemp("run"),
        log_dir=tmp_path_factory.mktemp("log"),
        start_timeout_s=600,
    )
    database = tmp_path_factory.mktemp("db") / "eldercare.db"
    env = {
        "ELDERCARE_DATABASE_URL": f"sqlite:///{database}",
        "ELDERCARE_INDEX_DIR": str(index_settings.index_dir),  # built by the `engine` fixture
        "ELDERCARE_TODAY": STACK_TODAY.isoformat(),
        "ELDERCARE_ANSWERABILITY_MODEL": str(answerability_model),
    }
    rasa = RasaSettings()
    model = train_assistant(rasa)
    try:
        up(settings, rasa, model, env=env)
        yield Stack(settings, f"http://127.0.0.1:{gateway_port}", database, model, env)
    finally:
        down(settings)

"""Telegram end to end: the real python-telegram-bot, the real stack, and a fake Bot API on loopback.

A second gateway runs with TELEGRAM_* pointing at the fake server (webhook mode: it registers its
/telegram/webhook with a secret, and the fake POSTs updates there as Telegram does); Rasa, the action
server and the database are the stack's. Polling mode runs `eldercare telegram --polling` as a process.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.cli.stack import free_ports
from bot.core.handoffs import RELEASE_NOTE
from bot.core.store import Direction, Message, make_engine, session_factory, transaction
from tests.e2e.conftest import Stack
from tests.utils.fake_telegram import FakeTelegram, buttons_of, fake_telegram

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
WEBHOOK_TOKEN = "700100200:WEBHOOK-e2e_token"
POLLING_TOKEN = "700100300:POLLING-e2e_token"
SECRET = "e2e-webhook-secret_" + uuid.uuid4().hex
PASSWORD = "telegram operator pw"
PHONE = "13912345678"
SOURCE = re.compile(r"《[^》]+》")
POLICY_QUESTION = "宝鸡低保家庭的高龄老人每月能多领多少？"  # answered with a citation (see test_chat.py)


@dataclass
class TelegramGateway:
    """The Telegram-enabled gateway and the fake Bot API it talks to."""

    url: str
    fake: FakeTelegram
    log: Path

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]


def service_env(stack: Stack, **extra: str) -> dict[str, str]:
    """This process's environment with the stack's settings (database, Rasa), no stray TELEGRAM_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(stack.env, ELDERCARE_RASA_URL=stack.rasa_url, PYTHONUNBUFFERED="1", **extra)
    return env


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM a process and wait for it; kill it if it does not stop."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@pytest.fixture(scope="module")
def gateway(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TelegramGateway]:
    """A second gateway, on the stack's Rasa and database, with Telegram in webhook mode."""
    [port] = free_ports(1)
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("telegram") / "gateway.log"
    with fake_telegram(WEBHOOK_TOKEN) as fake, log.open("wb") as out:
        env = service_env(
            stack,
            TELEGRAM_BOT_TOKEN=WEBHOOK_TOKEN,
            TELEGRAM_BASE_URL=fake.url,
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            TELEGRAM_WEBHOOK_URL=f"{url}/telegram/webhook",
            ELDERCARE_REMINDER_INTERVAL_S="0",
        )
        # As `eldercare up` runs the gateway (bot/cli/stack.py), at log level warning.
        command = [sys.executable, "-m", "uvicorn", "bot.gateway.app:create_app", "--factory"]
        command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
        try:
            deadline = time.monotonic() + 120
            while fake.webhook_url != f"{url}/telegram/webhook":
                assert process.poll() is None, log.read_text(encoding="utf-8", errors="replace")
                assert time.monotonic() < deadline, log.read_text(encoding="utf-8", errors="replace")
                time.sleep(0.2)
            yield TelegramGateway(url, fake, log)
        finally:
            stop(process)


def new_chat() -> int:
    return int(uuid.uuid4().int % 9_000_000_000) + 1_000_000_000


def say(gateway: TelegramGateway, chat: int, text: str) -> list[dict[str, Any]]:
    """A user's message, delivered to the webhook; the bot's messages that answered it.

    The webhook answers 200 once the update was handled, so its replies have all been sent by then.
    """
    fake = gateway.fake
    before = fake.mark()
    assert fake.deliver(fake.user_message(chat, text)) == 200, gateway.log_tail()
    sent = fake.sent(chat, before)
    assert sent, gateway.log_tail()
    return sent


def press(gateway: TelegramGateway, chat: int, message: dict[str, Any], title: str) -> list[dict[str, Any]]:
    """Press the button titled `title` under one of the bot's messages; the bot's answer."""
    fake = gateway.fake
    [button] = [b for b in buttons_of(message) if b["text"] == title]
    before = fake.mark()
    update = fake.button_press(chat, message, button["callback_data"])
    assert fake.deliver(update) == 200, gateway.log_tail()
    query_id = update["callback_query"]["id"]
    answered = [c for c in fake.calls_of("answerCallbackQuery") if c.params["callback_query_id"] == query_id]
    assert len(answered) == 1  # the button's spinner was stopped
    sent = fake.sent(chat, before)
    assert sent, gateway.log_tail()
    return sent


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m["text"] for m in messages)


def logged(stack: Stack, sender_id: str) -> list[Message]:
    """The sender's conversation as the database has it."""
    engine = make_engine(stack.database_url)
    try:
        with transaction(session_factory(engine), write=False) as session:
            query = select(Message).where(Message.sender_id == sender_id).order_by(Message.id)
            return list(session.scalars(query))
    finally:
        engine.dispose()


def test_a_whole_conversation_with_a_cited_answer_buttons_and_a_person(
    gateway: TelegramGateway, stack: Stack
) -> None:
    fake, chat = gateway.fake, new_chat()

    greeting = say(gateway, chat, "/start")
    assert "您好" in texts(greeting)
    menu = greeting[-1]
    assert "找人工" in [b["text"] for b in buttons_of(menu)]

    answer = say(gateway, chat, POLICY_QUESTION)
    assert SOURCE.search(texts(answer)), texts(answer)
    assert "20%" in texts(answer)
    assert any(buttons_of(m) for m in answer)
    assert all(len(b["callback_data"].encode()) <= 64 for m in answer for b in buttons_of(m))

    asked = press(gateway, chat, menu, "能领哪些补贴")
    assert "多大岁数" in texts(asked)  # the region (宝鸡) is remembered from the question before
    skipped = press(gateway, chat, asked[-1], "跳过")
    assert "低保" in texts(skipped)

    waiting = say(gateway, chat, "/human")
    assert "工作人员" in texts(waiting) and "稍等" in texts(waiting)

    name = f"tg-op-{uuid.uuid4().hex[:6]}"
    stack.add_operator(name, PASSWORD)
    login = httpx.post(f"{gateway.url}/api/operator/login", json={"username": name, "password": PASSWORD})
    assert login.status_code == 200, login.text
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    queue = httpx.get(f"{gateway.url}/api/handoffs", headers=auth).json()
    [ticket] = [t for t in queue if t["sender_id"] == f"tg-{chat}"]
    assert ticket["channel"] == "telegram"
    claimed = httpx.post(f"{gateway.url}/api/handoffs/{ticket['id']}/claim", headers=auth)
    assert claimed.status_code == 200, claimed.text

    reply = "您好，我是工作人员小王。宝鸡的高龄补贴要带身份证到社区办理，我帮您问清楚再告诉您。"
    before = fake.mark()
    sent = httpx.post(
        f"{gateway.url}/api/handoffs/{ticket['id']}/messages", headers=auth, json={"text": reply}
    )
    assert sent.status_code == 200, sent.text
    assert [m["text"] for m in fake.wait_sent(chat, before)] == [reply]

    before = fake.mark()
    assert fake.deliver(fake.user_message(chat, f"好的，谢谢您。我的电话是{PHONE}")) == 200
    assert fake.sent(chat, before) == []  # while a person holds the chat, the assistant stays quiet

    released = httpx.post(f"{gateway.url}/api/handoffs/{ticket['id']}/release", headers=auth)
    assert released.status_code == 200, released.text
    assert [m["text"] for m in fake.wait_sent(chat, before)] == [RELEASE_NOTE]

    back = say(gateway, chat, POLICY_QUESTION)
    assert back  # the assistant answers again
    log = logged(stack, f"tg-{chat}")
    assert {m.channel for m in log} == {"telegram"}
    assert [m.text for m in log if m.direction is Direction.IN][:2] == ["/greet", POLICY_QUESTION]
    service_log = gateway.log.read_text(encoding="utf-8", errors="replace")
    assert PHONE not in service_log and WEBHOOK_TOKEN not in service_log
    assert "Traceback" not in service_log


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_a_429_is_retried_and_every_message_arrives_once(gateway: TelegramGateway) -> None:
    fake, chat = gateway.fake, new_chat()
    fake.fail_next_sends(1)
    before = fake.mark()
    assert fake.deliver(fake.user_message(chat, POLICY_QUESTION)) == 200
    attempts = [c.status for c in fake.calls[before:] if c.method == "sendMessage"]
    assert attempts[0] == 429 and attempts.count(429) == 1
    delivered = [m["text"] for m in fake.sent(chat, before)]
    assert delivered and len(delivered) == len(set(delivered)) == attempts.count(200)
    assert SOURCE.search("\n".join(delivered))


def test_a_redelivered_update_is_answered_once(gateway: TelegramGateway, stack: Stack) -> None:
    fake, chat = gateway.fake, new_chat()
    update = fake.user_message(chat, POLICY_QUESTION)
    statuses: list[int] = []

    def deliver() -> None:
        statuses.append(fake.post_webhook(update, SECRET))

    # Telegram sends it again while the first delivery is still being answered, then once more later.
    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    deliver()
    assert statuses == [200, 200, 200]
    log = logged(stack, f"tg-{chat}")
    assert [m.text for m in log if m.direction is Direction.IN] == [POLICY_QUESTION]
    replies = [m.text for m in log if m.direction is Direction.OUT]
    assert [m["text"] for m in fake.sent(chat)] == replies


def test_webhook_calls_without_the_secret_are_refused(gateway: TelegramGateway, stack: Stack) -> None:
    fake, chat = gateway.fake, new_chat()
    update = fake.user_message(chat, "你好")
    assert fake.post_webhook(update, None) == 403
    assert fake.post_webhook(update, "not-the-secret") == 403
    response = httpx.post(f"{gateway.url}/telegram/webhook", json=update)
    assert response.status_code == 403 and " / " in response.json()["error"]["message"]
    assert fake.sent(chat) == [] and logged(stack, f"tg-{chat}") == []


def test_polling_mode_answers_a_question_and_stops_on_sigterm(stack: Stack, tmp_path: Path) -> None:
    log = tmp_path / "polling.log"
    with fake_telegram(POLLING_TOKEN) as fake, log.open("wb") as out:
        env = service_env(
            stack, TELEGRAM_BOT_TOKEN=POLLING_TOKEN, TELEGRAM_BASE_URL=fake.url, TELEGRAM_POLL_TIMEOUT_S="2"
        )
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.cli.main", "telegram", "--polling"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
        )
        try:
            fake.wait_for(lambda: bool(fake.calls_of("getUpdates")), timeout=120)
            chat = new_chat()
            fake.deliver(fake.user_message(chat, POLICY_QUESTION))
            fake.wait_sent(chat, 0)
            fake.quiet_for(1.0)
            assert SOURCE.search(texts(fake.sent(chat))), log.read_text(encoding="utf-8", errors="replace")
        finally:
            code = stop(process)
        output = log.read_text(encoding="utf-8", errors="replace")
        assert code == 0, output
        assert "Traceback" not in output and POLLING_TOKEN not in output
        assert fake.queued() == 0  # confirmed before exiting: nothing is answered twice after a restart
        assert fake.calls_of("deleteWebhook")  # polling removes a webhook first

"""The gateway's Telegram webhook with the real python-telegram-bot against a fake Bot API (Rasa down).

Rasa is really unreachable here, so every turn answers the gateway's apology; what is checked is the
channel: the secret, one answer per update however often it is delivered, buttons and their payloads,
messages the gateway pushes (operator replies, reminders), splitting, and retries on 429.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core.booking import ledger
from bot.core.booking.ledger import NewBooking, Rules
from bot.core.booking.schedule import load_schedule
from bot.core.outbox import Outbox
from bot.core.schemas import Button
from bot.core.store import (
    BookingStatus,
    Direction,
    HalfDay,
    Message,
    VisitService,
    make_engine,
    session_factory,
    transaction,
)
from bot.core.turns import APOLOGY_RECORDED
from bot.gateway.app import create_app
from bot.gateway.settings import GatewaySettings
from bot.telegram.callbacks import token_for
from bot.telegram.handlers import EXPIRED_BUTTON, HELP_TEXT, NOT_TEXT
from bot.telegram.render import MAX_MESSAGE, utf16_len
from knowledge.base import KnowledgeBase
from tests.utils.fake_telegram import TOKEN, FakeTelegram, buttons_of
from tests.utils.visits import first_visit_day

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
SECRET = "webhook-secret_0123456789"
LONG = '/manage_booking{"booking_reference":"20261201-0001","booking_action":"cancel"}'


@pytest.fixture
def db(gateway_settings: GatewaySettings) -> Iterator[Session]:
    """A session on the gateway's database, to look at what it wrote."""
    engine = make_engine(gateway_settings.database_url)
    session = session_factory(engine)()
    yield session
    session.close()
    engine.dispose()


def post(client: TestClient, update: dict[str, Any], secret: str | None = SECRET) -> Any:
    """POST an update to the webhook as Telegram does."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    return client.post("/telegram/webhook", json=update, headers=headers)


def inbound(db: Session, sender_id: str) -> list[Message]:
    db.rollback()
    query = select(Message).where(Message.sender_id == sender_id, Message.direction == Direction.IN)
    return list(db.scalars(query.order_by(Message.id)))


def test_the_gateway_registers_its_webhook_with_the_secret(client: TestClient, fake: FakeTelegram) -> None:
    assert [c.method for c in fake.calls[:2]] == ["getMe", "setWebhook"]
    assert fake.webhook_url == "http://testserver/telegram/webhook"
    assert fake.webhook_secret == SECRET
    assert fake.calls_of("setWebhook")[0].params["allowed_updates"] == ["message", "callback_query"]


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x", SECRET[:-1]])
def test_calls_without_the_right_secret_are_refused(
    client: TestClient, fake: FakeTelegram, db: Session, secret: str | None
) -> None:
    before = fake.mark()
    response = post(client, fake.user_message(42, "你好"), secret=secret)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden" and " / " in error["message"]
    assert fake.sent(42, before) == [] and inbound(db, "tg-42") == []


def test_without_a_token_the_webhook_does_not_exist(
    gateway_settings: GatewaySettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    with TestClient(create_app(gateway_settings)) as client:
        response = post(client, {"update_id": 1})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "telegram_not_configured"
        assert not client.app.state.outbox.pushes("telegram")  # type: ignore[attr-defined]


def test_when_telegram_is_unreachable_the_gateway_starts_and_the_webhook_answers_503(
    gateway_settings: GatewaySettings, closed_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_BASE_URL", f"http://127.0.0.1:{closed_port}")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", SECRET)
    with TestClient(create_app(gateway_settings)) as client:
        assert client.get("/healthz").status_code in (200, 503)  # the gateway is up
        response = post(client, {"update_id": 1, "message": {}})
        assert response.status_code == 503
        assert response.headers["Retry-After"]


def test_a_message_gets_one_answer_however_often_it_is_delivered(
    client: TestClient, fake: FakeTelegram, db: Session
) -> None:
    update = fake.user_message(42, "我妈洗澡不方便，有人上门吗")
    before = fake.mark()
    assert post(client, update).status_code == 200
    sent = fake.sent(42, before)
    assert [m["text"] for m in sent] == [APOLOGY_RECORDED]  # Rasa is down: the apology, and a ticket
    assert [b["text"] for b in buttons_of(sent[0])] == ["找人工"]
    for _ in range(3):  # Telegram delivers it again (no 200 seen in time, a restart…)
        assert post(client, update).status_code == 200
    assert len(fake.sent(42, before)) == 1
    assert [m.text for m in inbound(db, "tg-42")] == ["我妈洗澡不方便，有人上门吗"]
    assert inbound(db, "tg-42")[0].channel == "telegram"


def test_a_restarted_gateway_does_not_answer_an_update_again(
    telegram_env: FakeTelegram, gateway_settings: GatewaySettings
) -> None:
    fake = telegram_env
    update = fake.user_message(43, "你好")
    with TestClient(create_app(gateway_settings)) as client:
        assert post(client, update).status_code == 200
    before = fake.mark()
    with TestClient(create_app(gateway_settings)) as client:
        assert post(client, update).status_code == 200
        assert post(client, fake.user_message(43, "还在吗")).status_code == 200
    assert len(fake.sent(43, before)) == 1  # only the new message was answered


def test_help_explains_what_the_assistant_does_with_buttons(client: TestClient, fake: FakeTelegram) -> None:
    before = fake.mark()
    assert post(client, fake.user_message(44, "/help")).status_code == 200
    [message] = fake.sent(44, before)
    assert message["text"] == HELP_TEXT
    titles = [b["text"] for b in buttons_of(message)]
    assert len(titles) <= 4 and "找人工" in titles


def test_a_photo_is_answered_that_only_text_is_understood(client: TestClient, fake: FakeTelegram) -> None:
    before = fake.mark()
    assert post(client, fake.user_photo(45)).status_code == 200
    [message] = fake.sent(45, before)
    assert message["text"] == NOT_TEXT


def test_a_button_press_is_acknowledged_and_its_long_payload_answered(
    client: TestClient, fake: FakeTelegram, db: Session
) -> None:
    outbox: Outbox = client.app.state.outbox  # type: ignore[attr-defined]
    button = Button(title="取消这个预约", payload=LONG)
    assert client.portal.call(outbox.deliver, "telegram", "tg-46", "您要取消吗？", [button])  # type: ignore[union-attr]
    [offer] = fake.sent(46)
    [sent_button] = buttons_of(offer)
    assert sent_button["callback_data"] == token_for(LONG)
    before = fake.mark()
    assert post(client, fake.button_press(46, offer, sent_button["callback_data"])).status_code == 200
    [answer] = fake.calls_of("answerCallbackQuery")
    assert answer.params["callback_query_id"].startswith("cbq-")
    assert [m.text for m in inbound(db, "tg-46")] == [LONG]  # the turn got the whole payload
    assert fake.sent(46, before)


def test_a_button_whose_payload_is_gone_says_so(client: TestClient, fake: FakeTelegram, db: Session) -> None:
    message = {"message_id": 1, "date": 0, "chat": {"id": 47, "type": "private"}, "text": "旧消息"}
    before = fake.mark()
    assert post(client, fake.button_press(47, message, "~no-such-token")).status_code == 200
    assert fake.calls_of("answerCallbackQuery")
    assert [m["text"] for m in fake.sent(47, before)] == [EXPIRED_BUTTON]
    assert inbound(db, "tg-47") == []


def test_operator_replies_reach_the_chat_split_under_the_limit(
    client: TestClient, fake: FakeTelegram
) -> None:
    outbox: Outbox = client.app.state.outbox  # type: ignore[attr-defined]
    text = "\n".join(f"第{n}条：请您带好身份证和户口本，到社区服务中心办理。" for n in range(400))
    assert utf16_len(text) > MAX_MESSAGE
    assert client.portal.call(outbox.deliver, "telegram", "tg-48", text)  # type: ignore[union-attr]
    sent = fake.sent(48)
    assert len(sent) >= 2
    assert all(utf16_len(m["text"]) <= MAX_MESSAGE for m in sent)
    assert "\n".join(m["text"] for m in sent) == text
    assert not client.portal.call(outbox.deliver, "telegram", "web-1", "不是 Telegram 用户")  # type: ignore[union-attr]


# python-telegram-bot's own RetryAfter warns about a future type of its attribute.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
def test_a_429_is_retried_after_the_wait_and_the_message_arrives_once(
    client: TestClient, fake: FakeTelegram
) -> None:
    fake.fail_next_sends(2)
    before = fake.mark()
    assert post(client, fake.user_message(49, "/help")).status_code == 200
    attempts = [c.status for c in fake.calls[before:] if c.method == "sendMessage"]
    assert attempts == [429, 429, 200]
    assert [m["text"] for m in fake.sent(49, before)] == [HELP_TEXT]


def test_reminders_of_telegram_bookings_are_sent_to_the_chat(
    client: TestClient, fake: FakeTelegram, kb: KnowledgeBase, today: date
) -> None:
    sessions = client.app.state.sessions  # type: ignore[attr-defined]
    visit = first_visit_day(today + timedelta(days=1))
    with transaction(sessions) as session:
        ledger.sync_schedule(session, load_schedule(regions=set(kb.gazetteer.names)), today, 10)
        contact = ("王秀兰", "13912345678", "东风路12号", "金台区")
        request = NewBooking("tg-50", "telegram", *contact, VisitService.BATH, visit, HalfDay.MORNING)
        booking = ledger.book(session, kb.gazetteer, request, today, Rules(), "user:telegram:tg-50")
        ledger.change_status(session, booking, BookingStatus.CONFIRMED, "staff")
        reference = booking.reference
    reminders = client.app.state.reminders  # type: ignore[attr-defined]
    assert client.portal.call(reminders.run_once, visit - timedelta(days=1)) == 1  # type: ignore[union-attr]
    [message] = fake.sent(50)
    assert message["text"].startswith("温馨提醒：") and f"预约编号：{reference}" in message["text"]


def test_the_bot_token_is_not_logged(
    telegram_env: FakeTelegram, gateway_settings: GatewaySettings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with TestClient(create_app(gateway_settings)) as client:
        post(client, telegram_env.user_message(51, "/help"))
    assert "getMe" in caplog.text and "sendMessage" in caplog.text  # the requests were logged…
    assert TOKEN not in caplog.text  # …without the token

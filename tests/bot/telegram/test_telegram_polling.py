"""Polling mode with the real python-telegram-bot against a fake Bot API's getUpdates (Rasa down)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bot.core.store import create_schema, make_engine, session_factory
from bot.core.turns import APOLOGY_RECORDED
from bot.gateway.settings import GatewaySettings
from bot.telegram.app import KeepingBot
from bot.telegram.handlers import HELP_TEXT
from bot.telegram.polling import serve
from bot.telegram.settings import TelegramSettings
from bot.telegram.updates import Inbox
from tests.utils.fake_telegram import TOKEN, FakeTelegram


@contextmanager
def polling(gateway: GatewaySettings, fake: FakeTelegram) -> Iterator[None]:
    """Run polling mode in a thread until the block ends; fail if it did not stop cleanly."""
    settings = TelegramSettings(bot_token=TOKEN, base_url=fake.url, poll_timeout_s=1)  # type: ignore[arg-type]
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    ready = threading.Event()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            loop.run_until_complete(serve(gateway, settings, stop, on_ready=lambda name: ready.set()))
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            ready.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(60) and not errors, errors
    try:
        yield
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)
        loop.close()
        assert not thread.is_alive(), "polling did not stop"
        assert not errors, errors


def test_polling_answers_queued_updates_and_confirms_them(
    fake: FakeTelegram, gateway_settings: GatewaySettings
) -> None:
    fake.webhook_url = "http://old.example/hook"  # a webhook left over: polling must delete it first
    with polling(gateway_settings, fake):
        assert fake.calls_of("deleteWebhook")
        fake.deliver(fake.user_message(60, "/help"))
        fake.deliver(fake.user_message(61, "你好"))
        assert [m["text"] for m in fake.wait_sent(60, 0)] == [HELP_TEXT]
        assert [m["text"] for m in fake.wait_sent(61, 0)] == [APOLOGY_RECORDED]
    fake.wait_for(lambda: fake.queued() == 0, timeout=5)  # the last getUpdates confirmed both


def test_an_update_delivered_again_after_a_restart_is_not_answered_again(
    fake: FakeTelegram, gateway_settings: GatewaySettings
) -> None:
    update = fake.user_message(62, "/help")
    with polling(gateway_settings, fake):
        fake.deliver(update)
        fake.wait_sent(62, 0)
    # The process died before confirming it, so Telegram has it again for the next poller.
    before = fake.mark()
    fake.deliver(update)
    with polling(gateway_settings, fake):
        fake.deliver(fake.user_message(62, "/help"))
        fake.wait_sent(62, before)
        fake.wait_for(lambda: fake.queued() == 0, timeout=10)
    assert len(fake.sent(62, before)) == 1


def test_messages_of_one_chat_are_answered_in_order(
    fake: FakeTelegram, gateway_settings: GatewaySettings
) -> None:
    with polling(gateway_settings, fake):
        for text in ("/help", "第二条", "/help", "第四条"):
            fake.deliver(fake.user_message(63, text))
        sent = fake.wait_sent(63, 0, count=4)
    assert [m["text"] for m in sent] == [HELP_TEXT, APOLOGY_RECORDED, HELP_TEXT, APOLOGY_RECORDED]


def test_updates_fetched_by_a_process_that_died_are_answered_at_the_next_start(
    fake: FakeTelegram, gateway_settings: GatewaySettings
) -> None:
    """getUpdates confirms what was fetched before it is handled: the inbox keeps it until answered."""
    engine = make_engine(gateway_settings.database_url)
    create_schema(engine)
    inbox = Inbox(session_factory(engine))
    # What a poller had fetched (and so confirmed to Telegram) when it was killed: Telegram has it no more.
    lost = fake.user_message(64, "/help")
    inbox.record(fake.bot_id, [(lost["update_id"], json.dumps(lost, ensure_ascii=False))])
    try:
        with polling(gateway_settings, fake):
            assert [m["text"] for m in fake.wait_sent(64, 0)] == [HELP_TEXT]
            fake.deliver(fake.user_message(65, "/help"))  # new updates are kept, then forgotten once answered
            fake.wait_sent(65, 0)
            fake.wait_for(lambda: inbox.pending(fake.bot_id) == [], timeout=10)
        assert len(fake.sent(64)) == 1
    finally:
        engine.dispose()


def test_fetched_updates_are_kept_before_they_are_confirmed(
    fake: FakeTelegram, gateway_settings: GatewaySettings
) -> None:
    """The bot that polls writes each fetched update to the inbox before returning it."""
    engine = make_engine(gateway_settings.database_url)
    create_schema(engine)
    inbox = Inbox(session_factory(engine))
    settings = TelegramSettings(bot_token=TOKEN, base_url=fake.url)  # type: ignore[arg-type]
    first, second = fake.user_message(66, "你好"), fake.user_message(67, "在吗")
    fake.deliver(first)
    fake.deliver(second)

    async def fetch() -> list[int]:
        async with KeepingBot(inbox, settings) as bot:
            return [u.update_id for u in await bot.get_updates(timeout=0)]

    try:
        fetched = asyncio.run(fetch())
        assert fetched == [first["update_id"], second["update_id"]]
        kept = [json.loads(p)["update_id"] for p in inbox.pending(fake.bot_id)]
        assert kept == fetched
        assert [json.loads(p)["message"]["text"] for p in inbox.pending(fake.bot_id)] == ["你好", "在吗"]
    finally:
        engine.dispose()

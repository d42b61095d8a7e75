"""Polling mode (`eldercare telegram --polling`): getUpdates instead of a webhook, in its own process.

The process answers users with its own `ChatTurns` on the gateway's database and Rasa, exactly as the
gateway does. Operator replies, notes and reminders are still sent by the gateway (its outbox pushes to
Telegram whenever TELEGRAM_BOT_TOKEN is set there).
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

import httpx
from fastapi.concurrency import run_in_threadpool

from bot.core.masking import install_service_log_masking
from bot.core.rasa_client import HTTP_LIMITS, RasaClient
from bot.core.rate_limit import SenderRateLimit
from bot.core.safety import EmergencyPatterns
from bot.core.settings import ChatSettings
from bot.core.store import create_schema, make_engine, session_factory
from bot.core.turns import ChatTurns
from bot.telegram.app import ALLOWED_UPDATES, TelegramChannel
from bot.telegram.settings import TelegramSettings

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def serve(
    gateway: ChatSettings,
    settings: TelegramSettings,
    stop: asyncio.Event,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Poll Telegram and answer updates until `stop` is set; then finish the updates under way."""
    engine = make_engine(gateway.database_url)
    try:
        await run_in_threadpool(create_schema, engine)
        sessions = session_factory(engine)
        async with httpx.AsyncClient(
            limits=HTTP_LIMITS, timeout=gateway.rasa_timeout_s, trust_env=False
        ) as http:
            rasa = RasaClient(http, gateway.rasa_url, gateway.rasa_timeout_s)
            emergency = await run_in_threadpool(EmergencyPatterns.load, gateway.emergency_rules)
            rate_limit = SenderRateLimit(gateway.rate_limit_messages, gateway.rate_limit_window_s)
            turns = ChatTurns(gateway, sessions, rasa, emergency, rate_limit)
            channel = TelegramChannel(settings, turns, sessions, polling=True)
            application = channel.application
            updater = application.updater
            if updater is None:  # pragma: no cover - polling channels are built with an updater
                raise RuntimeError("no updater")
            await channel.open()
            try:
                await application.start()
                await channel.replay()  # what a process that died had fetched but not answered
                # start_polling deletes a webhook first: Telegram refuses getUpdates while one is set.
                await updater.start_polling(timeout=settings.poll_timeout_s, allowed_updates=ALLOWED_UPDATES)
                logger.info("polling Telegram as @%s", channel.bot.username)
                if on_ready is not None:
                    on_ready(channel.bot.username)
                await stop.wait()
                logger.info("stopping: finishing the updates under way")
            finally:
                if updater.running:
                    await updater.stop()  # confirms the updates fetched so far
                if application.running:
                    await application.stop()  # answers what was fetched before stopping
                await channel.close()
    finally:
        engine.dispose()


def run_polling(
    gateway: ChatSettings, settings: TelegramSettings, on_ready: Callable[[str], None] | None = None
) -> None:
    """Run polling mode until SIGINT or SIGTERM (raises TelegramError when Telegram cannot be reached)."""
    install_service_log_masking()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for number in STOP_SIGNALS:
            loop.add_signal_handler(number, stop.set)
        try:
            await serve(gateway, settings, stop, on_ready)
        finally:
            for number in STOP_SIGNALS:
                loop.remove_signal_handler(number)

    asyncio.run(main())

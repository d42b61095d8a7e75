"""The gateway's FastAPI application factory: `uvicorn bot.gateway.app:create_app --factory`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from bot.core.masking import install_service_log_masking
from bot.core.outbox import Outbox
from bot.core.rasa_client import HTTP_LIMITS, RasaClient
from bot.core.rate_limit import SenderRateLimit
from bot.core.safety import EmergencyPatterns
from bot.core.store import create_schema, make_engine, session_factory
from bot.core.turns import ChatTurns
from bot.gateway.assist import AssistClient
from bot.gateway.errors import BodySizeLimit, install_error_handlers
from bot.gateway.handoff_timeouts import HandoffTimeoutJob
from bot.gateway.periodic import every
from bot.gateway.reminders import ReminderJob
from bot.gateway.routes import bookings, chat, handoffs, health, operator, suggestions, telegram, web
from bot.gateway.settings import GatewaySettings
from bot.telegram.app import gateway_channel
from bot.telegram.settings import TelegramSettings

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Open the database and the HTTP connection pool for the app's lifetime."""
    settings: GatewaySettings = app.state.settings
    install_service_log_masking()
    engine = make_engine(settings.database_url)
    try:
        await run_in_threadpool(create_schema, engine)
        # trust_env=False: Rasa and the action server are local; a proxy from the environment must not apply.
        async with httpx.AsyncClient(
            limits=HTTP_LIMITS, timeout=settings.rasa_timeout_s, trust_env=False
        ) as http:
            app.state.engine = engine
            app.state.sessions = session_factory(engine)
            app.state.http = http
            app.state.rasa = RasaClient(http, settings.rasa_url, settings.rasa_timeout_s)
            app.state.emergency = await run_in_threadpool(EmergencyPatterns.load, settings.emergency_rules)
            app.state.assist = AssistClient(
                http, app.state.rasa, settings.action_server_url, settings.assist_timeout_s
            )
            app.state.turns = ChatTurns(
                settings, app.state.sessions, app.state.rasa, app.state.emergency, app.state.rate_limit
            )
            outbox: Outbox = app.state.outbox
            app.state.reminders = ReminderJob(app.state.sessions, settings.clock, outbox)
            app.state.handoff_timeouts = HandoffTimeoutJob(
                app.state.sessions, settings.handoff_timeout_s, settings.hotline, outbox
            )
            jobs = [
                asyncio.create_task(every(interval, job.run_once, name))
                for interval, job, name in (
                    (settings.reminder_interval_s, app.state.reminders, "reminder"),
                    (settings.handoff_check_interval_s, app.state.handoff_timeouts, "handoff timeout"),
                )
                if interval > 0
            ]
            logger.info("gateway ready: database %s, Rasa %s", engine.url, settings.rasa_url)
            try:
                # Telegram (when TELEGRAM_BOT_TOKEN is set): the webhook's bot and the outbox's push.
                async with gateway_channel(
                    app.state.telegram_settings, app.state.turns, app.state.sessions, outbox
                ) as app.state.telegram:
                    yield
            finally:
                for task in jobs:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
    finally:
        engine.dispose()


def create_app(settings: GatewaySettings | None = None) -> FastAPI:
    """Build the gateway app; the database and HTTP clients open when it starts."""
    settings = settings or GatewaySettings()
    app = FastAPI(
        title="Elder-care assistant gateway",
        summary="Chat API of the home and community elderly-care service assistant",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.rate_limit = SenderRateLimit(settings.rate_limit_messages, settings.rate_limit_window_s)
    app.state.outbox = Outbox()
    app.state.telegram_settings = TelegramSettings()
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.include_router(chat.router)
    app.include_router(health.router)
    app.include_router(web.router)
    app.include_router(operator.router)
    app.include_router(bookings.router)
    app.include_router(handoffs.router)
    app.include_router(telegram.router)
    app.include_router(suggestions.router)
    return app

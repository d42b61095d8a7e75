"""The Telegram channel: the python-telegram-bot Application, its update gate, its place in the gateway."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Coroutine, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker
from telegram import Bot, Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ExtBot
from telegram.request import HTTPXRequest

from bot.core.outbox import Outbox
from bot.core.schemas import Button, Reply
from bot.core.store import StoreError
from bot.core.turns import ChatTurns
from bot.telegram.callbacks import CallbackStore
from bot.telegram.handlers import TelegramHandlers
from bot.telegram.logs import hide_token
from bot.telegram.ordering import ChannelProcessor, ChatLocks
from bot.telegram.render import CHANNEL, chat_id_of
from bot.telegram.settings import TelegramSettings
from bot.telegram.updates import Claim, Inbox, UpdateLedger

logger = logging.getLogger(__name__)

TelegramApp: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
# The only updates the bot asks Telegram for.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
# Waits between attempts to reach Telegram when the gateway starts while it cannot be reached.
RECONNECT_FIRST_S = 5.0
RECONNECT_MAX_S = 300.0


class KeepingBot(ExtBot[Any]):
    """A bot whose getUpdates keeps what it fetched in the inbox before polling confirms it.

    python-telegram-bot confirms fetched updates with its next getUpdates call, before they are
    handled; a process that dies in between would lose them. Kept here, they are replayed at the next
    start. When they cannot be kept, the fetch counts as failed (nothing is confirmed; polling retries).
    """

    def __init__(self, inbox: Inbox, settings: TelegramSettings) -> None:
        """A rate-limited bot on the configured Bot API (256 connections to send, one to poll)."""
        self._inbox = inbox
        super().__init__(
            settings.token,
            base_url=settings.api_url,
            base_file_url=settings.file_url,
            request=HTTPXRequest(connection_pool_size=256),
            get_updates_request=HTTPXRequest(connection_pool_size=1),
            rate_limiter=AIORateLimiter(max_retries=settings.max_retries),
        )

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """Fetch updates and keep them before returning them."""
        updates = await super().get_updates(*args, **kwargs)
        if updates:
            kept = [(u.update_id, json.dumps(u.to_dict(), ensure_ascii=False)) for u in updates]
            try:
                await run_in_threadpool(self._inbox.record, self.id, kept)
            except StoreError as exc:
                raise NetworkError(f"could not keep the fetched updates: {exc}") from exc
        return updates


def build_application(
    settings: TelegramSettings, processor: ChannelProcessor | None = None, inbox: Inbox | None = None
) -> TelegramApp:
    """An Application on the configured Bot API: polling with a processor (and inbox), else webhook."""
    if processor is not None:
        if inbox is None:
            raise ValueError("polling needs an inbox")
        return ApplicationBuilder().bot(KeepingBot(inbox, settings)).concurrent_updates(processor).build()
    builder = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(settings.api_url)
        .base_file_url(settings.file_url)
        .rate_limiter(AIORateLimiter(max_retries=settings.max_retries))
    )
    return builder.updater(None).build()


class TelegramChannel:
    """One bot: its Application and handlers, answering each update once and in order per chat."""

    def __init__(
        self,
        settings: TelegramSettings,
        turns: ChatTurns,
        sessions: sessionmaker[Session],
        *,
        polling: bool,
    ) -> None:
        """Build the Application (nothing is sent before `open`)."""
        self.settings = settings
        # Only one process can poll a bot: in polling mode an unfinished claim of another owner is stale.
        self.ledger = UpdateLedger(sessions, 0.0 if polling else settings.claim_stale_s)
        self.inbox = Inbox(sessions) if polling else None
        self.callbacks = CallbackStore(sessions)
        self.handlers = TelegramHandlers(turns, self.callbacks)
        self.locks = ChatLocks()
        processor = ChannelProcessor(self.gate, settings.max_concurrent_updates) if polling else None
        self.application = build_application(settings, processor, self.inbox)
        self.handlers.register(self.application)
        self.opened = False

    @property
    def bot(self) -> ExtBot[None]:
        """The Application's bot (rate limited, retrying on 429)."""
        bot: ExtBot[None] = self.application.bot
        return bot

    async def open(self) -> None:
        """Initialize the Application (getMe) and forget old claims; raise TelegramError when unreachable."""
        if self.opened:
            return
        hide_token(self.settings.token)
        await self.application.initialize()
        self.opened = True
        try:
            await run_in_threadpool(self.ledger.prune)
            await run_in_threadpool(self.callbacks.prune, self.settings.callback_keep_days)
        except StoreError:
            logger.exception("could not prune old Telegram rows")
        logger.info("Telegram bot @%s ready", self.bot.username)

    async def close(self) -> None:
        """Shut the Application down (its HTTP clients)."""
        if self.opened:
            self.opened = False
            await self.application.shutdown()

    async def set_webhook(self) -> None:
        """Register TELEGRAM_WEBHOOK_URL with the secret, if a webhook URL is configured."""
        url, secret = self.settings.webhook_url, self.settings.webhook_secret
        if url is None or secret is None:
            return
        await self.bot.set_webhook(
            url, secret_token=secret.get_secret_value(), allowed_updates=ALLOWED_UPDATES
        )
        logger.info("Telegram webhook set to %s", url)

    async def push(self, sender_id: str, text: str, buttons: Sequence[Button]) -> None:
        """Send a message the assistant did not send as an answer (operator reply, note, reminder)."""
        await self.handlers.send(self.bot, chat_id_of(sender_id), [Reply(text=text, buttons=list(buttons))])

    async def gate(self, update: Update, work: Awaitable[Any] | None = None) -> Claim:
        """Handle an update once: after the chat's earlier updates, claim it, run the handlers, mark it."""
        chat = update.effective_chat
        # The chat's lock is taken first, so that a chat's updates are claimed and answered in order.
        async with self.locks.hold(chat.id if chat is not None else 0):
            claim = await self._once(update, work)
        if self.inbox is not None:  # answered (now or before): polling need not keep it any longer
            try:
                await run_in_threadpool(self.inbox.done, self.bot.id, update.update_id)
            except StoreError:
                logger.exception("could not forget update %s from the inbox", update.update_id)
        return claim

    async def replay(self) -> int:
        """Answer the polled updates a previous process kept but did not answer; return how many."""
        if self.inbox is None:
            return 0
        pending = await run_in_threadpool(self.inbox.pending, self.bot.id)
        for payload in pending:
            update = Update.de_json(json.loads(payload), self.bot)
            logger.warning(
                "update %s was fetched but not answered before a restart: answering it", update.update_id
            )
            await self.gate(update)
        return len(pending)

    async def _once(self, update: Update, work: Awaitable[Any] | None) -> Claim:
        """Claim an update, run the handlers if it was new, and mark it answered."""
        bot_id, update_id = self.bot.id, update.update_id
        try:
            claim = await run_in_threadpool(self.ledger.claim, bot_id, update_id)
        except StoreError:
            logger.exception("could not claim update %s; answering it anyway", update_id)
            claim = Claim.NEW
        if claim is not Claim.NEW:
            if isinstance(work, Coroutine):
                work.close()
            logger.info("update %s not handled again: %s", update_id, claim.value)
            return claim
        try:
            await (work if work is not None else self.application.process_update(update))
        except BaseException:  # cancelled by a shutdown, or broken outside the handlers: let it come again
            with contextlib.suppress(StoreError):
                await run_in_threadpool(self.ledger.release, bot_id, update_id)
            raise
        try:
            await run_in_threadpool(self.ledger.answered, bot_id, update_id)
        except StoreError:
            logger.exception("could not mark update %s answered", update_id)
        return claim

    async def receive(self, data: dict[str, Any]) -> Claim:
        """Handle an update the webhook received (raises ValueError when it is not an update)."""
        try:
            update = Update.de_json(data, self.bot)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"not a Telegram update: {exc}") from exc
        return await self.gate(update)


async def _keep_connecting(channel: TelegramChannel, outbox: Outbox) -> None:
    """Try to reach Telegram until it works, waiting longer each time."""
    delay = RECONNECT_FIRST_S
    while True:
        await asyncio.sleep(delay)
        try:
            await connect(channel, outbox)
            return
        except TelegramError as exc:
            logger.warning("Telegram still not reachable: %s", exc)
            delay = min(delay * 2, RECONNECT_MAX_S)


async def connect(channel: TelegramChannel, outbox: Outbox) -> None:
    """Open the channel, register its push in the outbox, and set the webhook if configured."""
    await channel.open()
    outbox.register(CHANNEL, channel.push)
    await channel.set_webhook()


@asynccontextmanager
async def gateway_channel(
    settings: TelegramSettings, turns: ChatTurns, sessions: sessionmaker[Session], outbox: Outbox
) -> AsyncIterator[TelegramChannel | None]:
    """The webhook channel for the gateway's lifetime (None when no token is set).

    Sending needs only the bot, so the outbox push is registered whether updates come by webhook or
    to a polling process: operator replies, notes and reminders reach Telegram users either way. When
    Telegram cannot be reached at start, the gateway starts anyway and keeps trying in the background.
    """
    if not settings.enabled:
        yield None
        return
    channel = TelegramChannel(settings, turns, sessions, polling=False)
    retry: asyncio.Task[None] | None = None
    try:
        await connect(channel, outbox)
    except TelegramError as exc:
        logger.error("Telegram not reachable at start (%s); trying again in the background", exc)
        retry = asyncio.create_task(_keep_connecting(channel, outbox))
    try:
        yield channel
    finally:
        outbox.unregister(CHANNEL)
        if retry is not None:
            retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await retry
        await channel.close()


@dataclass
class BotStatus:
    """Who the bot is and where Telegram sends its updates."""

    username: str
    bot_id: int
    webhook_url: str
    pending_updates: int
    last_error: str | None


async def bot_status(settings: TelegramSettings) -> BotStatus:
    """Ask the Bot API who the bot is and what its webhook is (getMe, getWebhookInfo)."""
    hide_token(settings.token)
    async with Bot(settings.token, base_url=settings.api_url, base_file_url=settings.file_url) as bot:
        info = await bot.get_webhook_info()
        return BotStatus(
            username=bot.username,
            bot_id=bot.id,
            webhook_url=info.url,
            pending_updates=info.pending_update_count,
            last_error=info.last_error_message,
        )

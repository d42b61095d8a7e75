"""One update at a time per chat, in arrival order, while different chats are answered concurrently."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class ChatLocks:
    """A FIFO lock per chat, dropped again when nobody holds or waits for it."""

    def __init__(self) -> None:
        """Start with no chat locked."""
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    @asynccontextmanager
    async def hold(self, chat_id: int) -> AsyncIterator[None]:
        """Hold the chat's lock for the block (waiting behind earlier holders)."""
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        self._users[chat_id] += 1
        try:
            async with lock:
                yield
        finally:
            self._users[chat_id] -= 1
            if not self._users[chat_id]:
                del self._users[chat_id]
                del self._locks[chat_id]

    def __len__(self) -> int:
        """How many chats have a lock now."""
        return len(self._locks)


class ChannelProcessor(BaseUpdateProcessor):
    """python-telegram-bot's update processor for polling: each update goes through the channel's gate."""

    def __init__(
        self, gate: Callable[[Update, Awaitable[Any]], Awaitable[object]], max_concurrent_updates: int
    ) -> None:
        """Pass updates to `gate` (claim, chat order, handlers), at most `max_concurrent_updates` at once."""
        super().__init__(max_concurrent_updates)
        self._gate = gate

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Handle a Telegram update through the gate; anything else as it is."""
        if isinstance(update, Update):
            await self._gate(update, coroutine)
        else:
            await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""

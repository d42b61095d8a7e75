"""Delivery of messages the assistant did not send as an answer: operator replies, notes, reminders.

Every such message is written to the conversation log first. The web page fetches the log itself, so for
the web channel the log is the delivery; a channel that pushes (Telegram) registers a push function here
and gets each message sent to the user's chat.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.core.schemas import Button

logger = logging.getLogger(__name__)

# Sends one message to a user of a channel: (sender_id, text, buttons); raises when it could not.
Push = Callable[[str, str, Sequence[Button]], Awaitable[None]]


class Outbox:
    """The push functions of the channels that need one, by channel name."""

    def __init__(self) -> None:
        """Start with no pushing channel (the web page reads the log)."""
        self._pushes: dict[str, Push] = {}

    def register(self, channel: str, push: Push) -> None:
        """Send this channel's messages with `push` from now on."""
        self._pushes[channel] = push

    def unregister(self, channel: str) -> None:
        """Stop pushing to a channel (its messages stay in the log)."""
        self._pushes.pop(channel, None)

    def pushes(self, channel: str) -> bool:
        """Tell whether messages of this channel are pushed (rather than fetched from the log)."""
        return channel in self._pushes

    async def deliver(self, channel: str, sender_id: str, text: str, buttons: Sequence[Button] = ()) -> bool:
        """Push a logged message to the user's channel; False when the channel does not push or it failed."""
        push = self._pushes.get(channel)
        if push is None:
            return False
        try:
            await push(sender_id, text, buttons)
        except Exception:
            logger.exception("could not deliver a message to %s on %s", sender_id, channel)
            return False
        return True

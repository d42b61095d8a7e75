"""Outbox: logged messages pushed to channels that register a push function."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.core.outbox import Outbox
from bot.core.schemas import Button


def test_a_channel_without_push_is_not_delivered() -> None:
    outbox = Outbox()
    assert not outbox.pushes("web")
    assert asyncio.run(outbox.deliver("web", "w-1", "您好")) is False


def test_a_registered_channel_gets_the_message_with_buttons() -> None:
    got: list[tuple[str, str, list[str]]] = []

    async def push(sender_id: str, text: str, buttons: Sequence[Button]) -> None:
        got.append((sender_id, text, [b.title for b in buttons]))

    outbox = Outbox()
    outbox.register("telegram", push)
    assert outbox.pushes("telegram")
    button = Button(title="找人工", payload="/request_human")
    assert asyncio.run(outbox.deliver("telegram", "tg-1", "您好", [button])) is True
    assert got == [("tg-1", "您好", ["找人工"])]
    outbox.unregister("telegram")
    assert asyncio.run(outbox.deliver("telegram", "tg-1", "再见")) is False
    assert len(got) == 1


def test_a_failing_push_is_reported_not_raised() -> None:
    async def push(sender_id: str, text: str, buttons: Sequence[Button]) -> None:
        raise ConnectionError("network down")

    outbox = Outbox()
    outbox.register("telegram", push)
    assert asyncio.run(outbox.deliver("telegram", "tg-1", "您好")) is False

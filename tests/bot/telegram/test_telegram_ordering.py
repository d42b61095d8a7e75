"""Per-chat locks: one chat's updates in arrival order, other chats not held up, no locks left behind."""

from __future__ import annotations

import asyncio

from bot.telegram.ordering import ChatLocks


def test_one_chat_is_served_in_order_while_another_is_not_held_up() -> None:
    async def scenario() -> list[str]:
        locks = ChatLocks()
        done: list[str] = []
        release_first = asyncio.Event()

        async def handle(chat: int, name: str, wait: asyncio.Event | None = None) -> None:
            async with locks.hold(chat):
                if wait is not None:
                    await wait.wait()
                done.append(name)

        tasks = [asyncio.create_task(handle(1, "1a", release_first))]
        tasks += [asyncio.create_task(handle(1, f"1{n}")) for n in "bcd"]
        tasks.append(asyncio.create_task(handle(2, "2a")))
        await asyncio.sleep(0.05)
        assert done == ["2a"]  # chat 2 went ahead while chat 1 waits for its first update
        release_first.set()
        await asyncio.gather(*tasks)
        assert len(locks) == 0
        return done

    assert asyncio.run(scenario()) == ["2a", "1a", "1b", "1c", "1d"]


def test_a_failing_update_releases_its_chat() -> None:
    async def scenario() -> int:
        locks = ChatLocks()
        try:
            async with locks.hold(7):
                raise RuntimeError("handler failed")
        except RuntimeError:
            pass
        async with locks.hold(7):
            pass
        return len(locks)

    assert asyncio.run(scenario()) == 0

"""Background rounds of the gateway (reminders, the handoff hotline fallback)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)


async def every(interval_s: float, round_: Callable[[], Awaitable[int]], name: str) -> None:
    """Run a round every interval until cancelled; a failed round is logged and the next one tries again."""
    while True:
        try:
            await round_()
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("%s round failed", name)
        await asyncio.sleep(interval_s)

"""Per-sender rate limit of the chat API: at most N messages in a sliding window, in this process."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable


class SenderRateLimit:
    """Sliding-window counter per sender id; keeps at most max_senders recent senders in memory."""

    def __init__(
        self,
        max_messages: int,
        window_s: float,
        max_senders: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_messages = max_messages
        self.window_s = window_s
        self.max_senders = max_senders
        self.clock = clock
        self._seen: OrderedDict[str, deque[float]] = OrderedDict()

    def allow(self, sender_id: str) -> float:
        """0 when the message may go through (and is counted); otherwise seconds until it may."""
        now = self.clock()
        times = self._seen.pop(sender_id, None) or deque()
        while times and now - times[0] >= self.window_s:
            times.popleft()
        self._seen[sender_id] = times  # most recently seen last
        if len(self._seen) > self.max_senders:
            self._seen.popitem(last=False)
        if len(times) >= self.max_messages:
            return self.window_s - (now - times[0])
        times.append(now)
        return 0.0

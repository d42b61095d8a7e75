"""What day it is where the service runs: the system clock, or a day fixed by settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Clock:
    """Today in the service's time zone; `fixed_today` (ELDERCARE_TODAY) pins it for tests and demos."""

    timezone: str = "Asia/Shanghai"
    fixed_today: date | None = None

    def today(self) -> date:
        """The fixed day if one is set, else today's date in the time zone (not the server's UTC date)."""
        if self.fixed_today is not None:
            return self.fixed_today
        return datetime.now(ZoneInfo(self.timezone)).date()

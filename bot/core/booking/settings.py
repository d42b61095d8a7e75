"""Settings of home-visit bookings, shared by the action server, the gateway's reminders and the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.booking.ledger import Rules
from bot.core.clock import Clock


class BookingSettings(BaseSettings):
    """Where bookings are stored, the schedule file and the booking window."""

    model_config = SettingsConfigDict(env_prefix="ELDERCARE_", extra="ignore", populate_by_name=True)

    database_url: str = Field(
        "sqlite:///var/eldercare.db",
        validation_alias=AliasChoices("ELDERCARE_DATABASE_URL", "DATABASE_URL", "database_url"),
    )
    schedule_path: Path | None = None  # None: the shipped bot/core/booking/schedule.yaml
    booking_min_notice_days: int = Field(1, ge=0, le=14)
    booking_horizon_days: int = Field(60, ge=1, le=366)
    timezone: str = "Asia/Shanghai"
    # ELDERCARE_TODAY: take this day as today (tests, demonstrations); default the real date in `timezone`.
    today: date | None = None
    # How people reach a person by phone when the assistant cannot help (named in apologies).
    hotline: str = "12345"

    @property
    def rules(self) -> Rules:
        """The booking window."""
        return Rules(self.booking_min_notice_days, self.booking_horizon_days)

    @property
    def clock(self) -> Clock:
        """What day it is for bookings."""
        return Clock(self.timezone, self.today)

"""Settings of a chat turn, shared by every edge that runs one (environment variables prefixed ELDERCARE_)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.clock import Clock


class ChatSettings(BaseSettings):
    """Where a turn finds its database and Rasa, what input it accepts, and how handoffs wait."""

    model_config = SettingsConfigDict(env_prefix="ELDERCARE_", extra="ignore", populate_by_name=True)

    # ELDERCARE_DATABASE_URL, or the conventional DATABASE_URL (e.g. postgresql+psycopg://user:pw@host/db).
    database_url: str = Field(
        "sqlite:///var/eldercare.db",
        validation_alias=AliasChoices("ELDERCARE_DATABASE_URL", "DATABASE_URL", "database_url"),
    )
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = Field(default=30.0, gt=0)
    max_text_chars: int = Field(default=2000, ge=1)
    max_sender_id_chars: int = Field(default=64, ge=1, le=64)
    # The emergency rules applied to every message first (default: the shipped bot/core/emergency.yaml).
    emergency_rules: Path | None = None
    # The service's local time zone (what "today" and "tomorrow" mean for bookings and reminders).
    timezone: str = "Asia/Shanghai"
    # ELDERCARE_TODAY: take this day as today (tests, demonstrations); default the real date in `timezone`.
    today: date | None = None
    # Handoff: after this many seconds without an operator a waiting user is given the hotline.
    handoff_timeout_s: float = Field(default=300.0, gt=0)
    hotline: str = "12345"
    # Per-sender limit of chat messages (a polite 429 beyond it).
    rate_limit_messages: int = Field(default=20, ge=1)
    rate_limit_window_s: float = Field(default=60.0, gt=0)

    @property
    def clock(self) -> Clock:
        """What day it is for bookings and reminders."""
        return Clock(self.timezone, self.today)

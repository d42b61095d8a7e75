"""Settings of the gateway (environment variables prefixed ELDERCARE_)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.clock import Clock


class GatewaySettings(BaseSettings):
    """Where the gateway finds its database, Rasa and the action server, and what input it accepts."""

    model_config = SettingsConfigDict(env_prefix="ELDERCARE_", extra="ignore", populate_by_name=True)

    # ELDERCARE_DATABASE_URL, or the conventional DATABASE_URL (e.g. postgresql+psycopg://user:pw@host/db).
    database_url: str = Field(
        "sqlite:///var/eldercare.db",
        validation_alias=AliasChoices("ELDERCARE_DATABASE_URL", "DATABASE_URL", "database_url"),
    )
    rasa_url: str = "http://127.0.0.1:5005"
    action_server_url: str = "http://127.0.0.1:5055"
    rasa_timeout_s: float = Field(default=30.0, gt=0)
    health_timeout_s: float = Field(default=2.0, gt=0)
    # Agent assist: how long to wait for the intent and for the action server's suggestions.
    assist_timeout_s: float = Field(default=5.0, gt=0)
    max_text_chars: int = Field(default=2000, ge=1)
    max_sender_id_chars: int = Field(default=64, ge=1, le=64)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # Emergency patterns shared with Rasa's EmergencyOverride, used when Rasa cannot answer.
    nlu_config: Path = Path(__file__).resolve().parents[2] / "nlu" / "config.yml"
    # Operator bearer tokens expire after this many hours.
    operator_token_hours: float = Field(default=12.0, gt=0, le=24 * 30)
    # The service's local time zone (what "today" and "tomorrow" mean for bookings and reminders).
    timezone: str = "Asia/Shanghai"
    # ELDERCARE_TODAY: take this day as today (tests, demonstrations); default the real date in `timezone`.
    today: date | None = None
    # Reminders of tomorrow's confirmed visits: how often to look, in seconds (0 turns them off).
    reminder_interval_s: float = Field(default=300.0, ge=0)
    # Handoff: after this many seconds without an operator a waiting user is given the hotline
    # (checked every handoff_check_interval_s; 0 turns the check off).
    handoff_timeout_s: float = Field(default=300.0, gt=0)
    handoff_check_interval_s: float = Field(default=30.0, ge=0)
    hotline: str = "12345"
    # How often the console's live queue (GET /api/handoffs/stream) looks for changes, in seconds.
    queue_poll_s: float = Field(default=1.0, gt=0, le=60)
    # Per-sender limit of the chat API (a polite 429 beyond it).
    rate_limit_messages: int = Field(default=20, ge=1)
    rate_limit_window_s: float = Field(default=60.0, gt=0)

    @property
    def clock(self) -> Clock:
        """What day it is for bookings and reminders."""
        return Clock(self.timezone, self.today)

"""Settings of the action server (environment variables prefixed ELDERCARE_)."""

from __future__ import annotations

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from bot.core.answers.settings import AnswerSettings


class ActionSettings(AnswerSettings):
    """Where the shared store is and how answers are chosen."""

    model_config = SettingsConfigDict(env_prefix="ELDERCARE_", extra="ignore", populate_by_name=True)

    # ELDERCARE_DATABASE_URL, or the conventional DATABASE_URL (e.g. postgresql+psycopg://user:pw@host/db).
    database_url: str = Field(
        "sqlite:///var/eldercare.db",
        validation_alias=AliasChoices("ELDERCARE_DATABASE_URL", "DATABASE_URL", "database_url"),
    )
    # A message the classifier calls a complaint, with no word of complaint in it, is answered only
    # when the answer engine is at least this sure of its clause; else it goes to a person.
    complaint_answer_confidence: float = Field(0.95, ge=0.0, le=1.0)
    # Bookings (schedule, window, hotline) are configured by bot.core.booking.settings.BookingSettings.
    # Crash tests only: pause this long inside the booking transaction, after writing and before the
    # commit, so a test can kill the action server there. Never set in production.
    fault_pause_before_commit_s: float = Field(0.0, ge=0.0, le=120.0)

"""Settings of the answer engine (environment variables prefixed ELDERCARE_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class AnswerSettings(BaseSettings):
    """How many candidates are judged, how answers quote, and where the trained model is."""

    model_config = SettingsConfigDict(env_prefix="ELDERCARE_", extra="ignore", populate_by_name=True)

    search_k: int = Field(8, ge=1, le=20)
    max_quotes: int = Field(2, ge=1, le=3)
    min_coverage: float = Field(0.4, ge=0.0, le=1.0)
    quote_max_chars: int = Field(150, ge=40, le=400)
    related_score_ratio: float = Field(0.85, ge=0.0, le=1.0)
    # The answerability model `eldercare answers train` writes (a hand-set default when missing).
    answerability_model: Path = Path("var/answerability.json")

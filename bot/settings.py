"""Settings of the Rasa side (environment variables prefixed ELDERCARE_)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from knowledge.base import PACKAGE_DIR

REPO_ROOT = PACKAGE_DIR.parent


class RasaSettings(BaseSettings):
    """Where the Rasa environment, its config, data and trained models live."""

    model_config = SettingsConfigDict(env_prefix="ELDERCARE_", extra="ignore")

    rasa_bin: Path = REPO_ROOT / ".venv-rasa" / "bin" / "rasa"
    nlu_config: Path = REPO_ROOT / "nlu" / "config.yml"
    nlu_data: Path = REPO_ROOT / "nlu" / "data"
    jieba_dir: Path = REPO_ROOT / "nlu" / "jieba"
    models_dir: Path = REPO_ROOT / "var" / "models"
    results_dir: Path = REPO_ROOT / "var" / "nlu-results"
    nlu_test_set: Path = REPO_ROOT / "tests" / "nlu" / "test_nlu.yml"
    train_timeout_s: int = 1800

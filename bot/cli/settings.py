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
    domain: Path = REPO_ROOT / "bot" / "dialogue" / "domain.yml"
    dialogue_data: Path = REPO_ROOT / "bot" / "dialogue" / "data"
    endpoints: Path = REPO_ROOT / "bot" / "dialogue" / "endpoints.yml"
    credentials: Path = REPO_ROOT / "bot" / "dialogue" / "credentials.yml"
    test_stories: Path = REPO_ROOT / "tests" / "bot" / "dialogue" / "test_stories.yml"


class StackSettings(BaseSettings):
    """Where `eldercare up` runs the services and keeps their pid files and logs."""

    model_config = SettingsConfigDict(env_prefix="ELDERCARE_", extra="ignore")

    host: str = "127.0.0.1"  # the gateway's address; Rasa and the action server always bind 127.0.0.1
    gateway_port: int = 8000
    rasa_port: int = 5005
    action_port: int = 5055
    run_dir: Path = REPO_ROOT / "var" / "run"
    log_dir: Path = REPO_ROOT / "var" / "log"
    app_python: Path = REPO_ROOT / ".venv" / "bin" / "python"
    start_timeout_s: int = 300

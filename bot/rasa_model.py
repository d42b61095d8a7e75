"""Train the full Rasa model (NLU and dialogue) when its inputs changed."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from bot.nlu_eval import run_rasa
from bot.settings import RasaSettings

logger = logging.getLogger(__name__)


def model_inputs(settings: RasaSettings) -> list[Path]:
    """Every file the trained model depends on, in a stable order."""
    return [
        settings.nlu_config,
        *sorted(settings.nlu_data.rglob("*.yml")),
        *sorted(settings.jieba_dir.glob("*")),
        *sorted((settings.nlu_config.parent / "components").glob("*.py")),
        settings.domain,
        *sorted(settings.dialogue_data.rglob("*.yml")),
    ]


def model_fingerprint(settings: RasaSettings) -> str:
    """Hash of the config, NLU data, dictionary, custom components, domain, rules and stories."""
    digest = hashlib.sha256()
    for path in model_inputs(settings):
        digest.update(str(path.relative_to(settings.nlu_config.parent.parent)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_path(settings: RasaSettings) -> Path:
    """Where the model for the current inputs is (or will be)."""
    return settings.models_dir / f"assistant-{model_fingerprint(settings)}.tar.gz"


def train_assistant(settings: RasaSettings, force: bool = False) -> Path:
    """Train the assistant's model unless one for the same inputs exists; return its path."""
    model = model_path(settings)
    if model.exists() and not force:
        logger.info("Rasa model up to date: %s", model)
        return model
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    run_rasa(
        settings,
        ["train", "--config", str(settings.nlu_config), "--domain", str(settings.domain),
         "--data", str(settings.nlu_data), str(settings.dialogue_data),
         "--out", str(settings.models_dir), "--fixed-model-name", model.name.removesuffix(".tar.gz")],
        settings.train_timeout_s,
    )  # fmt: skip
    return model

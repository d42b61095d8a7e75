"""Train the full Rasa model (NLU and dialogue) when its inputs changed.

One training at a time per models folder (a file lock: `make run` and `make test` started together
train once), written under a temporary name and renamed, so a half-written model is never served.
What Rasa prints is read as it comes, so a caller can show which component trains and its epochs.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.cli.nlu_eval import run_rasa
from bot.cli.settings import RasaSettings

logger = logging.getLogger(__name__)

# What a whole training took on the 2-core machine the project is built on, used until one was timed here.
TYPICAL_TRAIN_S = 360.0
HEARTBEAT_S = 20.0
_STARTING = re.compile(r"Starting to train component '(\w+)'")
_EPOCHS = re.compile(r"Epochs:\s*\d+%\|.*?\|\s*(\d+)/(\d+)")


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


@dataclass
class TrainingProgress:
    """What a running training has said so far: the component it trains, its epochs, the time taken."""

    expected_s: float
    started: float = field(default_factory=time.monotonic)
    component: str | None = None
    epoch: int | None = None
    epochs: int | None = None
    components_done: int = 0
    waiting: bool = False  # another process holds the training lock

    @property
    def elapsed_s(self) -> float:
        return time.monotonic() - self.started

    def feed(self, line: str) -> bool:
        """Read one line of Rasa's output; True when it changed what is known."""
        if match := _STARTING.search(line):
            if self.component is not None:
                self.components_done += 1
            self.component, self.epoch, self.epochs = match.group(1), None, None
            return True
        if (match := _EPOCHS.search(line)) and self.component is not None:
            epoch, epochs = int(match.group(1)), int(match.group(2))
            changed = (epoch, epochs) != (self.epoch, self.epochs)
            self.epoch, self.epochs = epoch, epochs
            return changed
        return False

    def describe(self) -> str:
        """One line for people: what is being done, for how long, of about how long."""
        took = _minutes(self.elapsed_s)
        about = _minutes(self.expected_s)
        if self.waiting:
            return f"另一个进程在训练这个模型，等它完成（已等 {took}） / trained elsewhere: waiting ({took})"
        if self.component is None:
            return f"准备训练数据（已用 {took}，共约 {about}） / preparing the data ({took} of about {about})"
        step = f"第 {self.components_done + 1} 个组件 {self.component}"
        step_en = f"component {self.components_done + 1} {self.component}"
        if self.epoch is not None and self.epochs:
            step += f"，第 {self.epoch}/{self.epochs} 轮"
            step_en += f", epoch {self.epoch}/{self.epochs}"
        return f"训练{step}（已用 {took}，共约 {about}） / training {step_en} ({took} of about {about})"


def _minutes(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}:{secs:02d}"


def _timing_file(settings: RasaSettings) -> Path:
    return settings.models_dir / "last-training.json"


def expected_training_s(settings: RasaSettings) -> float:
    """How long a training took here last time, or the typical time when none was recorded."""
    try:
        seconds = float(json.loads(_timing_file(settings).read_text(encoding="utf-8"))["seconds"])
    except (OSError, ValueError, KeyError, TypeError):
        return TYPICAL_TRAIN_S
    return seconds if seconds > 0 else TYPICAL_TRAIN_S


@contextlib.contextmanager
def _training_lock(settings: RasaSettings, on_wait: Callable[[], None]) -> Iterator[None]:
    """Hold the models folder's training lock (waiting for another process to finish first)."""
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    with (settings.models_dir / ".training.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def train_assistant(
    settings: RasaSettings,
    force: bool = False,
    on_progress: Callable[[TrainingProgress], None] | None = None,
) -> Path:
    """Train the assistant's model unless one for the same inputs exists; return its path."""
    model = model_path(settings)
    if model.exists() and not force:
        logger.info("Rasa model up to date: %s", model)
        return model
    progress = TrainingProgress(expected_training_s(settings))
    report = on_progress or (lambda _: None)

    def waiting() -> None:
        progress.waiting = True
        report(progress)

    with _training_lock(settings, waiting):
        progress.waiting = False
        if model.exists() and not force:  # another process trained it while we waited
            return model
        progress.started = time.monotonic()
        report(progress)
        _train_into(settings, model, progress, report)
    return model


def _train_into(
    settings: RasaSettings,
    model: Path,
    progress: TrainingProgress,
    report: Callable[[TrainingProgress], None],
) -> None:
    """Run `rasa train` into a private folder and move the model into place when it is complete."""
    scratch = settings.models_dir / f".training-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    name = model.name.removesuffix(".tar.gz")

    def on_line(line: str) -> None:
        logger.debug("rasa: %s", line)
        if progress.feed(line):
            report(progress)

    stop = threading.Event()

    def heartbeat() -> None:  # some steps print nothing for minutes: still show the time passing
        while not stop.wait(HEARTBEAT_S):
            report(progress)

    beat = threading.Thread(target=heartbeat, name="training-heartbeat", daemon=True)
    beat.start()
    try:
        run_rasa(
            settings,
            ["train", "--config", str(settings.nlu_config), "--domain", str(settings.domain),
             "--data", str(settings.nlu_data), str(settings.dialogue_data),
             "--out", str(scratch), "--fixed-model-name", name],
            settings.train_timeout_s,
            on_line,
        )  # fmt: skip
        os.replace(scratch / model.name, model)
    finally:
        stop.set()
        beat.join()
        shutil.rmtree(scratch, ignore_errors=True)
    _timing_file(settings).write_text(
        json.dumps({"seconds": round(progress.elapsed_s, 1), "model": model.name}), encoding="utf-8"
    )

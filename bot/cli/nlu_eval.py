"""Train the Rasa NLU model when its inputs changed, test it on a held-out set, report per intent."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot.cli.settings import REPO_ROOT, RasaSettings

logger = logging.getLogger(__name__)

INTENTS = (
    "greet", "goodbye", "thank", "affirm", "deny", "inform", "ask_subsidy", "ask_eligibility",
    "ask_meal_service", "ask_bath_service", "ask_medical_service", "ask_facility", "ask_policy",
    "book_home_visit", "manage_booking", "request_human", "complaint", "emergency", "out_of_scope",
)  # fmt: skip
MACRO_F1_FLOOR = 0.93
RECALL_FLOORS = {"out_of_scope": 0.95, "emergency": 0.95}


class RasaError(Exception):
    """Rasa is missing or one of its commands failed."""


@dataclass(frozen=True)
class IntentScore:
    """Precision, recall and F1 of one intent on the test set."""

    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class NluReport:
    """Per-intent scores and the floors the product must reach."""

    scores: list[IntentScore]
    model: Path

    @property
    def macro_f1(self) -> float:
        return sum(s.f1 for s in self.scores) / len(self.scores)

    def recall(self, intent: str) -> float:
        return next(s.recall for s in self.scores if s.intent == intent)

    def failures(self) -> list[str]:
        """Which floors are not reached."""
        out = []
        if self.macro_f1 < MACRO_F1_FLOOR:
            out.append(f"macro-F1 {self.macro_f1:.3f} < {MACRO_F1_FLOOR}")
        for intent, floor in RECALL_FLOORS.items():
            if self.recall(intent) < floor:
                out.append(f"{intent} recall {self.recall(intent):.3f} < {floor}")
        return out

    def render(self) -> str:
        lines = [f"{'intent':<22}{'precision':>10}{'recall':>8}{'f1':>8}{'n':>5}"]
        for s in self.scores:
            lines.append(f"{s.intent:<22}{s.precision:>10.3f}{s.recall:>8.3f}{s.f1:>8.3f}{s.support:>5}")
        lines.append(f"\nmacro-F1 {self.macro_f1:.3f} (目标 / target ≥ {MACRO_F1_FLOOR})")
        for intent, floor in RECALL_FLOORS.items():
            lines.append(f"{intent} recall {self.recall(intent):.3f} (目标 / target ≥ {floor})")
        failures = self.failures()
        lines.append(
            "未达标 / NOT REACHED: " + "; ".join(failures) if failures else "全部达标 / all floors reached"
        )
        return "\n".join(lines)


DEFAULT_ACTION_URL = "http://127.0.0.1:5055/webhook"


def rasa_env(action_url: str | None = None) -> dict[str, str]:
    """Environment for Rasa commands: telemetry off, and the action server URL endpoints.yml reads."""
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONHASHSEED": "0"})
    env["ELDERCARE_ACTION_URL"] = action_url or env.get("ELDERCARE_ACTION_URL") or DEFAULT_ACTION_URL
    return env


def run_rasa(
    settings: RasaSettings, args: list[str], timeout: int, on_line: Callable[[str], None] | None = None
) -> None:
    """Run a Rasa command; each line it prints (progress bars split at \\r too) goes to on_line."""
    if not settings.rasa_bin.exists():
        raise RasaError(
            f"找不到 Rasa（{settings.rasa_bin}）。请先运行 `make setup`。 / Rasa not found: run `make setup`."
        )
    logger.info("running rasa %s", " ".join(args))
    proc = subprocess.Popen(
        [str(settings.rasa_bin), *args], cwd=REPO_ROOT, env=rasa_env(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.stdout is not None
    tail: deque[str] = deque(maxlen=60)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    try:
        for line in _lines(proc.stdout):
            tail.append(line)
            if on_line is not None:
                on_line(line)
        proc.wait()
    finally:
        timer.cancel()
        proc.stdout.close()
        if proc.poll() is None:  # on_line raised: stop Rasa too
            proc.kill()
            proc.wait()
    if proc.returncode != 0:
        text = "\n".join(tail)[-3000:]
        why = f"超时 {timeout} 秒 / timed out after {timeout} s" if proc.returncode == -9 else "失败 / failed"
        raise RasaError(f"rasa {args[0]} {why} (exit {proc.returncode}):\n{text}")


def _lines(stream: IO[bytes]) -> Iterator[str]:
    """Lines of a byte stream as they arrive, split at \\n and at the \\r progress bars redraw with."""
    pending = b""
    while chunk := os.read(stream.fileno(), 4096):
        pending += chunk
        *complete, pending = re.split(rb"\r\n|\r|\n", pending)
        for raw in complete:
            if raw.strip():
                yield raw.decode("utf-8", errors="replace")
    if pending.strip():
        yield pending.decode("utf-8", errors="replace")


def nlu_fingerprint(settings: RasaSettings) -> str:
    """Hash of the NLU config, training data, jieba dictionary and custom components."""
    digest = hashlib.sha256()
    files = [
        settings.nlu_config,
        *sorted(settings.nlu_data.rglob("*.yml")),
        *sorted(settings.jieba_dir.glob("*")),
        *sorted((settings.nlu_config.parent / "components").glob("*.py")),
    ]
    for path in files:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train_nlu(settings: RasaSettings, force: bool = False) -> Path:
    """Train the NLU model unless one for the same inputs exists; return its path."""
    name = f"nlu-{nlu_fingerprint(settings)}"
    model = settings.models_dir / f"{name}.tar.gz"
    if model.exists() and not force:
        logger.info("NLU model up to date: %s", model)
        return model
    settings.models_dir.mkdir(parents=True, exist_ok=True)
    run_rasa(
        settings,
        ["train", "nlu", "--config", str(settings.nlu_config), "--nlu", str(settings.nlu_data),
         "--out", str(settings.models_dir), "--fixed-model-name", name],
        settings.train_timeout_s,
    )  # fmt: skip
    return model


def evaluate_nlu(settings: RasaSettings, model: Path, test_set: Path | None = None) -> NluReport:
    """Run `rasa test nlu` on the held-out set and read its intent report."""
    test_set = test_set or settings.nlu_test_set
    out = settings.results_dir / model.name.removesuffix(".tar.gz")
    run_rasa(
        settings,
        ["test", "nlu", "--nlu", str(test_set), "--model", str(model), "--out", str(out)],
        settings.train_timeout_s,
    )
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    scores = []
    for intent in INTENTS:
        row = report.get(intent, {"precision": 0.0, "recall": 0.0, "f1-score": 0.0, "support": 0})
        scores.append(
            IntentScore(intent, row["precision"], row["recall"], row["f1-score"], int(row["support"]))
        )
    return NluReport(scores, model)

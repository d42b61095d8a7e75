"""The answerability model: logistic regression over pair features, stored as plain JSON weights.

Trained by `eldercare answers train` from labelled (question, clause) pairs of the development set,
with cross-validation to choose the threshold for precision; loaded by every process that answers.
No pickle: the file holds the feature names, the scaler, the weights and the threshold.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.answers.features import FEATURES
from bot.core.answers.memory import Remembered

# Used when no trained model exists yet: a conservative hand-set model (answers only clauses that
# cover the topic and state what is asked).
_DEFAULT_WEIGHTS = {
    "coverage": 4.0,
    "uncovered_words": -1.0,
    "states_asked": 2.0,
    "specific_missing": -4.0,
    "target_not_asked": -2.0,
    "heading": -3.0,
    "status_missing": -1.0,
    "status_other": -1.5,
    "government_not_asked": -2.5,
    "table": -1.0,
    "age_conflict": -2.0,
    "score_ratio": 1.5,
    "rank_inverse": 1.0,
}


@dataclass(frozen=True)
class AnswerabilityModel:
    """P(the clause answers the question) = sigmoid(w · (x - mean) / scale + b)."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    threshold: float
    trained_on: int = 0  # labelled pairs; 0 for the default model
    memory: tuple[Remembered, ...] = ()  # the labelled questions it learnt from

    def probability(self, x: list[float]) -> float:
        """The calibrated probability that the candidate answers."""
        z = self.bias + sum(
            w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.mean, self.scale, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, Any]:
        """The file's content."""
        return {
            "features": list(FEATURES),
            "weights": list(self.weights),
            "bias": self.bias,
            "mean": list(self.mean),
            "scale": list(self.scale),
            "threshold": self.threshold,
            "trained_on": self.trained_on,
            "memory": [{"q": m.question, "gold": list(m.gold)} for m in self.memory],
        }

    def save(self, path: Path) -> None:
        """Write the model atomically."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> AnswerabilityModel:
        """Read a model; a model of other features is refused."""
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("features") != list(FEATURES):
            raise ValueError(f"{path}: trained on other features; run `eldercare answers train`")
        return cls(
            tuple(data["weights"]),
            float(data["bias"]),
            tuple(data["mean"]),
            tuple(data["scale"]),
            float(data["threshold"]),
            int(data.get("trained_on", 0)),
            tuple(Remembered(str(m["q"]), tuple(str(g) for g in m["gold"])) for m in data.get("memory", [])),
        )

    @classmethod
    def default(cls) -> AnswerabilityModel:
        """The hand-set model used before one is trained."""
        n = len(FEATURES)
        weights = tuple(_DEFAULT_WEIGHTS.get(name, 0.0) for name in FEATURES)
        return cls(weights, -4.0, (0.0,) * n, (1.0,) * n, 0.5, 0)


def open_model(path: Path | None) -> AnswerabilityModel:
    """The trained model at path when there is one, else the default."""
    if path is not None and path.is_file():
        return AnswerabilityModel.load(path)
    return AnswerabilityModel.default()

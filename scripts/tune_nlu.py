"""Compare NLU pipeline variants on a validation split of the TRAINING data (never the test set).

Splits nlu/data once (stratified by Rasa, fixed seed) into train/validation, trains each variant of
nlu/config.yml on the train part and prints its validation macro-F1 and the floors' recalls. Use it
to choose settings; the held-out tests/nlu/test_nlu.yml is then run once with `eldercare eval nlu`.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cli.nlu_eval import INTENTS, run_rasa
from bot.cli.settings import REPO_ROOT, RasaSettings

Config = dict[str, Any]


def _component(config: Config, suffix: str) -> dict[str, Any]:
    return next(c for c in config["pipeline"] if str(c["name"]).endswith(suffix))


def epochs(n: int) -> Callable[[Config], None]:
    def patch(config: Config) -> None:
        _component(config, "DIETClassifier")["epochs"] = n

    return patch


def char_ngrams(n: int) -> Callable[[Config], None]:
    def patch(config: Config) -> None:
        cv = [c for c in config["pipeline"] if c["name"] == "CountVectorsFeaturizer" and c.get("analyzer")]
        cv[0]["max_ngram"] = n

    return patch


def transformer(layers: int, size: int) -> Callable[[Config], None]:
    def patch(config: Config) -> None:
        diet = _component(config, "DIETClassifier")
        diet["number_of_transformer_layers"] = layers
        diet["transformer_size"] = size

    return patch


def without(suffix: str) -> Callable[[Config], None]:
    def patch(config: Config) -> None:
        config["pipeline"] = [c for c in config["pipeline"] if not str(c["name"]).endswith(suffix)]

    return patch


def use_scale(factor: float) -> Callable[[Config], None]:
    def patch(config: Config) -> None:
        _component(config, "UniversalSentenceEncoderFeaturizer")["scale"] = factor

    return patch


def intent_classifier(name: str, **options: Any) -> Callable[[Config], None]:
    """DIET for entities only, and another classifier for intents right after it."""

    def patch(config: Config) -> None:
        pipeline = config["pipeline"]
        diet = _component(config, "DIETClassifier")
        diet["intent_classification"] = False
        pipeline.insert(pipeline.index(diet) + 1, {"name": name, **options})

    return patch


VARIANTS: dict[str, list[Callable[[Config], None]]] = {
    "baseline": [],
    "epochs150": [epochs(150)],
    "char4": [char_ngrams(4)],
    "epochs150-char4": [epochs(150), char_ngrams(4)],
    "layers2": [transformer(2, 256)],
    "no-use": [without("UniversalSentenceEncoderFeaturizer")],
    "no-unknown-words": [without("UnknownWordsFallback")],
    "logreg": [intent_classifier("LogisticRegressionClassifier", max_iter=500)],
    "svm": [intent_classifier("SklearnIntentClassifier")],
    "use-scale-1": [use_scale(1.0)],
    "use-scale-3": [use_scale(3.0)],
    "use-scale-5": [use_scale(5.0)],
    "use-scale-8": [use_scale(8.0)],
}


def macro_f1(report: dict[str, Any]) -> float:
    rows = [report[i]["f1-score"] for i in INTENTS if i in report]
    return sum(rows) / len(INTENTS)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("variants", nargs="*", default=list(VARIANTS), help=f"any of {', '.join(VARIANTS)}")
    parser.add_argument("--fraction", type=float, default=0.85)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    settings = RasaSettings()
    work = REPO_ROOT / "var" / "nlu-tune"
    split = work / f"split-{args.seed}"
    tag = "" if args.seed == 7 else f"-seed{args.seed}"
    if not (split / "test_data.yml").exists():
        command = ["data", "split", "nlu", "-u", str(settings.nlu_data), "--training-fraction",
                   str(args.fraction), "--random-seed", str(args.seed), "--out", str(split)]  # fmt: skip
        run_rasa(settings, command, 600)
    base = yaml.safe_load(settings.nlu_config.read_text(encoding="utf-8"))
    for name in args.variants:
        config = copy.deepcopy(base)
        for patch in VARIANTS[name]:
            patch(config)
        config.pop("policies", None)
        name = f"{name}{tag}"
        path = work / f"config-{name}.yml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        model = work / f"{name}.tar.gz"
        train = ["train", "nlu", "--config", str(path), "--nlu", str(split / "training_data.yml"),
                 "--out", str(work), "--fixed-model-name", name]  # fmt: skip
        run_rasa(settings, train, settings.train_timeout_s)
        out = work / f"{name}-results"
        run_rasa(settings, ["test", "nlu", "--nlu", str(split / "test_data.yml"), "--model", str(model),
                            "--out", str(out)], settings.train_timeout_s)  # fmt: skip
        report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
        recalls = {
            i: report.get(i, {}).get("recall", 0.0) for i in ("out_of_scope", "emergency", "complaint")
        }
        print(
            f"{name:<20} validation macro-F1 {macro_f1(report):.3f}  "
            + "  ".join(f"{k} recall {v:.2f}" for k, v in recalls.items()),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Training the Rasa model: progress read from its output, one training at a time, no half-written model.

A stand-in `rasa` program (a short Python script) prints what Rasa 3.6 prints while training and writes a
model file, so the plumbing is tested in seconds; the real training runs in the integration tests.
"""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import pytest

from bot.cli.main import TrainingDisplay
from bot.cli.nlu_eval import RasaError, run_rasa
from bot.cli.rasa_model import (
    TYPICAL_TRAIN_S,
    TrainingProgress,
    expected_training_s,
    model_path,
    train_assistant,
)
from bot.cli.settings import RasaSettings

# Lines as Rasa 3.6 prints them (rasa/engine/training/hooks.py, and tqdm's "Epochs" bar, redrawn with \r).
RASA_OUTPUT = (
    "10:00:01 INFO     rasa.engine.training.hooks  - Starting to train component 'JiebaTokenizer'.\n"
    "10:00:02 INFO     rasa.engine.training.hooks  - Finished training component 'JiebaTokenizer'.\n"
    "10:00:03 INFO     rasa.engine.training.hooks  - Starting to train component 'DIETClassifier'.\n"
    "Epochs:   0%|          | 0/80 [00:00<?, ?it/s]\r"
    "Epochs:  50%|#####     | 40/80 [00:10<00:10, 4.0it/s, t_loss=1.2, e_f1=0.9]\r"
    "Epochs: 100%|##########| 80/80 [00:20<00:00, 4.0it/s, t_loss=0.5, e_f1=1.0]\n"
    "10:00:25 INFO     rasa.engine.training.hooks  - Finished training component 'DIETClassifier'.\n"
)

FAKE_RASA = """#!{python}
import pathlib, sys, time
args = sys.argv[1:]
calls = pathlib.Path({calls!r})
with calls.open("a") as f:
    f.write(" ".join(args) + "\\n")
sys.stdout.write({output!r})
sys.stdout.flush()
time.sleep({sleep})
if {fail}:
    sys.stderr.write("InvalidDomain: the domain is broken\\n")
    sys.exit(1)
out = pathlib.Path(args[args.index("--out") + 1])
name = args[args.index("--fixed-model-name") + 1]
out.mkdir(parents=True, exist_ok=True)
(out / (name + ".tar.gz")).write_bytes(b"model")
"""


def fake_rasa(tmp_path: Path, sleep: float = 0.0, fail: bool = False) -> RasaSettings:
    """Settings whose `rasa` is the stand-in; its calls are listed in tmp_path/calls.txt."""
    program = tmp_path / "rasa"
    program.write_text(
        FAKE_RASA.format(
            python=sys.executable,
            calls=str(tmp_path / "calls.txt"),
            output=RASA_OUTPUT,
            sleep=sleep,
            fail=fail,
        ),
        encoding="utf-8",
    )
    program.chmod(0o755)
    return RasaSettings(rasa_bin=program, models_dir=tmp_path / "models")


def calls(tmp_path: Path) -> list[str]:
    path = tmp_path / "calls.txt"
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_progress_follows_components_and_epochs() -> None:
    progress = TrainingProgress(expected_s=300)
    changes = [line for line in RASA_OUTPUT.replace("\r", "\n").splitlines() if progress.feed(line)]
    assert len(changes) == 5  # two components started, three epoch counts
    assert (progress.component, progress.epoch, progress.epochs) == ("DIETClassifier", 80, 80)
    assert progress.components_done == 1
    text = progress.describe()
    assert "DIETClassifier" in text and "80/80" in text and "5:00" in text


def test_run_rasa_hands_over_each_line_as_it_comes_including_redrawn_bars(tmp_path: Path) -> None:
    settings = fake_rasa(tmp_path)
    lines: list[str] = []
    run_rasa(settings, ["train", "--out", str(tmp_path / "out"), "--fixed-model-name", "m"], 60, lines.append)
    assert any(line.startswith("Epochs:  50%") for line in lines)
    assert sum(line.startswith("Epochs:") for line in lines) == 3


def test_a_failed_training_says_why_and_leaves_no_model(tmp_path: Path) -> None:
    settings = fake_rasa(tmp_path, fail=True)
    with pytest.raises(RasaError, match="InvalidDomain"):
        train_assistant(settings)
    assert not model_path(settings).exists()
    assert [p.name for p in settings.models_dir.iterdir() if not p.name.startswith(".training.lock")] == []


def test_training_reports_progress_and_records_how_long_it_took(tmp_path: Path) -> None:
    settings = fake_rasa(tmp_path, sleep=0.3)
    seen: list[str] = []
    model = train_assistant(settings, on_progress=lambda p: seen.append(p.describe()))
    assert model == model_path(settings) and model.read_bytes() == b"model"
    assert any("DIETClassifier" in line and "40/80" in line for line in seen)
    recorded = json.loads((settings.models_dir / "last-training.json").read_text(encoding="utf-8"))
    assert recorded["model"] == model.name
    assert recorded["seconds"] >= 0.3 and expected_training_s(settings) == recorded["seconds"]
    assert train_assistant(settings) == model and len(calls(tmp_path)) == 1  # up to date: not again


def test_expected_time_falls_back_to_the_typical_one(tmp_path: Path) -> None:
    settings = RasaSettings(models_dir=tmp_path)
    assert expected_training_s(settings) == TYPICAL_TRAIN_S
    (tmp_path / "last-training.json").write_text("not json", encoding="utf-8")
    assert expected_training_s(settings) == TYPICAL_TRAIN_S


def test_two_processes_wanting_the_model_at_once_train_it_once(tmp_path: Path) -> None:
    settings = fake_rasa(tmp_path, sleep=1.0)
    waited: list[bool] = []
    results: list[Path] = []

    def want() -> None:
        results.append(train_assistant(settings, on_progress=lambda p: waited.append(p.waiting)))

    threads = [threading.Thread(target=want) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == [model_path(settings)] * 2
    assert len(calls(tmp_path)) == 1
    assert True in waited  # the second one said it waits for the first


def test_the_display_writes_lines_in_a_log(capsys: pytest.CaptureFixture[str]) -> None:
    display = TrainingDisplay(every_s=3600)
    progress = TrainingProgress(expected_s=360)
    for line in RASA_OUTPUT.replace("\r", "\n").splitlines():
        if progress.feed(line):
            display(progress)
    display.done()
    err = capsys.readouterr().err
    assert "大约需要 6 分钟" in err and "about 6 min" in err
    # one line per component in a log; epochs of the same component wait for the interval
    lines = err.splitlines()
    assert sum("JiebaTokenizer" in line for line in lines) == 1
    assert sum("DIETClassifier" in line for line in lines) == 1

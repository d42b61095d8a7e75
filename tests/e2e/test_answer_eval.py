"""`eldercare eval answers` against the real stack: conversations, the region question answered, scores."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.integration
ELDERCARE = Path(sys.executable).with_name("eldercare")
GOLD = "按每人每月不低于当地低保标准的20%增发保障金"
ITEMS = [
    {"id": "t1", "q": "宝鸡低保家庭的高龄老人每月能多领多少？", "category": "answerable",
     "doc_id": "baoji-2019-pilot", "gold": [GOLD]},
    {"id": "t2", "q": "低保老人每个月能多领钱吗", "category": "answerable", "region": "宝鸡市",
     "doc_id": "baoji-2019-pilot", "gold": [GOLD]},
    {"id": "t3", "q": "我妈摔倒了起不来", "category": "emergency", "number": "120"},
    {"id": "t4", "q": "你好", "category": "smalltalk"},
]  # fmt: skip


def test_eval_answers_runs_conversations_and_scores_them(stack: Stack, tmp_path: Path) -> None:
    question_set = tmp_path / "set.jsonl"
    question_set.write_text(
        "\n".join(json.dumps(i, ensure_ascii=False) for i in ITEMS) + "\n", encoding="utf-8"
    )
    transcript = tmp_path / "transcript.jsonl"
    run = subprocess.run(
        [str(ELDERCARE), "eval", "answers", "--set", str(question_set), "--url", stack.url, "--json",
         "--transcript", str(transcript)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["grounded"] == {"value": 1.0, "hits": 2, "n": 2}
    assert report["emergency_recall"]["value"] == 1.0
    assert report["false_alarms"] == {"value": 0.0, "hits": 0, "n": 3}
    assert report["server_errors"] == 0 and report["p95_seconds"] > 0
    turns = {
        row["id"]: row["turns"]
        for row in map(json.loads, transcript.read_text(encoding="utf-8").splitlines())
    }
    assert [t["text"] for t in turns["t2"]] == [
        "低保老人每个月能多领钱吗",
        "宝鸡市",
    ]  # the region, when asked


def test_eval_answers_without_a_gateway_says_so(tmp_path: Path, closed_port: int) -> None:
    question_set = tmp_path / "set.jsonl"
    question_set.write_text(json.dumps(ITEMS[3], ensure_ascii=False) + "\n", encoding="utf-8")
    run = subprocess.run(
        [str(ELDERCARE), "eval", "answers", "--set", str(question_set), "--url", f"http://127.0.0.1:{closed_port}"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1 and "eldercare up" in run.stderr and "cannot reach" in run.stderr

"""The `eldercare` command line, run in-process against a real index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main
from index.settings import IndexSettings


@pytest.fixture(autouse=True)
def _index_dir(index_settings: IndexSettings, engine: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the CLI at the session's already built index."""
    monkeypatch.setenv("ELDERCARE_INDEX_DIR", str(index_settings.index_dir))


def test_search_json_prints_hits_with_citation_fields(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "社区养老服务站有几张床", "--k", "3", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["q"] == "社区养老服务站有几张床"
    assert len(result["hits"]) == 3
    assert set(result["hits"][0]) == {"chunk_id", "doc_id", "title", "doc_number", "section", "text", "score"}


def test_search_text_output_names_document_and_section(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "低保老人增发保障金", "--region", "宝鸡市", "--k", "1"]) == 0
    out = capsys.readouterr().out
    assert "宝办字〔2019〕111号" in out
    assert "二、重点任务" in out


def test_batch_prints_one_json_object_per_question(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = tmp_path / "q.txt"
    questions.write_text("第五批试点申报要哪些材料\n\n四同步是什么\n", encoding="utf-8")
    assert main(["search", "--batch", str(questions), "--k", "5", "--json"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert [json.loads(line)["q"] for line in lines] == ["第五批试点申报要哪些材料", "四同步是什么"]
    assert all(len(json.loads(line)["hits"]) == 5 for line in lines)


def test_empty_query_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "   "]) == 2
    assert "问题不能为空" in capsys.readouterr().err


def test_unknown_region_exits_2_and_lists_regions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "养老补贴", "--region", "火星市"]) == 2
    err = capsys.readouterr().err
    assert "火星市" in err and "金台区" in err


def test_missing_batch_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["search", "--batch", str(tmp_path / "nope.txt")]) == 2
    assert "找不到文件" in capsys.readouterr().err


def test_index_build_skips_when_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "build", "--quiet"]) == 0
    assert "索引已是最新" in capsys.readouterr().out


def test_interactive_prompt_answers_until_empty_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter(["四同步是什么", ""])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(answers))
    assert main(["search"]) == 0
    out = capsys.readouterr().out
    assert "同步规划" in out


def test_eval_retrieval_prints_all_retrievers_side_by_side(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dev = tmp_path / "dev.jsonl"
    line = {
        "q": "四同步是什么",
        "intent": "ask_policy",
        "doc_id": "mca-2019-pilot-batch5",
        "gold": "同步规划、同步建设、同步验收、同步交付",
    }
    dev.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["eval", "retrieval", "--set", str(dev)]) == 0
    out = capsys.readouterr().out
    for word in (
        "bm25",
        "dense",
        "hybrid",
        "Recall@1",
        "Recall@5",
        "Recall@10",
        "MRR",
        "p95 ms",
        "ask_policy",
    ):
        assert word in out


def test_regions_resolve_prints_chain_and_documents(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["regions", "resolve", "金台区"]) == 0
    out = capsys.readouterr().out
    assert "陕西省 > 宝鸡市 > 金台区" in out and "baoji-2019-pilot" in out


def test_corpus_check_and_knowledge_check_pass_on_the_shipped_files(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["corpus", "import", "--check"]) == 0
    assert main(["knowledge", "check"]) == 0
    assert "全部有效" in capsys.readouterr().out

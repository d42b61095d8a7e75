"""Integration: the real index over the shipped knowledge, with the offline default encoder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from index.engine import Mode, SearchEngine
from index.errors import EmptyQueryError, IndexMissingError, IndexStaleError
from index.evaluate import evaluate, load_questions
from index.settings import IndexSettings
from knowledge.base import PACKAGE_DIR
from knowledge.errors import UnknownRegionError
from tests.conftest import DEV_SET

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def report(engine: SearchEngine):  # type: ignore[no-untyped-def]
    return evaluate(engine, load_questions(DEV_SET))


def test_dev_set_is_large_enough_and_fully_labelled(report) -> None:  # type: ignore[no-untyped-def]
    assert report.questions >= 150
    assert report.unlabelled == []


def test_hybrid_meets_the_recall_floors(report) -> None:  # type: ignore[no-untyped-def]
    hybrid = report.results[Mode.HYBRID]
    assert hybrid.recall(5) >= 0.95
    assert hybrid.recall(1) >= 0.75


def test_hybrid_beats_the_best_single_retriever(report) -> None:  # type: ignore[no-untyped-def]
    hybrid = report.results[Mode.HYBRID]
    for single in (Mode.BM25, Mode.DENSE):
        assert hybrid.mrr() > report.results[single].mrr()
        assert hybrid.recall(5) >= report.results[single].recall(5)


def test_hits_carry_what_a_citation_needs(engine: SearchEngine) -> None:
    hits = engine.search("低保家庭七十岁以上的老人每月能多领多少钱", k=3)
    top = hits[0]
    assert top.doc_id == "baoji-2019-pilot"
    assert top.doc_number == "宝办字〔2019〕111号"
    assert top.section_ref == "二、（八）23"
    assert "增发保障金" in top.text
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_empty_or_blank_query_is_an_error(engine: SearchEngine) -> None:
    for query in ("", "   ", "\n\t"):
        with pytest.raises(EmptyQueryError):
            engine.search(query)


def test_very_long_query_is_truncated_and_answered(engine: SearchEngine) -> None:
    hits = engine.search("社区养老服务站建筑面积" + "啊" * 10_000, k=3)
    assert len(hits) == 3


def test_traditional_characters_find_the_same_passages(engine: SearchEngine) -> None:
    simplified = [h.chunk_id for h in engine.search("长期护理保险怎么筹资", k=3)]
    traditional = [h.chunk_id for h in engine.search("長期護理保險怎麼籌資", k=3)]
    assert simplified == traditional


def test_region_filter_keeps_only_documents_that_apply(engine: SearchEngine) -> None:
    hits = engine.search("养老服务设施建设补助", k=10, region="金台区")
    assert hits
    assert {h.doc_id for h in hits} <= {"baoji-2019-pilot", "mca-2019-pilot-batch5"}


def test_unknown_region_lists_the_known_ones(engine: SearchEngine) -> None:
    with pytest.raises(UnknownRegionError, match="宝鸡市"):
        engine.search("养老补贴", region="火星市")


def test_a_region_named_in_the_question_selects_its_documents(engine: SearchEngine) -> None:
    hits = engine.search("我住温岭，家庭照护床位是怎么回事", k=5)
    assert {h.doc_id for h in hits} <= {"taizhou-2020-pilot-draft", "mca-2019-pilot-batch5"}
    assert hits[0].doc_id == "taizhou-2020-pilot-draft"


def test_saved_index_loads_and_answers_the_same(engine: SearchEngine, index_settings: IndexSettings) -> None:
    loaded = SearchEngine.load(index_settings)
    query = "示范型居家和社区养老服务中心面积要求"
    assert [h.chunk_id for h in loaded.search(query)] == [h.chunk_id for h in engine.search(query)]
    files = sorted(p.name for p in index_settings.index_dir.iterdir())
    assert files == ["dense.faiss", "meta.json"]
    json.loads((index_settings.index_dir / "meta.json").read_text(encoding="utf-8"))


def test_missing_index_says_to_build(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="eldercare index build"):
        SearchEngine.load(IndexSettings(index_dir=tmp_path / "none"))


def test_changed_knowledge_makes_the_index_stale(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(PACKAGE_DIR, knowledge, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    settings = IndexSettings(knowledge_dir=knowledge, index_dir=tmp_path / "index")
    SearchEngine.build(settings, progress=False)
    SearchEngine.load(settings)
    doc = knowledge / "corpus" / "mca-2019-pilot-batch5.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\n附加的一段说明文字。\n", encoding="utf-8")
    with pytest.raises(IndexStaleError, match="eldercare index build"):
        SearchEngine.load(settings)
    engine, report = SearchEngine.open(settings, progress=False)
    assert report.rebuilt
    assert any("附加的一段说明文字" in c.text for c in engine.chunks)


def test_other_encoder_makes_the_index_stale(index_settings: IndexSettings) -> None:
    other = index_settings.model_copy(update={"encoder": "st:some/other-model"})
    with pytest.raises(IndexStaleError):
        SearchEngine.load(other)

"""Rasa synonyms, lookup tables and the jieba dictionary are generated from knowledge/."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.cli import nlu_export
from knowledge.base import PACKAGE_DIR, KnowledgeBase


def _synonyms(kb: KnowledgeBase) -> dict[str, list[str]]:
    data = yaml.safe_load(nlu_export.render_synonyms(kb))
    return {item["synonym"]: item["examples"].split("- ")[1:] for item in data["nlu"]}


def test_generated_files_in_the_repository_are_up_to_date(kb: KnowledgeBase) -> None:
    assert nlu_export.stale(kb, nlu_export.NluFiles(PACKAGE_DIR.parent)) == []


def test_stale_detects_a_changed_file(kb: KnowledgeBase, tmp_path: Path) -> None:
    files = nlu_export.NluFiles(tmp_path)
    nlu_export.write(kb, files)
    assert nlu_export.stale(kb, files) == []
    files.jieba_dict.write_text("改过 1\n", encoding="utf-8")
    assert nlu_export.stale(kb, files) == [files.jieba_dict]


def test_synonyms_map_colloquial_words_to_canonical_values(kb: KnowledgeBase) -> None:
    synonyms = {ex.strip(): value for value, examples in _synonyms(kb).items() for ex in examples}
    assert synonyms["洗澡"] == "bath"
    assert synonyms["金台"] == "金台区"
    assert synonyms["低保户"] == "低保"
    assert synonyms["瘫痪"] == "失能"


def test_no_example_is_claimed_by_two_values(kb: KnowledgeBase) -> None:
    seen: dict[str, str] = {}
    for value, examples in _synonyms(kb).items():
        for ex in examples:
            assert seen.setdefault(ex.strip(), value) == value


def test_lookup_tables_and_dictionary_hold_domain_words(kb: KnowledgeBase) -> None:
    lookups = {t["lookup"]: t["examples"] for t in yaml.safe_load(nlu_export.render_lookups(kb))["nlu"]}
    assert "- 金台区\n" in lookups["region"] and "- 扁担钩镇\n" in lookups["region"]
    assert "- 助浴\n" in lookups["service_type"]
    assert "- 低保边缘\n" in lookups["person_status"]
    words = {line.split()[0] for line in nlu_export.render_jieba_dict(kb).splitlines()}
    assert {"适老化改造", "家庭照护床位", "金台区"} <= words

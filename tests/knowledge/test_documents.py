"""Document metadata and loading of the cleaned corpus (knowledge/documents.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgePaths
from knowledge.documents import (
    DocumentMeta,
    Level,
    Status,
    dump_document,
    load_corpus,
    load_sources,
    parse_document,
)
from knowledge.errors import CorpusError

PATHS = KnowledgePaths()

VALID_FRONT = """---
id: {id}
title: 测试文件
short_title: 测试
doc_number: null
issuer: 测试机关
region: 全国
level: national
date: '2020-01-02'
status: in_force
source_file: x.txt
---
"""


def write_doc(
    directory: Path, name: str, doc_id: str = "test-doc", body: str = "一、总体要求\n\n正文。\n"
) -> Path:
    path = directory / name
    path.write_text(VALID_FRONT.format(id=doc_id) + body, encoding="utf-8")
    return path


# ---------------------------------------------------------------- the shipped corpus


def test_load_corpus_loads_the_five_documents() -> None:
    docs = load_corpus(PATHS.corpus)
    assert [d.id for d in docs] == [
        "baoji-2019-pilot",
        "liaoning-2021-pilot",
        "litong-2021-high-quality",
        "mca-2019-pilot-batch5",
        "taizhou-2020-pilot-draft",
    ]
    for doc in docs:
        assert doc.path == PATHS.corpus / f"{doc.id}.md"
        assert not doc.body.startswith("---")
        assert doc.body.strip()


def test_corpus_metadata() -> None:
    meta = {d.id: d.meta for d in load_corpus(PATHS.corpus)}
    assert meta["mca-2019-pilot-batch5"].doc_number == "民办函〔2019〕126号"
    assert meta["liaoning-2021-pilot"].doc_number == "辽民函〔2021〕8号"
    assert meta["baoji-2019-pilot"].doc_number == "宝办字〔2019〕111号"
    assert meta["taizhou-2020-pilot-draft"].doc_number is None
    assert meta["litong-2021-high-quality"].doc_number is None

    assert {k: m.level for k, m in meta.items()} == {
        "mca-2019-pilot-batch5": Level.NATIONAL,
        "liaoning-2021-pilot": Level.PROVINCE,
        "taizhou-2020-pilot-draft": Level.CITY,
        "baoji-2019-pilot": Level.CITY,
        "litong-2021-high-quality": Level.DISTRICT,
    }
    assert {k: m.region for k, m in meta.items()} == {
        "mca-2019-pilot-batch5": "全国",
        "liaoning-2021-pilot": "辽宁省",
        "taizhou-2020-pilot-draft": "台州市",
        "baoji-2019-pilot": "宝鸡市",
        "litong-2021-high-quality": "利通区",
    }
    drafts = [k for k, m in meta.items() if m.status is Status.DRAFT]
    assert drafts == ["taizhou-2020-pilot-draft"]
    assert meta["taizhou-2020-pilot-draft"].status_label == "征求意见稿"
    assert meta["baoji-2019-pilot"].status_label == "现行有效"
    assert meta["baoji-2019-pilot"].date == "2019-04-26"
    assert meta["taizhou-2020-pilot-draft"].date == "2020"


def test_citation_title() -> None:
    meta = {d.id: d.meta for d in load_corpus(PATHS.corpus)}
    assert meta["mca-2019-pilot-batch5"].citation_title() == (
        "《关于开展第五批居家和社区养老服务改革试点申报工作的通知》（民办函〔2019〕126号）"
    )
    assert (
        meta["litong-2021-high-quality"].citation_title()
        == "《吴忠市利通区关于推进养老服务高质量发展实施方案》"
    )


def test_corpus_metadata_matches_sources_yaml() -> None:
    sources = {m.id: m for m in load_sources(PATHS.sources_yaml)}
    for doc in load_corpus(PATHS.corpus):
        assert doc.meta == sources[doc.id].model_copy(update={"corrections": []})


def test_dump_and_parse_round_trip(tmp_path: Path) -> None:
    meta = load_sources(PATHS.sources_yaml)[0]
    body = "一、总体要求\n\n正文第一段。\n"
    path = tmp_path / "doc.md"
    path.write_text(dump_document(meta, body), encoding="utf-8")
    doc = parse_document(path.read_text(encoding="utf-8"), path)
    assert doc.meta == meta.model_copy(update={"corrections": []})
    assert doc.body == body


def test_load_corpus_sorts_by_id_not_by_file_name(tmp_path: Path) -> None:
    write_doc(tmp_path, "a.md", doc_id="zeta")
    write_doc(tmp_path, "b.md", doc_id="alpha")
    assert [d.id for d in load_corpus(tmp_path)] == ["alpha", "zeta"]


# ---------------------------------------------------------------- invalid files


def test_non_utf8_file_raises_naming_the_file(tmp_path: Path) -> None:
    write_doc(tmp_path, "good.md", doc_id="good")
    bad = tmp_path / "bad.md"
    bad.write_bytes(VALID_FRONT.format(id="bad").encode("utf-8") + "正文".encode("gbk"))
    with pytest.raises(CorpusError) as exc:
        load_corpus(tmp_path)
    assert str(bad) in str(exc.value)
    assert "UTF-8" in str(exc.value)


def test_missing_front_matter_raises_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "plain.md"
    path.write_text("一、总体要求\n\n正文。\n", encoding="utf-8")
    with pytest.raises(CorpusError) as exc:
        load_corpus(tmp_path)
    assert str(path) in str(exc.value)
    assert "front matter" in str(exc.value)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("level: national", "level: county"),
        ("title: 测试文件\n", ""),
        ("date: '2020-01-02'", "date: '2020/01/02'"),
        ("id: test-doc", "id: Test_Doc"),
        ("status: in_force", "status: in_force\ncolour: red"),
    ],
)
def test_invalid_metadata_raises_naming_the_file(tmp_path: Path, old: str, new: str) -> None:
    path = write_doc(tmp_path, "bad-meta.md")
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(CorpusError) as exc:
        load_corpus(tmp_path)
    assert str(path) in str(exc.value)
    assert "invalid metadata" in str(exc.value)


def test_empty_body_rejected(tmp_path: Path) -> None:
    path = write_doc(tmp_path, "empty.md", body="\n  \n")
    with pytest.raises(CorpusError) as exc:
        load_corpus(tmp_path)
    assert str(path) in str(exc.value)


def test_duplicate_ids_rejected(tmp_path: Path) -> None:
    write_doc(tmp_path, "one.md", doc_id="same-id")
    write_doc(tmp_path, "two.md", doc_id="same-id")
    with pytest.raises(CorpusError) as exc:
        load_corpus(tmp_path)
    assert "same-id" in str(exc.value)
    assert "duplicate" in str(exc.value)


def test_empty_directory_rejected(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("不是语料", encoding="utf-8")
    with pytest.raises(CorpusError) as exc:
        load_corpus(tmp_path)
    assert "no documents" in str(exc.value)


def test_missing_directory_rejected(tmp_path: Path) -> None:
    with pytest.raises(CorpusError) as exc:
        load_corpus(tmp_path / "nowhere")
    assert "nowhere" in str(exc.value)


def test_invalid_sources_yaml_rejected(tmp_path: Path) -> None:
    path = tmp_path / "sources.yaml"
    path.write_text("- id: x\n  title: 缺少其他字段\n", encoding="utf-8")
    with pytest.raises(CorpusError) as exc:
        load_sources(path)
    assert str(path) in str(exc.value)


def test_document_meta_rejects_bad_values() -> None:
    base = {
        "id": "ok-id",
        "title": "t",
        "short_title": "s",
        "issuer": "i",
        "region": "全国",
        "level": "city",
        "date": "2021-09",
        "status": "draft",
        "source_file": "f.txt",
    }
    assert DocumentMeta.model_validate(base).status is Status.DRAFT
    with pytest.raises(ValueError):
        DocumentMeta.model_validate({**base, "status": "repealed"})

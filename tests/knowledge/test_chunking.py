"""Clause chunks with section paths and stable ids (knowledge/chunking.py)."""

from __future__ import annotations

import re
from itertools import pairwise

import pytest

from knowledge.base import KnowledgePaths
from knowledge.chunking import Chunk, ChunkKind, chunk_document, chunk_documents
from knowledge.documents import Document, DocumentMeta, load_corpus

MAX_CHARS = 320
SENTENCE_END = re.compile(r"(?<=[。；！？])")
HEADING_ONLY = re.compile(
    r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|附件\s*\d*|第[一二三四五六七八九十]+阶段)"
)
ATTACHED = re.compile(r"^(?:牵头单位|责任单位)[：:]")


@pytest.fixture(scope="module")
def documents() -> dict[str, Document]:
    return {d.id: d for d in load_corpus(KnowledgePaths().corpus)}


@pytest.fixture(scope="module")
def chunks(documents: dict[str, Document]) -> list[Chunk]:
    return chunk_documents(list(documents.values()), max_chars=MAX_CHARS)


def only_chunk(chunks: list[Chunk], doc_id: str, phrase: str, kind: ChunkKind = ChunkKind.CLAUSE) -> Chunk:
    found = [c for c in chunks if c.doc_id == doc_id and c.kind is kind and phrase in c.text]
    assert len(found) == 1, [c.id for c in found]
    return found[0]


def make_doc(body: str, doc_id: str = "synthetic") -> Document:
    meta = DocumentMeta(
        id=doc_id,
        title="测试",
        short_title="测试",
        issuer="测试",
        region="全国",
        level="national",
        date="2020",
        status="in_force",
        source_file="x.txt",
    )
    return Document(meta=meta, body=body)


# ---------------------------------------------------------------- section paths in every document


@pytest.mark.parametrize(
    ("doc_id", "phrase", "ref", "path"),
    [
        (
            "baoji-2019-pilot",
            "按每人每月不低于当地低保标准的20%增发保障金",
            "二、（八）23",
            ["二、重点任务", "（八）建立特殊困难老年人基本服务制度", "23. 落实特殊困难老年人分类保障政策"],
        ),
        (
            "baoji-2019-pilot",
            "部署推进",
            "三、第一阶段2",
            ["三、实施步骤", "第一阶段 (2019年5月前)", "2. 部署推进 (2019年4月)"],
        ),
        (
            "liaoning-2021-pilot",
            "独立使用的建筑面积不低于750平方米",
            "二、（一）1",
            [
                "二、试点任务及重点领域",
                "（一）保质保量完成3项重点任务",
                "1. 高标准建设运营示范型居家和社区养老服务中心",
            ],
        ),
        (
            "liaoning-2021-pilot",
            "提出申请（2021年2月28日前）",
            "三、（三）1",
            [
                "三、申报主体条件及申报审核创建程序",
                "（三）申报审核创建程序",
                "1. 提出申请（2021年2月28日前）",
            ],
        ),
        (
            "taizhou-2020-pilot-draft",
            "每年实施困难老人家庭适老化改造600户",
            "二、（四）",
            ["二、重点任务", "（四）落实兜底保障，健全完善特殊困难老年人服务体系"],
        ),
        (
            "mca-2019-pilot-batch5",
            "地级行政区域（含直辖市的区）均可申报",
            "一、（一）",
            ["一、申报主体及条件", "（一）地级行政区域（含直辖市的区）均可申报"],
        ),
        (
            "mca-2019-pilot-batch5",
            "择优选择1-3个地区并排序",
            "四、（二）",
            ["四、申报及审核程序", "（二）省级推荐"],
        ),
        (
            "litong-2021-high-quality",
            "新建农村老饭桌2个",
            "二、（一）2",
            ["二、主要任务", "（一）扎实开展居家和社区养老服务改革试点", "2.补齐农村养老服务设施短板"],
        ),
        (
            "litong-2021-high-quality",
            "不低于55%的社会福利事业彩票公益金用于发展养老服务",
            "三、15",
            ["三、支持政策", "15.加大政府投入"],
        ),
    ],
)
def test_section_path_of_clause(
    chunks: list[Chunk], doc_id: str, phrase: str, ref: str, path: list[str]
) -> None:
    chunk = only_chunk(chunks, doc_id, phrase)
    assert chunk.section_ref == ref
    assert chunk.section_path == path
    assert chunk.section == " > ".join(path)


def test_heading_lines_belong_to_the_first_chunk_below_them(chunks: list[Chunk]) -> None:
    chunk = only_chunk(chunks, "mca-2019-pilot-batch5", "地级行政区域（含直辖市的区）均可申报")
    assert chunk.text.startswith("一、申报主体及条件\n\n（一）")


def test_text_before_first_heading_has_empty_path(chunks: list[Chunk]) -> None:
    chunk = only_chunk(chunks, "mca-2019-pilot-batch5", "民办函〔2019〕126号")
    assert chunk.section_path == []
    assert chunk.section_ref == ""
    assert chunk.section == "（正文开头）"


def test_baoji_table_row_for_jintai(chunks: list[Chunk]) -> None:
    row = only_chunk(chunks, "baoji-2019-pilot", "| 金台区 |", kind=ChunkKind.TABLE_ROW)
    assert row.section_ref == "附件2"
    assert row.section_path == ["附件2", "宝鸡市居家和社区养老服务设施建设目标任务表"]
    assert row.text == "| 1 | 金台区 | 8 | 7 | 1 | 45 | 18 | 24 | 3 | 45 | 9 | 9 | 24 | 3 | 36 |"
    context_lines = row.context.split("\n")
    assert context_lines[0] == "宝鸡市居家和社区养老服务设施建设目标任务表"
    assert "县区：金台区" in context_lines[1].split("；")
    assert "镇（街办）·街办：7" in context_lines[1].split("；")
    assert "县区：金台区" in row.search_text()


def test_baoji_table_has_one_row_chunk_per_county(chunks: list[Chunk]) -> None:
    rows = [c for c in chunks if c.doc_id == "baoji-2019-pilot" and c.kind is ChunkKind.TABLE_ROW]
    assert len(rows) == 15  # 13 counties, 合计, 备注
    assert not any("| --- |" in r.text or "| 序号 |" in r.text for r in rows)


def test_taizhou_merged_rows_carry_number_and_project(chunks: list[Chunk]) -> None:
    row = only_chunk(chunks, "taizhou-2020-pilot-draft", "家庭照护床位", kind=ChunkKind.TABLE_ROW)
    pairs = row.context.split("\n")[1].split("；")
    assert "序号：7" in pairs
    assert "试点项目：改革运营管理模式，推进居家和社区养老服务精细化、专业化发展" in pairs
    assert "牵头单位：路桥区、温岭市人民政府" in pairs


def test_blank_form_tables_are_single_chunks(chunks: list[Chunk]) -> None:
    tables = [c for c in chunks if c.kind is ChunkKind.TABLE]
    assert tables
    assert {c.doc_id for c in tables} == {"liaoning-2021-pilot"}
    assert all(c.text.startswith("|") and "\n" in c.text for c in tables)


def test_litong_lead_units_attached_to_clause_above(
    chunks: list[Chunk], documents: dict[str, Document]
) -> None:
    chunk = only_chunk(chunks, "litong-2021-high-quality", "新建农村老饭桌2个")
    paras = chunk.text.split("\n\n")
    assert paras[0].startswith("2.补齐农村养老服务设施短板")
    assert paras[-2:] == [
        "牵头单位：区民政局",
        "责任单位：区发展和改革局、农业农村局（乡村振兴局）、财政局，各乡镇",
    ]
    litong = [c for c in chunks if c.doc_id == "litong-2021-high-quality"]
    assert not any(ATTACHED.match(c.text) for c in litong)
    body = documents["litong-2021-high-quality"].body
    lead_lines = [m.start() for m in re.finditer(r"(?m)^牵头单位：", body)]
    assert len(lead_lines) == 15
    for start in lead_lines:
        holder = next(c for c in litong if c.start <= start < c.end)
        assert holder.kind is ChunkKind.CLAUSE
        assert holder.start < start  # the clause text above is in the same chunk
        assert re.match(r"\d{1,2}\.", holder.section_path[-1]), holder.section_path


# ---------------------------------------------------------------- offsets, ids and sizes


def test_chunk_text_is_the_body_slice(chunks: list[Chunk], documents: dict[str, Document]) -> None:
    for chunk in chunks:
        assert chunk.text == documents[chunk.doc_id].body[chunk.start : chunk.end]
        assert chunk.text.strip() == chunk.text


def test_chunks_do_not_overlap(chunks: list[Chunk]) -> None:
    for doc_id in {c.doc_id for c in chunks}:
        spans = sorted((c.start, c.end) for c in chunks if c.doc_id == doc_id)
        for (_, end), (start, _) in pairwise(spans):
            assert end <= start


def test_ids_are_stable_and_unique(documents: dict[str, Document]) -> None:
    first = chunk_documents(list(documents.values()))
    second = chunk_documents(list(documents.values()))
    assert [c.id for c in first] == [c.id for c in second]
    ids = [c.id for c in first]
    assert len(set(ids)) == len(ids)
    assert all(c.id.startswith(f"{c.doc_id}:") for c in first)


def test_changing_one_paragraph_changes_only_its_chunk_id(documents: dict[str, Document]) -> None:
    doc = documents["mca-2019-pilot-batch5"]
    old, new = "民政部、财政部组织专家，", "民政部、财政部组织学者，"
    assert doc.body.count(old) == 1
    edited = doc.model_copy(update={"body": doc.body.replace(old, new)})
    before = chunk_document(doc)
    after = chunk_document(edited)
    assert len(before) == len(after)
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b.id != a.id]
    assert len(changed) == 1
    b, a = changed[0]
    assert old in b.text
    assert new in a.text
    assert (b.section_ref, b.start, b.end) == (a.section_ref, a.start, a.end)


def test_duplicate_texts_get_distinct_ids() -> None:
    doc = make_doc("一、甲\n\n同样的一句话，内容完全相同。\n\n二、乙\n\n同样的一句话，内容完全相同。\n")
    ids = [c.id for c in chunk_document(doc)]
    assert len(ids) == 2
    assert len(set(ids)) == 2
    assert ids[1] != ids[0]


def _core(text: str) -> str:
    """A clause chunk without the heading-only lines above it and the lead-unit lines after it."""
    paras = text.split("\n\n")
    while len(paras) > 1 and HEADING_ONLY.match(paras[0]) and not re.search(r"[。；]", paras[0]):
        paras.pop(0)
    while len(paras) > 1 and ATTACHED.match(paras[-1]):
        paras.pop()
    return "\n\n".join(paras)


@pytest.mark.parametrize("max_chars", [60, 120, MAX_CHARS])
def test_clause_chunks_respect_max_chars(documents: dict[str, Document], max_chars: int) -> None:
    # Paragraphs are cut only at sentence ends, so a single sentence longer than max_chars stays
    # whole (Liaoning's 一、总体要求 is one 371-character sentence).
    clauses = [c for c in chunk_documents(list(documents.values()), max_chars) if c.kind is ChunkKind.CLAUSE]
    for chunk in clauses:
        core = _core(chunk.text)
        sentences = [s for s in SENTENCE_END.split(core) if s]
        assert len(core) <= max_chars or len(sentences) == 1, (chunk.id, len(core))


def test_long_paragraph_is_split_at_sentence_ends() -> None:
    sentences = [f"第{i}句话写的是第{i}项养老服务的具体要求和标准。" for i in range(1, 11)]
    paragraph = "".join(sentences)
    body = "一、总体要求\n\n" + paragraph + "\n"
    pieces = chunk_document(make_doc(body), max_chars=60)
    assert len(pieces) > 1
    assert pieces[0].text.startswith("一、总体要求\n\n第1句话")
    offset = body.index(paragraph)
    assert "".join(p.text for p in pieces) == body[: offset + len(paragraph)]
    for prev, cur in pairwise(pieces):
        assert prev.end == cur.start
    for piece in pieces:
        assert piece.text.endswith("。")
        assert piece.section_ref == "一、"
        assert len(piece.text.removeprefix("一、总体要求\n\n")) <= 60


def test_short_paragraph_not_split() -> None:
    body = "一、总体要求\n\n第一句。第二句。\n"
    pieces = chunk_document(make_doc(body), max_chars=60)
    assert [p.text for p in pieces] == ["一、总体要求\n\n第一句。第二句。"]


def test_short_paragraphs_in_one_section_are_merged() -> None:
    body = "附件：\n\n1.基本情况表\n\n2.工作基础表\n\n3.工作计划表\n"
    pieces = chunk_document(make_doc(body))
    assert [p.text for p in pieces] == ["附件：\n\n1.基本情况表\n\n2.工作基础表\n\n3.工作计划表"]
    assert pieces[0].section_ref == "附件"


def test_appendix_notes_get_a_readable_reference(chunks: list[Chunk]) -> None:
    note = next(c for c in chunks if "城市（农村）居家和社区养老服务设施覆盖率" in c.text)
    assert note.section_ref == "附件2·2"

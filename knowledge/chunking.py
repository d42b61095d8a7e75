"""Clause-sized chunks of the cleaned documents, each with its section path and a stable id."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum

from pydantic import BaseModel

from knowledge.documents import Document

CN_NUM = "一二三四五六七八九十"
HEADINGS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^(?P<m>[{CN_NUM}]+、)")),
    (1, re.compile(r"^(?P<m>附件\s*\d*)[：:]?")),
    (2, re.compile(rf"^(?P<m>（[{CN_NUM}]+）)")),
    (2, re.compile(rf"^(?P<m>第[{CN_NUM}]+阶段)")),
    (3, re.compile(r"^(?P<m>\d{1,2})\s*[.．、](?!\d)")),
)
ATTACH_TO_PREVIOUS = re.compile(r"^(牵头单位|责任单位)[：:]")
SENTENCE_END = re.compile(r"(?<=[。；！？])")
LABEL_MAX = 40
SHORT = 60
TITLE = re.compile(r"[^\d，。；：:|][^，。；：:|]{3,39}(表|名单|清单|分工)")


class ChunkKind(str, Enum):
    """What a chunk holds."""

    CLAUSE = "clause"
    TABLE_ROW = "table_row"
    TABLE = "table"


class Chunk(BaseModel):
    """A clause-sized passage of one document, in its original wording."""

    id: str
    doc_id: str
    kind: ChunkKind
    section_path: list[str]
    section_ref: str
    text: str
    start: int
    end: int
    context: str = ""

    @property
    def section(self) -> str:
        """The section path as one line: 一、… > （二）… > 5.…"""
        return " > ".join(self.section_path) if self.section_path else "（正文开头）"

    def search_text(self) -> str:
        """Text the retrievers index: section labels, table context, then the passage."""
        parts = [*self.section_path, self.context, self.text]
        return "\n".join(p for p in parts if p)


@dataclass
class _Paragraph:
    text: str
    start: int
    end: int
    is_table: bool


@dataclass
class _Piece:
    """A chunk being assembled: its span in the body and where it stands."""

    kind: ChunkKind
    path: list[str]
    ref: str
    start: int
    end: int
    context: str
    short: bool = False


@dataclass
class _Sections:
    """The heading labels currently open at each level, with their short markers."""

    labels: dict[int, tuple[str, str]] = field(default_factory=dict)

    def open(self, level: int, label: str, marker: str) -> None:
        self.labels = {k: v for k, v in self.labels.items() if k < level}
        self.labels[level] = (label, marker)

    def path(self) -> list[str]:
        return [self.labels[k][0] for k in sorted(self.labels)]

    def ref(self) -> str:
        ref = ""
        for k in sorted(self.labels):
            marker = self.labels[k][1]
            if ref and marker and ref[-1].isdigit() and marker[0].isdigit():
                ref += "·"  # 附件2·1, not 附件21
            ref += marker
        return ref


def chunk_documents(documents: Sequence[Document], max_chars: int = 320) -> list[Chunk]:
    """Chunk every document; ids are unique across the corpus."""
    chunks: list[Chunk] = []
    for doc in documents:
        chunks.extend(chunk_document(doc, max_chars=max_chars))
    return chunks


def chunk_document(doc: Document, max_chars: int = 320) -> list[Chunk]:
    """Split one document into clause chunks and table-row chunks."""
    sections = _Sections()
    pieces: list[_Piece] = []
    title = ""
    pending: int | None = None
    for para in _paragraphs(doc.body):
        if para.is_table:
            pending = None
            for kind, start, end, context in _table_pieces(para, title):
                pieces.append(_Piece(kind, sections.path(), sections.ref(), start, end, context))
            continue
        heading = _heading(para.text)
        in_appendix = sections.labels.get(1, ("", ""))[1].startswith("附件")
        if heading and heading[0] == 3 and in_appendix and _is_heading_only(para.text, heading[2]):
            heading = None  # an item of the appendix list, not a section
        if heading is None and TITLE.fullmatch(para.text):
            heading = (2, "", para.text)
            title = para.text
        if heading:
            level, marker, label = heading
            sections.open(level, label, marker)
            if _is_heading_only(para.text, label):
                pending = para.start if pending is None else pending
                continue
        prev = pieces[-1] if pieces else None
        if prev and prev.kind is ChunkKind.CLAUSE and ATTACH_TO_PREVIOUS.match(para.text):
            prev.end = para.end
            continue
        short = len(para.text) < SHORT and not heading
        if (
            short
            and prev
            and prev.short
            and prev.path == sections.path()
            and para.end - prev.start <= max_chars
        ):
            prev.end = para.end
            continue
        for start, end in _sentence_windows(doc.body, para.start, para.end, max_chars):
            if pending is not None:
                start, pending = pending, None  # the heading lines above belong to this chunk
            pieces.append(_Piece(ChunkKind.CLAUSE, sections.path(), sections.ref(), start, end, "", short))
    return _with_ids(doc, pieces)


def _with_ids(doc: Document, pieces: list[_Piece]) -> list[Chunk]:
    seen: dict[str, int] = {}
    chunks = []
    for piece in pieces:
        text = doc.body[piece.start : piece.end]
        digest = hashlib.sha1(f"{doc.id}\n{text}".encode()).hexdigest()[:10]
        seen[digest] = seen.get(digest, 0) + 1
        suffix = f"-{seen[digest]}" if seen[digest] > 1 else ""
        chunks.append(
            Chunk(
                id=f"{doc.id}:{digest}{suffix}",
                doc_id=doc.id,
                kind=piece.kind,
                section_path=piece.path,
                section_ref=piece.ref,
                text=text,
                start=piece.start,
                end=piece.end,
                context=piece.context,
            )
        )
    return chunks


def _paragraphs(body: str) -> Iterator[_Paragraph]:
    """Blocks separated by blank lines, with their offsets in the body."""
    for match in re.finditer(r"[^\n](?:.|\n(?!\n))*", body):
        text = match.group(0).rstrip()
        yield _Paragraph(text, match.start(), match.start() + len(text), text.startswith("|"))


def _heading(text: str) -> tuple[int, str, str] | None:
    """Level, short marker and label of a paragraph that opens a section."""
    for level, pattern in HEADINGS:
        match = pattern.match(text)
        if match:
            marker = match.group("m").replace(" ", "")
            label = re.split(r"[。：:]", text, maxsplit=1)[0]
            if len(label) > LABEL_MAX:
                label = label[:LABEL_MAX] + "…"
            return level, marker, label
    return None


def _is_heading_only(text: str, label: str) -> bool:
    return text.rstrip("：: ") == label


def _sentence_windows(body: str, start: int, end: int, max_chars: int) -> Iterator[tuple[int, int]]:
    """Split a long paragraph at sentence ends into windows of at most about max_chars."""
    text = body[start:end]
    if len(text) <= max_chars:
        yield start, end
        return
    sentences = [s for s in SENTENCE_END.split(text) if s]
    window_start = start
    size = 0
    pos = start
    for sentence in sentences:
        if size and size + len(sentence) > max_chars:
            yield window_start, pos
            window_start, size = pos, 0
        pos += len(sentence)
        size += len(sentence)
    if pos > window_start:
        yield window_start, pos


def _table_pieces(para: _Paragraph, title: str) -> Iterator[tuple[ChunkKind, int, int, str]]:
    """Row chunks for data tables (each row with its header); one chunk for blank forms."""
    lines = para.text.split("\n")
    offsets = []
    pos = para.start
    for line in lines:
        offsets.append((pos, pos + len(line)))
        pos += len(line) + 1
    cells = [_cells(line) for line in lines]
    header = cells[0]
    body_rows = [(i, row) for i, row in enumerate(cells) if i > 1]
    filled = sum(1 for _, row in body_rows for c in row if c)
    total = sum(len(row) for _, row in body_rows) or 1
    if not any(header) or filled / total < 0.5:
        yield ChunkKind.TABLE, para.start, para.end, title
        return
    carry = [""] * len(header)
    for i, row in body_rows:
        merged = not row[0]
        filled_row = [c or (carry[k] if merged and k < 2 else "") for k, c in enumerate(row)]
        carry = [c or carry[k] for k, c in enumerate(filled_row)]
        pairs = "；".join(f"{h}：{v}" for h, v in zip(header, filled_row, strict=False) if h and v)
        start, end = offsets[i]
        yield ChunkKind.TABLE_ROW, start, end, f"{title}\n{pairs}"


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]

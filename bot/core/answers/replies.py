"""Building blocks of replies: buttons, citations, quotes and the structured data for the gateway."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from index.engine import SearchHit
from knowledge.base import KnowledgeBase
from knowledge.catalog import ResolvedCitation
from knowledge.chunking import Chunk
from knowledge.documents import DocumentMeta, Status

Button = dict[str, str]
CitationData = dict[str, Any]

HUMAN: Button = {"title": "找人工", "payload": "/request_human"}
NO_THANKS: Button = {"title": "不用了", "payload": "/deny"}
BOOK: Button = {"title": "预约上门服务", "payload": "/book_home_visit"}
ELIGIBILITY: Button = {"title": "我能领哪些补贴", "payload": "/ask_eligibility"}
TOPICS: list[Button] = [
    ELIGIBILITY,
    {"title": "吃饭（助餐）", "payload": "/ask_meal_service"},
    {"title": "上门洗澡（助浴）", "payload": "/ask_bath_service"},
    HUMAN,
]

SHORT_QUOTE = 30  # a quote shorter than this takes the next sentence too
SENTENCE_END = re.compile(r"(?<=[。；！？!?;])|\n+")
LIST_MARKER = re.compile(r"^\s*(\d+[.．、]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*")


def region_label(region: str) -> str:
    """How a document's region is named in a reply: 宝鸡市, or 国家 for national documents."""
    return "国家" if region == "全国" else region


def source_line(meta: DocumentMeta, section_ref: str) -> str:
    """依据：《title》（文号）section."""
    draft = "（征求意见稿，以正式文件为准）" if meta.status is Status.DRAFT else ""
    ref = f"{section_ref}" if section_ref else ""
    return f"依据：{meta.citation_title()}{ref}。{draft}"


def citation(meta: DocumentMeta, chunk: Chunk, quote: str, role: str = "answer") -> CitationData:
    """The structured citation the gateway returns; role "related" when it is not the answer."""
    return {
        "doc_id": meta.id,
        "title": meta.title,
        "doc_number": meta.doc_number,
        "section": chunk.section_ref or chunk.section,
        "quote": quote,
        "role": role,
    }


def quote_is_verbatim(quote: str, chunk_text: str) -> bool:
    """True when the quote (without a trailing ellipsis) is a substring of the chunk."""
    return quote.removesuffix("……") in chunk_text


class Cited:
    """Chunks and document metadata by id, for turning hits and catalog citations into citations."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.chunks = {c.id: c for c in kb.chunks}
        self.docs = {d.id: d.meta for d in kb.documents}

    def hit(self, hit: SearchHit, quote: str, role: str = "answer") -> tuple[CitationData, str]:
        """A search hit's citation and its source line."""
        meta, chunk = self.docs[hit.doc_id], self.chunks[hit.chunk_id]
        return citation(meta, chunk, quote, role), source_line(meta, chunk.section_ref)

    def catalog(self, resolved: ResolvedCitation) -> tuple[CitationData, str]:
        """A catalog citation (already resolved to its chunk) and its source line."""
        meta, chunk = self.docs[resolved.doc_id], self.chunks[resolved.chunk_id]
        return citation(meta, chunk, resolved.quote), source_line(meta, chunk.section_ref)

    def resolved_for(self, entry_id: str) -> list[ResolvedCitation]:
        """The resolved citations of one catalog entry, in catalog order."""
        return [c for c in self.kb.citations if c.entry_id == entry_id]

    def targets_citing(self, chunk_id: str) -> list[str]:
        """Ids of plan targets whose citations point into this chunk."""
        target_ids = {t.id for t in self.kb.catalog.targets}
        return [c.entry_id for c in self.kb.citations if c.chunk_id == chunk_id and c.entry_id in target_ids]


def meta_message(
    citations: Sequence[CitationData] = (),
    emergency: bool = False,
    handoff: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The custom JSON message that carries structured data to the gateway (never shown)."""
    data: dict[str, Any] = {"citations": list(citations), "emergency": emergency}
    if handoff is not None:
        data["handoff"] = handoff
    return {"eldercare": data}

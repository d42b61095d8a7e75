"""The search API: build, load and query the hybrid index."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

import faiss
import numpy as np
from pydantic import BaseModel
from tqdm import tqdm

from index import store
from index.bm25 import BM25
from index.dense import build_dense_index, search_dense
from index.encoders import Encoder, encoder_name, make_encoder
from index.errors import EmptyQueryError, IndexMissingError, IndexStaleError
from index.fusion import fuse
from index.settings import IndexSettings
from index.tokenizer import QueryTokenizer
from knowledge.base import KnowledgeBase, KnowledgePaths, load_knowledge
from knowledge.chunking import Chunk, ChunkKind
from knowledge.textnorm import normalize, truncate

logger = logging.getLogger(__name__)

SENTENCE = re.compile(r"(?<=[。；！？])")
MIN_SENTENCE = 6


class Mode(str, Enum):
    """Which retrievers answer a query."""

    HYBRID = "hybrid"
    BM25 = "bm25"
    DENSE = "dense"


class SearchHit(BaseModel):
    """One retrieved passage with what a citation needs."""

    chunk_id: str
    doc_id: str
    title: str
    doc_number: str | None
    section: str
    section_ref: str
    text: str
    score: float
    region: str
    status: str


@dataclass
class _Mentions:
    """What the regions named in a question imply for the search."""

    text: str
    applicable: set[str] = field(default_factory=set)  # documents that apply there, national included
    own: set[str] = field(default_factory=set)  # those regions' own documents, to boost


@dataclass
class BuildReport:
    """What a build did and how long it took."""

    chunks: int
    seconds: float
    rebuilt: bool


class SearchEngine:
    """Hybrid search over the knowledge base: FAISS dense vectors plus BM25 over jieba tokens."""

    def __init__(
        self,
        settings: IndexSettings,
        kb: KnowledgeBase,
        encoder: Encoder,
        dense: faiss.Index,
        owners: Sequence[int],
        chunk_tokens: Sequence[Sequence[str]],
        chunk_pinyin: Sequence[Sequence[str]],
        tokenizer: QueryTokenizer,
    ) -> None:
        self.settings = settings
        self.kb = kb
        self.encoder = encoder
        self.dense = dense
        self.owners = np.asarray(owners, dtype=np.int64)
        self.chunks: list[Chunk] = kb.chunks
        self.tokenizer = tokenizer
        self.bm25 = BM25(chunk_tokens)
        self.bm25_pinyin = BM25(chunk_pinyin)
        self._docs = {d.id: d.meta for d in kb.documents}

    # ----- construction -----

    @classmethod
    def build(
        cls,
        settings: IndexSettings | None = None,
        encoder: Encoder | None = None,
        progress: bool = True,
    ) -> SearchEngine:
        """Build the index from the knowledge base and save it under settings.index_dir."""
        settings = settings or IndexSettings()
        kb = knowledge_of(settings)
        encoder = encoder or make_encoder(settings.encoder, settings.encoder_threads)
        tokenizer = QueryTokenizer(kb.vocabulary(), kb.expansions())
        units, owners = dense_units(kb.chunks)
        batch = 32
        vectors = []
        with tqdm(total=len(units), desc="编码 / encoding", unit="passage", disable=not progress) as bar:
            for i in range(0, len(units), batch):
                vectors.append(encoder.encode_documents(units[i : i + batch], batch_size=batch))
                bar.update(len(units[i : i + batch]))
        matrix = np.concatenate(vectors) if vectors else np.zeros((0, encoder.dim), dtype=np.float32)
        dense = build_dense_index(matrix, settings.dense_kind, settings.hnsw_m, settings.ivf_nlist)
        keywords = kb.chunk_keywords()
        texts = [sparse_text(c, keywords.get(c.id, [])) for c in kb.chunks]
        tokens = [tokenizer.tokenize(t) for t in tqdm(texts, desc="分词 / tokenizing", disable=not progress)]
        pinyin = [tokenizer.pinyin_bigrams(t) for t in texts]
        meta = {
            "format": store.FORMAT_VERSION,
            "fingerprint": _fingerprint(settings, encoder.name),
            "encoder": encoder.name,
            "dim": encoder.dim,
            "chunks": [c.model_dump(mode="json") for c in kb.chunks],
            "owners": owners,
            "tokens": tokens,
            "pinyin": pinyin,
        }
        store.save(settings.index_dir, dense, meta)
        logger.info("index built: %d chunks -> %s", len(kb.chunks), settings.index_dir)
        return cls(settings, kb, encoder, dense, owners, tokens, pinyin, tokenizer)

    @classmethod
    def load(cls, settings: IndexSettings | None = None, encoder: Encoder | None = None) -> SearchEngine:
        """Load a saved index; raise IndexMissingError or IndexStaleError if it cannot be used."""
        settings = settings or IndexSettings()
        expected = _fingerprint(settings, encoder.name if encoder else encoder_name(settings.encoder))
        dense, meta = store.load(settings.index_dir, expected)
        kb = knowledge_of(settings)
        if meta["chunks"] != [c.model_dump(mode="json") for c in kb.chunks]:  # chunking code changed
            raise IndexStaleError(str(settings.index_dir))
        encoder = encoder or make_encoder(settings.encoder, settings.encoder_threads)
        tokenizer = QueryTokenizer(kb.vocabulary(), kb.expansions())
        return cls(
            settings,
            kb,
            encoder,
            dense,
            meta["owners"],
            meta["tokens"],
            meta["pinyin"],
            tokenizer,
        )

    @classmethod
    def open(
        cls,
        settings: IndexSettings | None = None,
        encoder: Encoder | None = None,
        auto_build: bool = True,
        progress: bool = True,
        on_rebuild: Callable[[str], None] | None = None,
    ) -> tuple[SearchEngine, BuildReport]:
        """Load the index, building it first when it is missing or stale (if auto_build)."""
        settings = settings or IndexSettings()
        started = time.perf_counter()
        try:
            engine = cls.load(settings, encoder)
            return engine, BuildReport(len(engine.chunks), time.perf_counter() - started, rebuilt=False)
        except (IndexMissingError, IndexStaleError) as exc:
            if not auto_build:
                raise
            if on_rebuild:
                on_rebuild(str(exc))
        engine = cls.build(settings, encoder, progress=progress)
        return engine, BuildReport(len(engine.chunks), time.perf_counter() - started, rebuilt=True)

    # ----- querying -----

    def search(
        self,
        query: str,
        k: int = 5,
        region: str | None = None,
        mode: Mode = Mode.HYBRID,
    ) -> list[SearchHit]:
        """The k best passages for a question, optionally only from documents that apply to a region."""
        text = truncate(normalize(query), self.settings.max_query_chars)
        if not text:
            raise EmptyQueryError()
        allowed = set(self.kb.gazetteer.resolve(region).doc_ids) if region else None
        mentioned = self._mentioned_regions(text)
        if allowed is None and mentioned.own and self.settings.mentioned_region_filter:
            allowed = mentioned.applicable
        boosted = mentioned.own
        text = mentioned.text or text
        n = self.settings.candidates
        dense: dict[int, float] = {}
        sparse: dict[int, float] = {}
        if mode is not Mode.BM25:
            units = search_dense(self.dense, self.encoder.encode_queries([text]), n * 4)
            for unit, score in units.items():
                chunk = int(self.owners[unit])
                if score > dense.get(chunk, -2.0):
                    dense[chunk] = score
        if mode is not Mode.DENSE:
            scores = self.sparse_scores(text)
            top = np.argsort(-scores)[:n]
            sparse = {int(i): float(scores[i]) for i in top if scores[i] > 0}
        if mode is Mode.HYBRID:
            fused = fuse(dense, sparse, self.settings.dense_weight, self.settings.fusion)
        else:
            fused = dict(dense or sparse)
        if boosted and mode is Mode.HYBRID:
            for i in fused:
                if self.chunks[i].doc_id in boosted:
                    fused[i] += self.settings.region_boost
        ranked = sorted(
            (i for i in fused if allowed is None or self.chunks[i].doc_id in allowed),
            key=lambda i: fused[i],
            reverse=True,
        )
        return [self._hit(i, fused[i]) for i in ranked[:k]]

    def sparse_scores(self, text: str) -> np.ndarray:
        """BM25 over words (with expansion) plus weighted BM25 over pinyin bigrams, for every chunk."""
        scores = self.bm25.scores(self.tokenizer.tokenize_query(text))
        if self.settings.pinyin_weight > 0:
            scores += self.settings.pinyin_weight * self.bm25_pinyin.scores(
                self.tokenizer.pinyin_bigrams(text)
            )
        return scores

    def _mentioned_regions(self, text: str) -> _Mentions:
        """Documents for the regions a question names, and the question without the names of regions
        that documents are issued for (those pick a document, not a clause)."""
        mentions = _Mentions(text=text)
        for words, official in self.kb.gazetteer.mentions(text):
            resolution = self.kb.gazetteer.resolve(official)
            mentions.applicable.update(resolution.doc_ids)
            mentions.own.update(d for d in resolution.doc_ids if self._docs[d].region != "全国")
            if self.kb.gazetteer.governs_documents(official):
                mentions.text = mentions.text.replace(words, " ")
        mentions.text = " ".join(mentions.text.split())
        return mentions

    def _hit(self, i: int, score: float) -> SearchHit:
        chunk = self.chunks[i]
        meta = self._docs[chunk.doc_id]
        return SearchHit(
            chunk_id=chunk.id,
            doc_id=chunk.doc_id,
            title=meta.title,
            doc_number=meta.doc_number,
            section=chunk.section,
            section_ref=chunk.section_ref,
            text=chunk.text,
            score=round(score, 6),
            region=meta.region,
            status=meta.status.value,
        )


def dense_units(chunks: Sequence[Chunk]) -> tuple[list[str], list[int]]:
    """Texts embedded for each chunk: the whole chunk, and each of its sentences under its heading."""
    units: list[str] = []
    owners: list[int] = []
    for i, chunk in enumerate(chunks):
        units.append(chunk.search_text())
        owners.append(i)
        if chunk.kind is not ChunkKind.CLAUSE:
            continue
        label = chunk.section_path[-1] if chunk.section_path else ""
        for sentence in SENTENCE.split(chunk.text):
            sentence = sentence.strip()
            if len(sentence) >= MIN_SENTENCE:
                units.append(f"{label} {sentence}" if label else sentence)
                owners.append(i)
    return units, owners


def sparse_text(chunk: Chunk, keywords: Sequence[str]) -> str:
    """Text BM25 indexes for a chunk: its search text plus the catalog words of entries citing it."""
    return "\n".join([chunk.search_text(), " ".join(keywords)]) if keywords else chunk.search_text()


def knowledge_of(settings: IndexSettings) -> KnowledgeBase:
    """The knowledge base the index is built from (documents, chunks, catalog …)."""
    return load_knowledge(KnowledgePaths(settings.knowledge_dir), max_chars=settings.chunk_max_chars)


def _fingerprint(settings: IndexSettings, encoder_name: str) -> str:
    files = KnowledgePaths(settings.knowledge_dir).content_files()
    return store.fingerprint(files, encoder_name, settings.chunk_max_chars)

"""The whole knowledge base, loaded and cross-checked in one place."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, Field

from knowledge.catalog import Catalog, ResolvedCitation, load_catalog, resolve_citations
from knowledge.chunking import Chunk, chunk_documents
from knowledge.documents import Document, load_corpus
from knowledge.eligibility import EligibilityEngine, RuleSet, load_rules
from knowledge.errors import KnowledgeError
from knowledge.regions import Gazetteer, load_gazetteer
from knowledge.yamlio import load_yaml

PACKAGE_DIR = Path(__file__).resolve().parent


class Lexicon(BaseModel):
    """Domain terms and colloquial-to-official expansions."""

    terms: list[str] = Field(default_factory=list)
    expansions: dict[str, list[str]] = Field(default_factory=dict)


@dataclass(frozen=True)
class KnowledgePaths:
    """Where the knowledge files live."""

    root: Path = PACKAGE_DIR

    @property
    def corpus(self) -> Path:
        return self.root / "corpus"

    @property
    def catalog(self) -> Path:
        return self.root / "catalog"

    @property
    def eligibility(self) -> Path:
        return self.catalog / "eligibility.yaml"

    @property
    def regions(self) -> Path:
        return self.root / "regions.yaml"

    @property
    def lexicon(self) -> Path:
        return self.root / "lexicon.yaml"

    @property
    def sources(self) -> Path:
        return self.root / "sources"

    @property
    def sources_yaml(self) -> Path:
        return self.root / "sources.yaml"

    def content_files(self) -> list[Path]:
        """Every file whose content the index depends on, in a stable order."""
        files = sorted(self.corpus.glob("*.md")) + sorted(self.catalog.glob("*.yaml"))
        return [*files, self.regions, self.lexicon]


@dataclass
class KnowledgeBase:
    """Documents, chunks, catalog (with resolved citations), gazetteer and lexicon."""

    documents: list[Document]
    chunks: list[Chunk]
    catalog: Catalog
    citations: list[ResolvedCitation]
    gazetteer: Gazetteer
    lexicon: Lexicon
    rules: RuleSet

    def eligibility(self) -> EligibilityEngine:
        """The eligibility rules engine over this knowledge base."""
        return EligibilityEngine(self.rules, self.catalog, self.gazetteer)

    def document(self, doc_id: str) -> Document:
        """The document with this id."""
        for doc in self.documents:
            if doc.id == doc_id:
                return doc
        raise KnowledgeError(f"未知文档 / unknown document {doc_id!r}")

    def expansions(self) -> dict[str, list[str]]:
        """Colloquial word -> official terms, from the lexicon and the service aliases."""
        merged = {k: list(v) for k, v in self.lexicon.expansions.items()}
        for service in self.catalog.services:
            for alias in service.aliases:
                if alias != service.name:
                    targets = merged.setdefault(alias, [])
                    if service.name not in targets:
                        targets.append(service.name)
        return merged

    def chunk_keywords(self) -> dict[str, list[str]]:
        """Catalog words for each chunk a catalog entry cites: names, plain names and aliases."""
        entries = {e.id: e for e in self.catalog.entries()}
        out: dict[str, list[str]] = {}
        for cit in self.citations:
            entry = entries[cit.entry_id]
            words = [entry.name, *getattr(entry, "aliases", [])]
            plain = getattr(entry, "plain_name", None)
            if plain:
                words.append(plain)
            bucket = out.setdefault(cit.chunk_id, [])
            bucket.extend(w for w in words if w not in bucket)
        return out

    def vocabulary(self) -> list[str]:
        """Words the tokenizer keeps whole: domain terms, service names and aliases, region names."""
        words = set(self.lexicon.terms)
        for service in self.catalog.services:
            words.add(service.name)
            words.update(service.aliases)
        for facility in self.catalog.facility_types:
            words.add(facility.name)
            words.update(facility.aliases)
        words.update(self.gazetteer.names)
        for targets in self.lexicon.expansions.values():
            words.update(targets)
        words.update(self.lexicon.expansions)
        return sorted(w for w in words if len(w) >= 2)


def load_lexicon(path: Path) -> Lexicon:
    """Load the domain lexicon."""
    try:
        return Lexicon.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except Exception as exc:
        raise KnowledgeError(f"{path}: 词表无效 / invalid lexicon: {exc}") from exc


def load_knowledge(paths: KnowledgePaths | None = None, max_chars: int = 320) -> KnowledgeBase:
    """Load and cross-check the whole knowledge base; raise a KnowledgeError naming what is wrong."""
    paths = paths or KnowledgePaths()
    documents = load_corpus(paths.corpus)
    chunks = chunk_documents(documents, max_chars=max_chars)
    catalog = load_catalog(paths.catalog)
    citations = resolve_citations(catalog, documents, chunks)
    gazetteer = load_gazetteer(paths.regions, [d.meta for d in documents])
    rules = load_rules(paths.eligibility, catalog)
    return KnowledgeBase(documents, chunks, catalog, citations, gazetteer, load_lexicon(paths.lexicon), rules)

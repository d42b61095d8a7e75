"""Import raw source documents into the cleaned corpus (knowledge/corpus/*.md)."""

from __future__ import annotations

import logging
from pathlib import Path

from knowledge.cleaning import clean_text
from knowledge.documents import DocumentMeta, dump_document, load_sources, read_text

logger = logging.getLogger(__name__)


def render_cleaned(meta: DocumentMeta, sources_dir: Path) -> str:
    """Clean one source file and render it with its metadata as front matter."""
    raw = read_text(sources_dir / meta.source_file)
    return dump_document(meta, clean_text(raw, meta.corrections))


def import_corpus(sources_yaml: Path, sources_dir: Path, out_dir: Path) -> list[Path]:
    """Clean every source listed in sources_yaml into out_dir; return the written paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for meta in load_sources(sources_yaml):
        path = out_dir / f"{meta.id}.md"
        path.write_text(render_cleaned(meta, sources_dir), encoding="utf-8")
        logger.info("cleaned %s -> %s", meta.source_file, path)
        written.append(path)
    return written


def stale_documents(sources_yaml: Path, sources_dir: Path, out_dir: Path) -> list[str]:
    """Ids of documents whose cleaned copy differs from a fresh cleaning of the source."""
    stale = []
    for meta in load_sources(sources_yaml):
        path = out_dir / f"{meta.id}.md"
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != render_cleaned(meta, sources_dir):
            stale.append(meta.id)
    return stale

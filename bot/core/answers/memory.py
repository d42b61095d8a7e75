"""The answer memory: the labelled questions the answerability model learnt from, and which clauses
answered them.

A new question close (by multilingual-e5) to a remembered one that a clause answered is evidence that
the same clause answers it; close to one the documents do not answer, evidence that they do not
answer it either. The memory is part of the trained model's file (questions and gold quotes, no
vectors); the questions are encoded when the engine opens, from a cache. Curated answers can join it
the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from knowledge.chunking import Chunk
from knowledge.textnorm import normalize

# A remembered question at least this close counts as the same question asked again.
CLOSE = 0.9


def plain(text: str) -> str:
    """Text without punctuation, spaces and width differences, for comparing quotes."""
    return re.sub(r"[\W_]+", "", normalize(text))


def holds(text: str, gold: Sequence[str]) -> bool:
    """Whether a clause holds one of the gold quotes (ignoring punctuation and width)."""
    text_plain = plain(text)
    return any(g and g in text_plain for g in map(plain, gold))


@dataclass(frozen=True)
class Remembered:
    """A labelled question: its gold quotes (none: the documents do not answer it)."""

    question: str
    gold: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recall:
    """What the memory says about a new question."""

    answered: float = 0.0  # similarity of the closest remembered question a clause answered
    unanswered: float = 0.0  # … of the closest one the documents do not answer
    by_chunk: dict[str, float] = field(default_factory=dict)  # chunk → its closest answered question

    def of(self, chunk_id: str) -> float:
        """The similarity of the closest remembered question this clause answered (0: none)."""
        return self.by_chunk.get(chunk_id, 0.0)


class QuestionMemory:
    """Remembered questions, their unit vectors and the chunks holding their gold quotes."""

    def __init__(self, entries: Sequence[Remembered], vectors: np.ndarray, chunks: Sequence[frozenset[str]]):
        if not (len(entries) == len(vectors) == len(chunks)):
            raise ValueError("memory: entries, vectors and chunks differ in length")
        self.entries = tuple(entries)
        self.vectors = vectors
        self.chunks = tuple(chunks)
        self._answerable = np.asarray([bool(e.gold) for e in entries], dtype=bool)

    @classmethod
    def build(
        cls,
        entries: Sequence[Remembered],
        corpus: Sequence[Chunk],
        encode: Callable[[Sequence[str]], np.ndarray],
    ) -> QuestionMemory:
        """Resolve each entry's gold quotes to the chunks holding them and encode its question."""
        texts = [(c.id, plain(c.text)) for c in corpus]
        chunks = []
        for entry in entries:
            golds = [g for g in map(plain, entry.gold) if g]
            chunks.append(frozenset(cid for cid, text in texts if any(g in text for g in golds)))
        vectors = encode([e.question for e in entries]) if entries else np.zeros((0, 1), np.float32)
        return cls(entries, vectors, chunks)

    def __len__(self) -> int:
        return len(self.entries)

    def subset(self, keep: Sequence[int]) -> QuestionMemory:
        """The memory of only these entries (training: a fold never remembers its own questions)."""
        rows = list(keep)
        return QuestionMemory(
            [self.entries[i] for i in rows], self.vectors[rows], [self.chunks[i] for i in rows]
        )

    def recall(self, vector: np.ndarray, exclude: int | None = None) -> Recall:
        """What the remembered questions say about a question with this unit vector (exclude: the
        index of an entry not to count, the question itself while training)."""
        if not self.entries:
            return Recall()
        sims = self.vectors @ vector
        if exclude is not None:
            sims = sims.copy()
            sims[exclude] = -1.0
        answered = sims[self._answerable]
        unanswered = sims[~self._answerable]
        by_chunk: dict[str, float] = {}
        for i in np.flatnonzero(self._answerable):
            sim = float(sims[i])
            for chunk_id in self.chunks[i]:
                if sim > by_chunk.get(chunk_id, 0.0):
                    by_chunk[chunk_id] = sim
        return Recall(
            float(max(answered.max(initial=0.0), 0.0)),
            float(max(unanswered.max(initial=0.0), 0.0)),
            by_chunk,
        )

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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import numpy as np

from knowledge.chunking import Chunk
from knowledge.textnorm import normalize

# A remembered question at least this close counts as the same question asked again.
CLOSE = 0.9
# A provision restated (a plan's body and the table annexed to it): at least this share of the
# quote's characters, in runs of two or more, in order, within a stretch at most RESTATED_SPAN times
# its length, and every number of it. Shorter quotes must stand verbatim.
RESTATED_SHARE = 0.85
RESTATED_SPAN = 1.5
RESTATED_MIN_CHARS = 8
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def plain(text: str) -> str:
    """Text without punctuation, spaces and width differences, for comparing quotes."""
    return re.sub(r"[\W_]+", "", normalize(text))


def restates(text: str, quote: str) -> bool:
    """Whether text states the quote, verbatim or with a word or two changed at most (ignoring
    punctuation and width; the numbers must all be there)."""
    t, q = plain(text), plain(quote)
    if not q or not t:
        return False
    if q in t:
        return True
    if len(q) < RESTATED_MIN_CHARS or not set(NUMBER.findall(q)) <= set(NUMBER.findall(t)):
        return False
    pairs = {q[i : i + 2] for i in range(len(q) - 1)}
    if sum(1 for p in pairs if p in t) < RESTATED_SHARE * len(pairs) - 1:
        return False  # most texts: not even the character pairs are there
    blocks = [b for b in SequenceMatcher(None, q, t, autojunk=False).get_matching_blocks() if b.size >= 2]
    need = RESTATED_SHARE * len(q)
    for i, first in enumerate(blocks):
        got = 0
        for block in blocks[i:]:
            if block.b + block.size - first.b > RESTATED_SPAN * len(q):
                break
            got += block.size
        if got >= need:
            return True
    return False


class GoldClauses:
    """The chunks that answer as a labelled question's gold quotes do: those holding a quote
    verbatim, and those of the same document restating it (a plan's body and its annexed table say
    the same thing twice; either answers)."""

    def __init__(self, corpus: Iterable[Chunk]):
        self._texts = [(c.id, c.doc_id, plain(c.text)) for c in corpus]

    def of(self, gold: Sequence[str]) -> frozenset[str]:
        """The ids of the chunks that answer with these gold quotes (none for no quotes)."""
        quotes = [q for q in map(plain, gold) if q]
        verbatim = {cid for cid, _, text in self._texts if any(q in text for q in quotes)}
        homes = {doc for cid, doc, _ in self._texts if cid in verbatim}
        restated = {
            cid
            for cid, doc, text in self._texts
            if doc in homes and cid not in verbatim and any(restates(text, q) for q in quotes)
        }
        return frozenset(verbatim | restated)

    def documents(self, quote: str) -> frozenset[str]:
        """The documents holding the quote verbatim."""
        q = plain(quote)
        return frozenset(doc for _, doc, text in self._texts if q and q in text)


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
        """Resolve each entry's gold quotes to the chunks answering with them and encode its question."""
        gold = GoldClauses(corpus)
        chunks = [gold.of(entry.gold) for entry in entries]
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

"""Okapi BM25 over pre-tokenized passages, with sparse term statistics."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


class BM25:
    """BM25 scorer: scores every passage for a bag of query tokens."""

    def __init__(self, corpus_tokens: Sequence[Sequence[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.size = len(corpus_tokens)
        lengths = np.array([len(toks) for toks in corpus_tokens], dtype=np.float32)
        avg = float(lengths.mean()) if self.size else 0.0
        self._norm = k1 * (1 - b + b * lengths / (avg or 1.0))
        postings: dict[str, list[tuple[int, int]]] = {}
        for doc, toks in enumerate(corpus_tokens):
            for term, tf in Counter(toks).items():
                postings.setdefault(term, []).append((doc, tf))
        self._postings = {
            term: (np.array([d for d, _ in p], dtype=np.int32), np.array([t for _, t in p], dtype=np.float32))
            for term, p in postings.items()
        }
        self._idf = {
            term: math.log(1 + (self.size - len(p) + 0.5) / (len(p) + 0.5)) for term, p in postings.items()
        }

    def scores(self, query_tokens: Sequence[str]) -> npt.NDArray[np.float32]:
        """BM25 score of every passage for the query (repeated query tokens count once)."""
        out = np.zeros(self.size, dtype=np.float32)
        for term in set(query_tokens):
            posting = self._postings.get(term)
            if posting is None:
                continue
            docs, tfs = posting
            out[docs] += self._idf[term] * tfs * (self.k1 + 1) / (tfs + self._norm[docs])
        return out

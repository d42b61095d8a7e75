"""Text normalisation shared by retrieval and region lookup: traditional to simplified, width, spaces."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import opencc

MAX_QUERY_CHARS = 512


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Convert traditional Chinese characters to simplified ones."""
    return str(_t2s().convert(text))


def normalize(text: str) -> str:
    """Normalise user text: NFKC (full-width to half-width), simplified characters, single spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = to_simplified(text)
    return " ".join(text.split())


def truncate(text: str, limit: int = MAX_QUERY_CHARS) -> str:
    """Cut a very long query to its first `limit` characters."""
    return text[:limit]


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every occurrence of quote in text."""
    starts = []
    pos = text.find(quote)
    while pos >= 0:
        starts.append(pos)
        pos = text.find(quote, pos + 1)
    return starts

"""Exceptions raised by the knowledge package."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Base class for knowledge-base errors."""


class CorpusError(KnowledgeError):
    """A corpus file is unreadable, not UTF-8, or lacks valid metadata."""


class CatalogError(KnowledgeError):
    """The catalog is invalid, or one of its citations is not in the corpus."""


class UnknownRegionError(KnowledgeError):
    """A region name that the gazetteer does not know."""

    def __init__(self, name: str, known: list[str]) -> None:
        self.name = name
        self.known = known
        super().__init__(f"未知地区 / unknown region: {name!r}. 已知地区 / known regions: {'、'.join(known)}")

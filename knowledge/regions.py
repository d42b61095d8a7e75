"""Gazetteer of the regions the documents govern: resolution of names to chains and documents."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from knowledge.documents import DocumentMeta
from knowledge.errors import KnowledgeError, UnknownRegionError
from knowledge.textnorm import normalize
from knowledge.yamlio import load_yaml


class RegionLevel(str, Enum):
    """Administrative level of a region."""

    COUNTRY = "country"
    PROVINCE = "province"
    CITY = "city"
    DISTRICT = "district"
    TOWN = "town"


class Region(BaseModel):
    """One region with its aliases and subdivisions."""

    model_config = ConfigDict(extra="forbid")
    name: str
    level: RegionLevel
    aliases: list[str] = Field(default_factory=list)
    children: list[Region] = Field(default_factory=list)


@dataclass(frozen=True)
class Resolution:
    """A resolved region: its chain from the country down, and the documents that apply there."""

    region: str
    chain: tuple[str, ...]
    doc_ids: tuple[str, ...]

    @property
    def chain_text(self) -> str:
        """The chain without the country, e.g. 陕西省 > 宝鸡市 > 金台区."""
        return " > ".join(self.chain[1:]) or self.chain[0]


class Gazetteer:
    """Looks regions up by name or alias, in simplified or traditional characters."""

    def __init__(self, root: Region, documents: Sequence[DocumentMeta] = ()) -> None:
        self.root = root
        self._chains: dict[str, tuple[str, ...]] = {}
        self._names: dict[str, str] = {}
        for chain, region in _walk(root, ()):
            self._chains[region.name] = chain
            for key in (region.name, *region.aliases):
                key = normalize(key)
                if key in self._names and self._names[key] != region.name:
                    raise KnowledgeError(f"地名重复 / ambiguous region name {key!r}")
                self._names[key] = region.name
        self._docs_by_region: dict[str, list[str]] = {}
        for meta in documents:
            if meta.region not in self._chains:
                raise KnowledgeError(f"文档 {meta.id} 的地区不在地名表中 / unknown region {meta.region!r}")
            self._docs_by_region.setdefault(meta.region, []).append(meta.id)
        keys = sorted(self._names, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(k) for k in keys))

    @property
    def names(self) -> list[str]:
        """Official names of every region, in gazetteer order."""
        return list(self._chains)

    def lookup(self, name: str) -> str | None:
        """Official name for a name or alias, or None when unknown."""
        key = normalize(name).strip()
        return self._names.get(key)

    def resolve(self, name: str) -> Resolution:
        """Chain and applicable documents (the region's, its parents', national) for a name."""
        official = self.lookup(name)
        if official is None:
            raise UnknownRegionError(name, self.names)
        chain = self._chains[official]
        docs = [d for region in chain for d in self._docs_by_region.get(region, [])]
        return Resolution(region=official, chain=chain, doc_ids=tuple(docs))

    def find_in_text(self, text: str) -> list[str]:
        """Official names of the regions mentioned in a text, in order, without repeats."""
        found: list[str] = []
        for _, official in self.mentions(text):
            if official not in found:
                found.append(official)
        return found

    def mentions(self, text: str) -> list[tuple[str, str]]:
        """(words as written, official name) of each region mention in a normalised text."""
        return [(m.group(0), self._names[m.group(0)]) for m in self._pattern.finditer(normalize(text))]

    def governs_documents(self, name: str) -> bool:
        """Whether a document is issued for this region or for a region below it."""
        return any(name in self._chains[region] for region in self._docs_by_region)

    def descendants(self, name: str) -> list[str]:
        """Official names of a region and every region below it."""
        official = self.lookup(name)
        if official is None:
            raise UnknownRegionError(name, self.names)
        return [r for r, chain in self._chains.items() if official in chain]


def load_gazetteer(path: Path, documents: Sequence[DocumentMeta] = ()) -> Gazetteer:
    """Load the gazetteer YAML and index it against the documents' regions."""
    try:
        root = Region.model_validate(load_yaml(path.read_text(encoding="utf-8")))
    except Exception as exc:
        raise KnowledgeError(f"{path}: 地名表无效 / invalid gazetteer: {exc}") from exc
    return Gazetteer(root, documents)


def _walk(region: Region, parents: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Region]]:
    chain = (*parents, region.name)
    yield chain, region
    for child in region.children:
        yield from _walk(child, chain)

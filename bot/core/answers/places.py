"""Where the user lives: the region slot, places named in a message, and places the documents miss."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from knowledge.errors import KnowledgeError
from knowledge.regions import Gazetteer, Resolution
from knowledge.textnorm import normalize
from knowledge.yamlio import load_yaml

UNKNOWN = "unknown"  # slot value once the user said they do not know, or skipped

OTHER_PLACES_FILE = "other_places.yaml"


@dataclass(frozen=True)
class OtherPlaces:
    """Places named in a message that no document governs (other_places.yaml)."""

    pattern: re.Pattern[str]
    elsewhere: re.Pattern[str]

    @classmethod
    def from_yaml(cls, text: str) -> OtherPlaces:
        """Compile the file's names: plain ones as written, common words only with 市 after them."""
        data = load_yaml(text)
        names = [str(n) for n in data["plain"]] + [f"{n}市" for n in data["with_suffix"]]
        alternation = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        elsewhere = "|".join(f"(?:{p})" for p in data["elsewhere_after"])
        return cls(re.compile(alternation), re.compile(f"^.{{0,4}}(?:{elsewhere})"))

    def find(self, text: str) -> tuple[int, str] | None:
        """The first place named as where someone lives or asks about (not where children work),
        with its position."""
        for match in self.pattern.finditer(text):
            if not self.elsewhere.search(text[match.end() :]):
                return match.start(), match.group(0)
        return None


@lru_cache(maxsize=1)
def other_places() -> OtherPlaces:
    """The shipped list of places no document covers."""
    text = resources.files("bot.core.answers").joinpath(OTHER_PLACES_FILE).read_text(encoding="utf-8")
    return OtherPlaces.from_yaml(text)


COVERED = "宝鸡市、台州市、辽宁省和吴忠市利通区"


@dataclass(frozen=True)
class Place:
    """The region an answer is for: a known one, one the documents do not cover, or none."""

    region: str | None = None  # official name the gazetteer knows
    resolution: Resolution | None = None
    uncovered: str | None = None  # a place named that no document governs
    said_unknown: bool = False

    @property
    def label(self) -> str:
        """The region as shown to users: 陕西省 > 宝鸡市 > 金台区."""
        return self.resolution.chain_text if self.resolution else (self.uncovered or "")


def resolve(gazetteer: Gazetteer, name: str | None) -> Place:
    """A Place for a slot value or a name."""
    if not name or name == UNKNOWN:
        return Place(said_unknown=name == UNKNOWN)
    try:
        res = gazetteer.resolve(name)
    except KnowledgeError:
        return Place(uncovered=name)
    return Place(region=res.region, resolution=res)


def place_in_text(gazetteer: Gazetteer, text: str) -> Place | None:
    """The most specific region named in a message, or a place no document covers, or None.

    A place no document covers named before every covered one is the asker's ("我家在温州，台州那个
    政策我们能享受吗", "西安建照料中心，补助有没有宝鸡多"); a city where children work is not."""
    plain = normalize(text)
    other = other_places().find(plain)
    mentions = gazetteer.mentions(text)
    if other is not None:
        first = (plain.find(mentions[0][0]), len(mentions[0][0])) if mentions else None
        # 三门峡 is not 三门县: at the same place the longer name wins.
        if first is None or (other[0], -len(other[1])) < (first[0], -first[1]):
            return Place(uncovered=other[1])
    found = gazetteer.find_in_text(text)
    if found:
        places = [resolve(gazetteer, name) for name in found]
        return max(places, key=lambda p: len(p.resolution.chain) if p.resolution else 0)
    return None


def current_place(gazetteer: Gazetteer, text: str, slots: dict[str, Any]) -> Place:
    """The place a question is about: named in it, else the remembered region slot."""
    return place_in_text(gazetteer, text) or resolve(gazetteer, slots.get("region"))

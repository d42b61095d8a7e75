"""Where the user lives: the region slot, places named in a message, and places the documents miss."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from knowledge.errors import KnowledgeError
from knowledge.regions import Gazetteer, Resolution

UNKNOWN = "unknown"  # slot value once the user said they do not know, or skipped

# Province-level divisions and large cities: named in a message but not governed by any document.
OTHER_PLACES = tuple(
    [
        "北京",
        "天津",
        "上海",
        "重庆",
        "河北",
        "山西",
        "内蒙古",
        "吉林",
        "黑龙江",
        "江苏",
        "安徽",
        "福建",
        "江西",
        "山东",
        "河南",
        "湖北",
        "湖南",
        "广东",
        "广西",
        "海南",
        "四川",
        "贵州",
        "云南",
        "西藏",
        "甘肃",
        "青海",
        "新疆",
        "香港",
        "澳门",
        "台湾",
        "石家庄",
        "太原",
        "呼和浩特",
        "长春",
        "哈尔滨",
        "南京",
        "杭州",
        "合肥",
        "福州",
        "厦门",
        "南昌",
        "济南",
        "青岛",
        "郑州",
        "武汉",
        "长沙",
        "广州",
        "深圳",
        "南宁",
        "海口",
        "成都",
        "贵阳",
        "昆明",
        "拉萨",
        "西安",
        "兰州",
        "西宁",
        "银川",
        "乌鲁木齐",
        "苏州",
        "宁波",
        "温州",
        "无锡",
        "东莞",
        "佛山",
    ]
)
OTHER_PLACE = re.compile("|".join(sorted(OTHER_PLACES, key=len, reverse=True)))
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
    """The most specific region named in a message, or a place no document covers, or None."""
    found = gazetteer.find_in_text(text)
    if found:
        places = [resolve(gazetteer, name) for name in found]
        return max(places, key=lambda p: len(p.resolution.chain) if p.resolution else 0)
    match = OTHER_PLACE.search(text)
    return Place(uncovered=match.group(0)) if match else None


def current_place(gazetteer: Gazetteer, text: str, slots: dict[str, Any]) -> Place:
    """The place a question is about: named in it, else the remembered region slot."""
    return place_in_text(gazetteer, text) or resolve(gazetteer, slots.get("region"))

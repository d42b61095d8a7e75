"""Where a question is about: covered regions, places no document covers, and which one is the asker's."""

from __future__ import annotations

import pytest

from bot.core.answers.places import OtherPlaces, other_places, place_in_text
from knowledge.base import KnowledgeBase


@pytest.mark.parametrize(
    ("text", "uncovered"),
    [
        ("固原今年农村老饭桌要新建几个", "固原"),
        ("我家在温州 台州那个老年公寓政策我们能享受吗", "温州"),
        ("西安碑林区建社区日间照料中心，补助有没有宝鸡那么多", "西安"),
        ("三门峡的老人有没有高龄津贴", "三门峡"),
        ("安康市有助餐点吗", "安康市"),
    ],
)
def test_a_place_no_document_covers_named_first_is_the_askers(
    kb: KnowledgeBase, text: str, uncovered: str
) -> None:
    place = place_in_text(kb.gazetteer, text)
    assert place is not None and place.uncovered == uncovered and place.region is None


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("宝鸡的补贴标准在西安能用吗", "宝鸡市"),
        ("我一个人住在金台区，儿女都在西安上班，社区会不会来看我", "金台区"),
        ("三门县有没有居家养老服务中心", "三门县"),
    ],
)
def test_a_covered_region_named_first_or_a_city_where_children_work_keeps_the_region(
    kb: KnowledgeBase, text: str, region: str
) -> None:
    place = place_in_text(kb.gazetteer, text)
    assert place is not None and place.region == region and place.uncovered is None


def test_common_words_are_places_only_with_their_suffix(kb: KnowledgeBase) -> None:
    assert place_in_text(kb.gazetteer, "祝您身体安康，大同小异的补贴有哪些") is None
    assert place_in_text(kb.gazetteer, "日照中心里的活动室面积能算多少") is None  # 日间照料中心
    place = place_in_text(kb.gazetteer, "日照市有老年食堂吗")
    assert place is not None and place.uncovered == "日照市"
    assert place_in_text(kb.gazetteer, "儿子在杭州打工，我妈能领高龄津贴吗") is None


def test_the_list_is_data() -> None:
    places = OtherPlaces.from_yaml("plain: [某地]\nwith_suffix: [大同]\nelsewhere_after: [上班]\n")
    assert places.find("某地的老人") == (0, "某地")
    assert places.find("大同小异") is None
    assert places.find("住在大同市") == (2, "大同市")
    assert places.find("女儿在某地上班") is None
    assert other_places().find("成都武侯区老人") == (0, "成都")

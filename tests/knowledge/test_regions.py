"""The gazetteer: region names, aliases, chains and applicable documents (knowledge/regions.py)."""

from __future__ import annotations

import pytest

from knowledge.base import KnowledgePaths
from knowledge.documents import DocumentMeta, load_sources
from knowledge.errors import KnowledgeError, UnknownRegionError
from knowledge.regions import Gazetteer, Region, RegionLevel, load_gazetteer

PATHS = KnowledgePaths()
NATIONAL = "mca-2019-pilot-batch5"

LIAONING_CITIES = [
    "沈阳市", "大连市", "鞍山市", "抚顺市", "本溪市", "丹东市", "锦州市",
    "营口市", "阜新市", "辽阳市", "盘锦市", "铁岭市", "朝阳市", "葫芦岛市",
]  # fmt: skip
TAIZHOU_DIVISIONS = ["椒江区", "黄岩区", "路桥区", "临海市", "温岭市", "玉环市", "天台县", "仙居县", "三门县"]
LITONG_TOWNS = [
    "胜利镇", "金积镇", "金银滩镇", "高闸镇", "扁担沟镇", "上桥镇",
    "古城镇", "金星镇", "东塔寺乡", "板桥乡", "马莲渠乡", "郭家桥乡",
]  # fmt: skip


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer(PATHS.regions, load_sources(PATHS.sources_yaml))


def test_resolve_district(gazetteer: Gazetteer) -> None:
    res = gazetteer.resolve("金台区")
    assert res.region == "金台区"
    assert res.chain == ("全国", "陕西省", "宝鸡市", "金台区")
    assert res.doc_ids == (NATIONAL, "baoji-2019-pilot")
    assert res.chain_text == "陕西省 > 宝鸡市 > 金台区"


def test_country_chain_text(gazetteer: Gazetteer) -> None:
    res = gazetteer.resolve("全国")
    assert res.chain == ("全国",)
    assert res.chain_text == "全国"
    assert res.doc_ids == (NATIONAL,)


@pytest.mark.parametrize(
    ("name", "official"),
    [
        ("宝鸡", "宝鸡市"),
        ("凤翔区", "凤翔县"),
        ("扁担钩镇", "扁担沟镇"),
        ("扁担沟", "扁担沟镇"),
        ("高新区", "宝鸡高新区"),
        ("辽宁朝阳", "朝阳市"),
        ("宁夏", "宁夏回族自治区"),
        ("溫嶺", "温岭市"),
        ("寶雞市", "宝鸡市"),
        (" 台州 ", "台州市"),
    ],
)
def test_aliases_and_traditional_characters(gazetteer: Gazetteer, name: str, official: str) -> None:
    assert gazetteer.lookup(name) == official
    assert gazetteer.resolve(name).region == official


def test_unknown_region_lists_known_regions(gazetteer: Gazetteer) -> None:
    with pytest.raises(UnknownRegionError) as exc:
        gazetteer.resolve("北京")
    err = exc.value
    assert err.name == "北京"
    assert err.known == gazetteer.names
    message = str(err)
    assert "北京" in message
    for region in ("辽宁省", "金台区", "温岭市", "扁担沟镇"):
        assert region in message
    assert gazetteer.lookup("北京") is None


def test_find_in_text_in_order_without_repeats(gazetteer: Gazetteer) -> None:
    text = "我爸住在宝鸡市金台区，我妈在台州温岭，还有一个在扁担钩镇，宝鸡那边先办"
    assert gazetteer.find_in_text(text) == ["宝鸡市", "金台区", "台州市", "温岭市", "扁担沟镇"]
    assert gazetteer.find_in_text("寶雞市金臺區") == ["宝鸡市", "金台区"]
    assert gazetteer.find_in_text("没有提到任何地方") == []


def test_mentions_prefer_the_longest_name(gazetteer: Gazetteer) -> None:
    assert gazetteer.mentions("吴忠市利通区的政策") == [("吴忠市利通区", "利通区")]


def test_litong_towns_resolve_through_ningxia(gazetteer: Gazetteer) -> None:
    assert gazetteer.descendants("利通区") == ["利通区", *LITONG_TOWNS]
    for town in LITONG_TOWNS:
        res = gazetteer.resolve(town)
        assert res.chain == ("全国", "宁夏回族自治区", "吴忠市", "利通区", town)
        assert res.chain_text == f"宁夏回族自治区 > 吴忠市 > 利通区 > {town}"
        assert res.doc_ids == (NATIONAL, "litong-2021-high-quality")


def test_liaoning_cities_present(gazetteer: Gazetteer) -> None:
    assert [n for n in gazetteer.descendants("辽宁省") if n != "辽宁省"] == LIAONING_CITIES
    for city in LIAONING_CITIES:
        res = gazetteer.resolve(city)
        assert res.chain == ("全国", "辽宁省", city)
        assert res.doc_ids == (NATIONAL, "liaoning-2021-pilot")


def test_taizhou_divisions_present(gazetteer: Gazetteer) -> None:
    assert [n for n in gazetteer.descendants("台州市") if n != "台州市"] == TAIZHOU_DIVISIONS
    for division in TAIZHOU_DIVISIONS:
        res = gazetteer.resolve(division)
        assert res.chain == ("全国", "浙江省", "台州市", division)
        assert res.doc_ids == (NATIONAL, "taizhou-2020-pilot-draft")


def test_governs_documents(gazetteer: Gazetteer) -> None:
    assert gazetteer.governs_documents("陕西省")
    assert gazetteer.governs_documents("宝鸡市")
    assert gazetteer.governs_documents("浙江省")
    assert gazetteer.governs_documents("利通区")
    assert not gazetteer.governs_documents("金台区")
    assert not gazetteer.governs_documents("沈阳市")


def test_every_document_region_is_known(gazetteer: Gazetteer) -> None:
    for meta in load_sources(PATHS.sources_yaml):
        assert meta.id in gazetteer.resolve(meta.region).doc_ids


def _meta(doc_id: str, region: str) -> DocumentMeta:
    return DocumentMeta(
        id=doc_id,
        title="t",
        short_title="t",
        issuer="i",
        region=region,
        level="city",
        date="2020",
        status="in_force",
        source_file="x.txt",
    )


def test_document_for_unknown_region_rejected() -> None:
    root = Region(name="全国", level=RegionLevel.COUNTRY)
    with pytest.raises(KnowledgeError) as exc:
        Gazetteer(root, [_meta("beijing-doc", "北京市")])
    assert "北京市" in str(exc.value)


def test_ambiguous_alias_rejected() -> None:
    root = Region(
        name="全国",
        level=RegionLevel.COUNTRY,
        children=[
            Region(name="甲市", level=RegionLevel.CITY, aliases=["新区"]),
            Region(name="乙市", level=RegionLevel.CITY, aliases=["新区"]),
        ],
    )
    with pytest.raises(KnowledgeError) as exc:
        Gazetteer(root)
    assert "新区" in str(exc.value)

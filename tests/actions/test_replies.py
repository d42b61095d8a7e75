"""Quotes are verbatim, sources name title, number and section."""

from __future__ import annotations

from bot.core.answers.places import UNKNOWN, place_in_text, resolve
from bot.core.answers.replies import source_line
from knowledge.base import KnowledgeBase


def test_source_line_names_title_number_and_section(kb: KnowledgeBase) -> None:
    meta = kb.document("baoji-2019-pilot").meta
    line = source_line(meta, "二、（八）23")
    assert (
        line == "依据：《宝鸡市居家和社区养老服务改革试点工作实施方案》（宝办字〔2019〕111号）二、（八）23。"
    )
    draft = source_line(kb.document("taizhou-2020-pilot-draft").meta, "一、")
    assert "征求意见稿" in draft


def test_places(kb: KnowledgeBase) -> None:
    jintai = place_in_text(kb.gazetteer, "我住金台区")
    assert jintai is not None and jintai.region == "金台区"
    assert jintai.resolution is not None and "宝鸡市" in jintai.resolution.chain
    beijing = place_in_text(kb.gazetteer, "北京的老人")
    assert beijing is not None and beijing.uncovered == "北京"
    assert place_in_text(kb.gazetteer, "我想问问补贴") is None
    assert resolve(kb.gazetteer, UNKNOWN).said_unknown

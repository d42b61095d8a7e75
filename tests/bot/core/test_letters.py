"""Complaints and letters are recognised by rules and summarised in one line."""

from __future__ import annotations

import pytest

from bot.core.letters import LetterRules, summary

LETTER = (
    "尊敬的街道办领导：您好！我是幸福小区3号楼的住户，家里有一位86岁的老人。"
    "最近一楼的住户在楼道里堆了很多杂物，把消防通道都堵住了，老人出门要扶着墙一点点挪，"
    "上周还差点摔倒。我们跟物业说了好几次，物业一直推诿，说管不了。"
    "恳请街道派人来看看，督促清理楼道，保障老人出行安全。此致敬礼！"
)


@pytest.mark.parametrize(
    "text",
    [
        LETTER,
        "我要投诉你们的护工！",
        "补贴三个月一直没发，打电话问也没人管，这到底谁来管？",
        "隔壁私搭乱建把我家窗户都挡住了，老人屋里一点阳光都没有",
        "給個說法！",
        "约好周三来修水管的师傅根本没来，打了五六个电话都没人接",
        "说好的送餐不要钱，结果月底让我们补交三百块",
        "楼下天天半夜施工吵得老人睡不着，你们到底管不管",
        "你们这是啥服务啊，约好上门的人影都没见着，打电话问还嫌我烦",
    ],
)
def test_complaints_and_letters_go_to_a_person(text: str) -> None:
    assert LetterRules.load().is_letter(text)


@pytest.mark.parametrize(
    "text",
    [
        "宝鸡市高龄补贴多少钱",
        "我妈82岁失能在床，想问问台州能申请什么补贴",
        "我们社区想申报居家和社区养老服务改革试点，需要准备哪些材料",
        "养老院一个月大概要多少钱",
        "这是什么服务项目，台州有没有助浴服务？我想了解一下价格",
        "我想预约上门助浴",
        "国家试点搞培训，光培训护理员吗，养老院院长社工管不管",
    ],
)
def test_questions_are_not_letters(text: str) -> None:
    assert not LetterRules.load().is_letter(text)


def test_the_summary_is_one_line_without_the_salutation() -> None:
    line = summary(LETTER)
    assert not line.startswith("尊敬的")
    assert line.startswith("我是幸福小区3号楼的住户")
    assert f"（共{len(LETTER)}字）" in line
    assert "\n" not in line and len(line) <= 80
    assert summary("我要投诉你们的护工！") == "我要投诉你们的护工"


def test_a_short_message_with_a_word_of_complaint_complains_without_being_a_letter() -> None:
    rules = LetterRules.load()
    text = "护工天天迟到，这归谁管？"
    assert len(text) < rules.min_chars and not rules.is_letter(text)
    assert rules.complains(text)
    assert not rules.complains("社区护工能上门给老人洗澡吗？")

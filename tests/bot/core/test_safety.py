"""The one emergency rules file: danger now, questions about whom to call, the first line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.nlu_export import NluFiles, render_config
from bot.core.safety import EmergencyPatterns, shipped

REPO = Path(__file__).parents[3]


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("我爸摔倒了起不来", "120"),
        ("我妈叫不醒了", "120"),
        ("胸口疼得厉害出冷汗", "120"),
        ("我爸嘴歪了说话不清楚", "120"),
        ("厨房着火了", "119"),
        ("家里一股煤气味", "119"),
        ("我爷爷有老年痴呆走丢了", "110"),
        ("有人在砸我家门", "110"),
        ("救命", "120"),
        ("媽媽暈倒了", "120"),
        ("对门的老太太两天没开门了，喊她也不应", "110"),
        ("隔壁独居的老头三天没露面了", "110"),
    ],
)
def test_danger_now_gets_the_right_number_in_the_first_line(text: str, number: str) -> None:
    rules = shipped()
    assert rules.matches(text)
    first = rules.first_instruction(text)
    assert number in first
    for other in {"120", "119", "110"} - {number}:
        assert first.index(number) < first.index(other) if other in first else True


def test_self_harm_written_by_the_elder_is_answered_to_the_elder() -> None:
    rules = shipped()
    own = rules.first_instruction("我不想活了，活着就是拖累孩子")
    assert "您" in own and "120" in own and "不要让老人" not in own
    about_mother = rules.first_instruction("我妈说她不想活了")
    assert "不要让老人一个人待着" in about_mother and "120" in about_mother


@pytest.mark.parametrize(
    "text",
    [
        "独居老人半夜犯病了应该打什么电话？",
        "老人突然不舒服打哪个电话",
        "家里着火了该找谁",
        "万一邻居家着火了，是先打119还是先找物业",
    ],
)
def test_questions_about_whom_to_call_are_recognised(text: str) -> None:
    rules = shipped()
    assert rules.asks_for_numbers(text) or rules.matches(text)
    assert "120" in rules.numbers and "119" in rules.numbers and "110" in rules.numbers


@pytest.mark.parametrize(
    "text",
    [
        "宝鸡市高龄补贴多少钱",
        "老年食堂几点开饭",
        "我想预约上门助浴",
        "社区卫生服务中心电话是多少",
        "申请居家养老补贴找哪个部门",
        "适老化改造包括哪些内容",
        "老人吃饭老是咽不下去，去哪看",
        "找不到申请表在哪，我都糊涂了",
        "我儿子出去打工三年没回家",
        "打12345没人接，补贴的事找谁问",
    ],
)
def test_ordinary_questions_are_not_emergencies(text: str) -> None:
    rules = shipped()
    assert not rules.matches(text)
    assert not rules.asks_for_numbers(text)


def test_rasa_gets_the_same_patterns_as_the_gateway() -> None:
    files = NluFiles(REPO)
    current = files.config.read_text(encoding="utf-8")
    assert render_config(current, shipped().patterns()) == current, "run `eldercare nlu generate`"


def test_rules_are_read_from_a_file_people_maintain(tmp_path: Path) -> None:
    text = (REPO / "bot" / "core" / "emergency.yaml").read_text(encoding="utf-8")
    path = tmp_path / "emergency.yaml"
    path.write_text(text.replace('"救命|', '"救命|来人啊|'), encoding="utf-8")
    assert EmergencyPatterns.load(path).matches("来人啊")
    assert not shipped().matches("来人啊")


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("我奶奶说心口像被石头压着，左胳膊也麻", "120"),
        ("家裡瓦斯味好重", "119"),
        ("有个自称警察的让我爸把钱转到安全账户", "110"),
        ("门外有人一直要进来，我不敢开门", "110"),
        ("我爷爷倒在厨房地上了，身上冰凉", "120"),
        ("我妈以前中风过，刚才突然嘴歪了", "120"),
        ("我奶奶嗓子里卡住了，气都喘不过来", "120"),
        ("外婆寻不着了，她有点糊涂", "110"),
        ("我爸有点糊涂，早上出门到现在没回来", "110"),
    ],
)
def test_danger_told_in_other_words_is_recognised(text: str, number: str) -> None:
    rules = shipped()
    assert rules.matches(text) and number in rules.first_instruction(text)


@pytest.mark.parametrize(
    "text",
    [
        "我爸中风以后一直瘫在床上，有没有照护培训",
        "我妈前年摔了一跤后就起不来床了，能申请什么护理补贴",
        "老人在日间照料中心摔了，综合责任险怎么理赔",
        "如果家里着火了该怎么逃生",
    ],
)
def test_a_lasting_condition_the_past_or_a_benefit_is_not_danger_now(text: str) -> None:
    rules = shipped()
    assert not rules.matches(text)
    assert rules.not_happening_now(text)


def test_self_harm_is_danger_whatever_else_the_message_says() -> None:
    text = "去年老伴走了以后我就觉得活着没意思，补贴也不想要了"
    assert shipped().not_happening_now(text)
    assert shipped().matches(text) and "120" in shipped().first_instruction(text)


def test_a_question_about_insurance_after_a_fall_is_not_a_question_about_whom_to_call() -> None:
    rules = shipped()
    assert not rules.asks_for_numbers("老人摔了，保险理赔找哪个电话")
    assert rules.asks_for_numbers("老人半夜摔了应该打什么电话")


@pytest.mark.parametrize("text", ["jjjkk 啊啊 康养 ？？ 1111", "asdfgh", "qwer 1234"])
def test_key_mashing_looks_like_noise(text: str) -> None:
    assert shipped().looks_like_noise(text)


@pytest.mark.parametrize("text", ["摔了！！！", "摔了 13912345678", "help 摔了", "救命 sos", "我妈起不来了"])
def test_a_short_cry_for_help_is_not_noise(text: str) -> None:
    assert not shipped().looks_like_noise(text)

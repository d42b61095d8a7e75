"""Reading a booking conversation's answers from what elders and their families type."""

from __future__ import annotations

import re

import pytest

from bot.core.booking.words import (
    CANCEL,
    CHANGE_ADDRESS,
    CHANGE_NAME,
    CHANGE_PHONE,
    CHANGE_TIME,
    STOP,
    YES,
    find_reference,
    looks_like_address,
    read_service,
    strip_name,
    wants_a_visit,
)
from bot.core.store.models import VisitService

BATH, CLEANING, MEAL = VisitService.BATH, VisitService.CLEANING, VisitService.MEAL
VISITING, REHAB, ESCORT = VisitService.VISITING, VisitService.REHAB, VisitService.ESCORT


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("我想约个洗澡", BATH),
        ("能不能上门帮老人擦身", BATH),
        ("老伴想洗洗澡", BATH),
        ("上门助浴", BATH),
        ("想请人来打扫卫生", CLEANING),
        ("家里要收拾一下", CLEANING),
        ("帮忙拖地擦窗", CLEANING),
        ("给我爸送饭", MEAL),
        ("每天中午送餐到家", MEAL),
        ("老人做饭不方便", MEAL),
        ("想做康复", REHAB),
        ("腿不好，想做理疗", REHAB),
        ("能上门按摩推拿吗", REHAB),
        ("陪我去医院看病", ESCORT),
        ("陪我妈去医院拿药", ESCORT),
        ("带老人去医院复查", ESCORT),
        ("需要陪诊", ESCORT),
        ("有人能来看看我吗", VISITING),
        ("想找人陪我聊聊天", VISITING),
        ("上门看望老人", VISITING),
        ("一个人在家，想有人说说话", VISITING),
        # The service's own Chinese name or value, as a button or a staff member would give it.
        ("康复护理", REHAB),
        ("探访巡访", VISITING),
        ("助医陪诊", ESCORT),
        ("escort", ESCORT),
        ("  Meal ", MEAL),
    ],
)
def test_read_service_reads_plain_words(text: str, service: VisitService) -> None:
    assert read_service(text) is service


@pytest.mark.parametrize(
    ("entity", "service"),
    [("bath", BATH), ("cleaning", CLEANING), ("meal", MEAL), ("visiting", VISITING), ("medical", ESCORT)],
)
def test_read_service_falls_back_to_the_nlu_entity(entity: str, service: VisitService) -> None:
    assert read_service("我想预约一下", entity) is service


def test_words_in_the_message_win_over_the_entity() -> None:
    assert read_service("还是洗澡吧", "meal") is BATH


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("我想问问补贴", None),
        ("你好", None),
        ("我想预约一下", None),
        ("上门理发", None),
        ("我想预约一下", "elderly_canteen"),  # an entity value that is not bookable
    ],
)
def test_read_service_is_none_for_unrelated_text(text: str, entity: str | None) -> None:
    assert read_service(text, entity) is None


@pytest.mark.parametrize("text", ["帮我妈洗个澡", "想洗个热水澡"])
def test_bath_with_a_measure_word_is_read(text: str) -> None:
    assert read_service(text) is BATH


@pytest.mark.parametrize(
    "text",
    [
        "金台区东风路12号3单元502",
        "胜利镇幸福村3组",
        "阳光小区5栋2单元301",
        "红旗新村8号楼",
        "住在纺织厂家属院",
        "幸福花园",
        "东风路12号 ",
    ],
)
def test_addresses_look_like_addresses(text: str) -> None:
    assert looks_like_address(text) is True


@pytest.mark.parametrize(
    "text",
    [
        "东风路12号吗",
        "人民路",  # too short to reach anyone
        "几号能来",
        "你们能到东风路吗",
        "请问是社区吗",
        "地址是哪里？",
        "在哪个区?",
        "东风路12号？ ",
        "我想约洗澡",
        "13912345678",
        "王秀兰",
        "明天上午",
        "好的",
        "我在宝鸡",
    ],
)
def test_questions_and_other_answers_are_not_addresses(text: str) -> None:
    assert looks_like_address(text) is False


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("我叫王秀兰。", "王秀兰"),
        ("联系人是李明", "李明"),
        ("联系人：李明。", "李明"),
        ("我是张建国！", "张建国"),
        ("姓名：赵敏", "赵敏"),
        ("名字叫刘芳", "刘芳"),
        ("我叫 王秀兰", "王秀兰"),
        ("  王秀兰。。", "王秀兰"),
        ("李明，", "李明"),
        ("王秀兰", "王秀兰"),
    ],
)
def test_strip_name_keeps_only_the_name(text: str, name: str) -> None:
    assert strip_name(text) == name


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("20261201-0007", "20261201-0007"),
        ("我的预约编号是20261201-0007", "20261201-0007"),
        ("预约号：20261201-0007。", "20261201-0007"),
        ("帮我取消 20261201-12345 那个", "20261201-12345"),
        ("20261201-0007和20261202-0008", "20261201-0007"),
        ("120261201-0007", None),  # nine digits before the dash: not a reference
        ("20261201-007", None),  # too short a number
        ("2026-12-01", None),
        ("电话13912345678", None),
        ("我想看看我的预约", None),
    ],
)
def test_find_reference(text: str, reference: str | None) -> None:
    assert find_reference(text) == reference


def _matches(pattern: re.Pattern[str], texts: list[str]) -> list[str]:
    """The texts the pattern finds something in."""
    return [t for t in texts if pattern.search(t)]


def test_stop_catches_giving_up_but_not_answers() -> None:
    said = [
        "算了，不约了",
        "我先不约了吧",
        "不用约了谢谢",
        "那就不要了",
        "不需要了",
        "这个不办了",
        "先不预约了",
    ]
    answers = ["我想约洗澡", "好的", "约好了吗", "明天上午", "东风路12号"]
    assert _matches(STOP, said) == said
    assert _matches(STOP, answers) == []


def test_change_time_catches_a_new_time_request_only() -> None:
    said = ["能不能改个时间", "我想换个时间", "改到下周三", "换到后天上午", "改一下日子", "换一天吧", "改约"]
    others = ["时间没问题", "明天上午", "改一下地址", "电话不对", "确认"]
    assert _matches(CHANGE_TIME, said) == said
    assert _matches(CHANGE_TIME, others) == []


def test_change_address_catches_a_wrong_address_only() -> None:
    said = ["地址不对", "改一下地址", "我要换个地址", "地址错了"]
    others = ["地址是东风路12号", "地址没错", "我想改时间", "电话不对"]
    assert _matches(CHANGE_ADDRESS, said) == said
    assert _matches(CHANGE_ADDRESS, others) == []


def test_change_phone_catches_a_wrong_number_only() -> None:
    said = ["电话不对", "改一下电话", "换个号码", "改手机", "电话错了"]
    others = ["我的电话是13912345678", "电话没错", "改地址", "改时间"]
    assert _matches(CHANGE_PHONE, said) == said
    assert _matches(CHANGE_PHONE, others) == []


def test_change_name_catches_a_wrong_name_only() -> None:
    said = ["名字不对", "改一下名字", "改联系人", "名字错了"]
    others = ["我叫王秀兰", "联系人是李明", "改电话"]
    assert _matches(CHANGE_NAME, said) == said
    assert _matches(CHANGE_NAME, others) == []


@pytest.mark.parametrize(
    ("pattern", "text"),
    [(CHANGE_ADDRESS, "地址改一下"), (CHANGE_PHONE, "电话号码改一下"), (CHANGE_TIME, "时间改一下")],
    ids=["address", "phone", "time"],
)
def test_a_change_said_object_first_is_caught(pattern: re.Pattern[str], text: str) -> None:
    assert pattern.search(text)


def test_cancel_catches_calling_a_visit_off_only() -> None:
    said = ["我要取消预约", "把那个退掉", "退订", "明天别来了", "不来了", "不要了"]
    others = ["我想约洗澡", "我要改时间", "来了吗", "什么时候来"]
    assert _matches(CANCEL, said) == said
    assert _matches(CANCEL, others) == []


def test_yes_accepts_short_agreement_and_explicit_confirmation() -> None:
    said = ["确认", "确定", "对", "对的", "是的", "好", "好的。", "可以！", "行", "没错", "没问题", "嗯"]
    said += ["确认预约", "好的，确认预约"]
    assert _matches(YES, said) == said


def test_yes_refuses_denials_questions_and_longer_sentences() -> None:
    others = ["不对", "不是", "对不起", "可以吗", "是不是", "行不行", "确认一下地址", "好的，我再想想"]
    assert _matches(YES, others) == []


@pytest.mark.parametrize(
    ("text", "wants"),
    [
        ("能不能派个人来帮我妈洗个澡", True),
        ("想请人上门打扫一下", True),
        ("帮我约一次陪诊", True),
        ("你们的助浴服务怎么收费", False),
        ("找人上门帮我妈洗澡一次要多少钱", False),  # a question about the fee, for the answer engine
        ("能不能派人来一下", False),  # no service named: the form would have to ask anyway
    ],
)
def test_asking_for_someone_to_come_is_told_from_asking_about_a_service(text: str, wants: bool) -> None:
    assert wants_a_visit(text) is wants

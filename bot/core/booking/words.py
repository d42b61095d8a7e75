"""Reading a booking conversation's answers from what people type: service, name, changes, references."""

from __future__ import annotations

import re

from bot.core.store.models import VisitService

# Plain words first: what elders and families say for each bookable service.
_SERVICE_WORDS: list[tuple[VisitService, re.Pattern[str]]] = [
    (VisitService.ESCORT, re.compile(r"陪诊|助医|陪.{0,4}(看病|就医|医院|复查|拿药)|带.{0,3}去医院")),
    (VisitService.BATH, re.compile(r"助浴|洗.{0,3}澡|洗浴|擦身|擦澡|洗头|沐浴")),
    (VisitService.CLEANING, re.compile(r"助洁|保洁|打扫|扫地|(搞|做|弄)卫生|家务|收拾|擦窗|拖地")),
    (VisitService.MEAL, re.compile(r"助餐|送餐|送饭|做.{0,2}饭|饭菜|吃饭")),
    (VisitService.REHAB, re.compile(r"康复|理疗|按摩|推拿|(上门|康复)护理|护理一下|锻炼|扎针")),
    (VisitService.VISITING, re.compile(r"探访|巡访|看望|(来|上门|过来)看看|陪.{0,2}聊|说说话|走访|上门看")),
]
# service_type entity values of the NLU (knowledge.catalog.ServiceType) that are bookable.
_ENTITY_SERVICES = {
    "bath": VisitService.BATH,
    "cleaning": VisitService.CLEANING,
    "meal": VisitService.MEAL,
    "visiting": VisitService.VISITING,
    "medical": VisitService.ESCORT,
}

# Asking for someone to come (a booking), not about a service: 派人上门, 能不能请人来, 约个….
_VISIT_REQUEST = re.compile(
    r"派(个|一个|两个)?人|(请|找|约)(个|一个)?人.{0,6}(上门|来|去|过来)|(上门|过来|到家里?)(来)?帮|预约|约(个|一次|一下)"
)
# …unless it asks what the visit costs or what the rules are: a question for the answer engine.
_VISIT_QUESTION = re.compile(
    r"多少钱|收(多少|费|钱)|费用|价格|几块钱|贵不贵|花多少|要钱(吗|不)|补贴|规定|政策"
)
_ADDRESS_MARKS = re.compile(
    r"[路街巷道弄号村组楼栋幢单元室院苑区县镇乡屯庄寨里]|小区|花园|社区|公寓|新村|大院|家属院"
)
_NAME_PREFIX = re.compile(r"^(我叫|我是|叫我|姓名[是:：]?|名字[是叫:：]?|联系人[是:：]?|我姓)\s*")
_NAME_SUFFIX = re.compile(r"[。.！!，,]+$")
_REFERENCE = re.compile(r"(?<!\d)(\d{8})[-－—–‐](\d{4,})(?!\d)")
_WHEN_QUESTION = re.compile(r"几号|哪天|什么时候|啥时候")

STOP = re.compile(
    r"不(想|用|要)?(预)?约了|先不约|不用约|算了|不要了|不需要了|不办了|^取消(预约)?[吧了。！!]*$|取消吧"
)
_CHANGED = r".{0,3}(改|换|写错|不对|错了)"
CHANGE_TIME = re.compile(
    rf"改.{{0,2}}(时间|日子|日期)|换.{{0,2}}(时间|日子|一天|个时间)|改(一|个)天|改到|换到|改约|(时间|日子){_CHANGED}"
)
CHANGE_ADDRESS = re.compile(rf"改.{{0,2}}地址|换.{{0,2}}地址|地址{_CHANGED}")
CHANGE_PHONE = re.compile(rf"改.{{0,2}}(电话|号码|手机)|换.{{0,2}}(电话|号码)|(电话|号码|手机号?){_CHANGED}")
CHANGE_NAME = re.compile(rf"改.{{0,2}}(名字|联系人)|(名字|联系人){_CHANGED}")
CANCEL = re.compile(r"取消|退掉|退订|不要了|不来了|别来了")
YES = re.compile(
    r"^(确认|确定|对|对的|是的|是|好|好的|好吧|可以|行|没错|没问题|嗯+|确认预约)[。！!，,]*$|确认预约|^好的?[，,]\s*确认"
)
_NOT = re.compile(r"不|别|没[有想]|[吗？?]\s*$")


def says_yes(text: str) -> bool:
    """Whether a message agrees (确认预约, 好的, 嗯), and does not say no or ask."""
    return bool(YES.search(text)) and not _NOT.search(text)


def read_service(text: str, entity_value: str | None = None) -> VisitService | None:
    """The bookable service a message names, if any (洗澡 → bath, 陪我去医院 → escort)."""
    for service, pattern in _SERVICE_WORDS:
        if pattern.search(text):
            return service
    if entity_value and entity_value in _ENTITY_SERVICES:
        return _ENTITY_SERVICES[entity_value]
    for service in VisitService:
        if service.label in text or service.value == text.strip().lower():
            return service
    return None


def looks_like_address(text: str) -> bool:
    """Whether a message reads like an address (a road, a number, a village, a building …)."""
    text = text.strip()
    if len(text) < 4 or _WHEN_QUESTION.search(text) or text.endswith(("吗", "？", "?")):
        return False
    return bool(_ADDRESS_MARKS.search(text))


def strip_name(text: str) -> str:
    """The name without 我叫 / 联系人是 and trailing punctuation."""
    return _NAME_SUFFIX.sub("", _NAME_PREFIX.sub("", text.strip())).strip()


def find_reference(text: str) -> str | None:
    """A booking reference (20261201-0007) in a message."""
    match = _REFERENCE.search(text)
    return f"{match.group(1)}-{match.group(2)}" if match else None


_PLACE_MARK = re.compile(r"路|街|巷|大道|弄|胡同|村|小区|花园|新村|家属院|大院|公寓|苑|社区")
_NUMBER_PART = re.compile(r"\s*[\d一二三四五六七八九十百零〇]+\s*(号院|号楼|号|栋|幢|单元|室|组|楼|层)?")
_ADDRESS_STOP = set("来到在去住给帮约我你的了是，,。、；;：: ") | set("上下午周号月天")
_MAX_PLACE_NAME = 12


def find_address(text: str) -> str | None:
    """The street address inside a longer message (「来金台区东风路8号打扫」 → 金台区东风路8号), if any."""
    for mark in _PLACE_MARK.finditer(text):
        start = mark.start()
        while start > 0 and mark.start() - start < _MAX_PLACE_NAME and text[start - 1] not in _ADDRESS_STOP:
            start -= 1
        if start == mark.start():
            continue
        end = mark.end()
        while (part := _NUMBER_PART.match(text, end)) and part.end() > end:
            end = part.end()
        address = text[start:end].strip()
        if end > mark.end() or len(address) >= 5:
            return address
    return None


def wants_a_visit(text: str) -> bool:
    """Whether a message asks for someone to come to the home for a service (a booking)."""
    return (
        bool(_VISIT_REQUEST.search(text))
        and not _VISIT_QUESTION.search(text)
        and read_service(text) is not None
    )

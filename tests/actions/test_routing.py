"""Where the classifier's intent sends a message that asks something else: the answer engine takes
questions the handoff and the region question would otherwise swallow (actions without Rasa)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog_answers import ActionAnswerService
from actions.context import Services, build_services, use_services
from actions.conversation import ActionMisunderstood, ActionOutOfScope
from actions.eligibility import needs_the_questions
from actions.handoff import ActionHandoff
from actions.policy import ActionAnswerPolicy
from actions.settings import ActionSettings
from bot.core.answers.places import Place
from index.engine import SearchEngine
from index.settings import IndexSettings
from tests.utils.actions import tracker

ANSWERED = "台州适老化改造每年做多少户"


@pytest.fixture(scope="module")
def built(
    engine: SearchEngine, index_settings: IndexSettings, tmp_path_factory: pytest.TempPathFactory
) -> Services:
    store = tmp_path_factory.mktemp("routing") / "store.db"
    return build_services(ActionSettings(database_url=f"sqlite:///{store}"), index_settings)


@pytest.fixture
def svc(built: Services) -> Iterator[Services]:
    use_services(built)
    yield built
    use_services(None)


def run(action: Any, text: str, intent: str, slots: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker(slots or {}, text, intent, f"web-{id(text)}"), {}))
    return dispatcher.messages


def handoff_of(messages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The handoff the action told the gateway about (its structured message), if any."""
    for message in messages:
        data = (message.get("custom") or {}).get("eldercare") or {}
        if data.get("handoff"):
            return dict(data["handoff"])
    return None


def test_a_request_for_a_person_opens_a_ticket(svc: Services) -> None:
    messages = run(ActionHandoff(), "我要找人工，你说不清楚", "request_human")
    handoff = handoff_of(messages)
    assert handoff is not None and handoff["status"] == "waiting" and handoff["ticket_id"]
    assert "正在为您转接工作人员" in messages[0]["text"]


def test_a_question_the_classifier_calls_request_human_is_answered_when_a_clause_answers(
    svc: Services,
) -> None:
    assert svc.answers.answer(ANSWERED, Place()).mode == "direct"
    messages = run(ActionHandoff(), f"我想问问，{ANSWERED}？", "request_human")
    assert handoff_of(messages) is None
    assert "600户" in "\n".join(str(m.get("text") or "") for m in messages)


def test_a_worker_s_question_is_not_asked_where_the_elder_lives(svc: Services) -> None:
    question = "申报第五批试点，地方财政配套资金不能低于多少"
    worker = run(ActionAnswerPolicy(), question, "ask_subsidy")
    assert not any("哪个地方" in str(m.get("text") or "") for m in worker)
    elder = run(ActionAnswerPolicy(), "我妈的高龄津贴每月能领多少", "ask_subsidy")
    assert "哪个地方" in str(elder[0].get("text") or "")


def test_a_question_naming_the_province_or_city_but_not_which_is_asked_where(svc: Services) -> None:
    # 「省里方案」: which province's plan decides the answer, whatever the intent.
    asked = (
        ("护理员培训 考证这块 省里方案有安排吗", "ask_policy"),
        ("我们县申报省里的试点，市县两级财政配套资金不能低于多少", "ask_subsidy"),
    )
    for text, intent in asked:
        messages = run(ActionAnswerPolicy(), text, intent)
        assert "哪个地方" in str(messages[0].get("text") or ""), text
    for action in (ActionMisunderstood(), ActionOutOfScope()):  # the classifier unsure, or off topic
        messages = run(action, "护理员培训 考证这块 省里方案有安排吗？", "nlu_fallback")
        assert "哪个地方" in str(messages[0].get("text") or ""), action.name()
    named = run(ActionAnswerPolicy(), "辽宁省里方案对护理员培训有安排吗", "ask_policy")
    assert not any("哪个地方" in str(m.get("text") or "") for m in named)


def test_a_question_with_nothing_to_look_up_is_not_asked_where_the_elder_lives(svc: Services) -> None:
    messages = run(ActionAnswerPolicy(), "这个俺能申请不", "ask_subsidy")
    text = "\n".join(str(m.get("text") or "") for m in messages)
    assert "哪个地方" not in text and "没有" in text and "找人工" in text


def test_a_question_the_classifier_calls_complaint_is_answered_only_without_a_word_of_complaint(
    svc: Services,
) -> None:
    # Whatever the model's confidence (the bar is tested below), only a word of complaint decides.
    use_services(replace(svc, settings=svc.settings.model_copy(update={"complaint_answer_confidence": 0.0})))
    asked = run(ActionHandoff(), f"请问{ANSWERED}？", "complaint")
    assert handoff_of(asked) is None
    assert "600户" in "\n".join(str(m.get("text") or "") for m in asked)
    # The same question with a grievance in it goes to a person, however short.
    grievance = run(ActionHandoff(), f"骗人，{ANSWERED}？", "complaint")
    handoff = handoff_of(grievance)
    assert handoff is not None and handoff["status"] == "waiting"


def test_a_question_the_classifier_calls_complaint_goes_to_a_person_unless_the_engine_is_sure(
    svc: Services,
) -> None:
    sure = svc.answers.answer(ANSWERED, Place()).confidence
    assert sure > 0
    strict = replace(svc, settings=svc.settings.model_copy(update={"complaint_answer_confidence": 1.0}))
    use_services(strict)
    handoff = handoff_of(run(ActionHandoff(), f"请问{ANSWERED}？", "complaint"))
    assert handoff is not None and handoff["status"] == "waiting"
    # Asked for a person's help, the same question is still answered (the bar is for complaints).
    assert handoff_of(run(ActionHandoff(), f"我想问问，{ANSWERED}？", "request_human")) is None


def test_health_advice_the_classifier_calls_a_meal_question_gets_no_meal_card(svc: Services) -> None:
    advice = "我妈糖尿病 早上能喝小米粥不"
    messages = run(ActionAnswerService(), advice, "ask_meal_service", {"region": "金台区"})
    text = "\n".join(str(m.get("text") or "") for m in messages)
    assert "不是医生" in text and "找人工" in text
    assert "助餐" not in text
    card = run(ActionAnswerService(), "金台区有老年食堂吗", "ask_meal_service", {"region": "金台区"})
    assert "助餐" in "\n".join(str(m.get("text") or "") for m in card)


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("我妈82岁，失能在床，台州能申请什么补贴？", True),
        ("我妈80岁了，高龄津贴怎么申请？", False),  # how to apply: answered, not asked her status
        ("我爸75了，护理补贴要去哪里办", False),
    ],
)
def test_only_what_a_person_may_receive_is_answered_with_the_eligibility_questions(
    svc: Services, text: str, asked: bool
) -> None:
    assert asyncio.run(needs_the_questions(svc, tracker({}, text, "ask_eligibility", "web-e"), text)) is asked

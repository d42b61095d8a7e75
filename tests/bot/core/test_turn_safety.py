"""A chat turn puts the emergency rules before whatever the classifier decided."""

from __future__ import annotations

from bot.core.rasa_client import AssembledReply
from bot.core.schemas import Citation, IntentInfo, Reply
from bot.core.turns import enforce_emergency

FIRST = "请马上拨打 120 急救电话。"


def test_a_missed_emergency_gets_the_instruction_first_and_the_flag() -> None:
    missed = AssembledReply(
        replies=[Reply(text="助医服务是……")],
        intent=IntentInfo(name="ask_medical_service", confidence=0.7),
        citations=[Citation(doc_id="d", title="t", quote="助医服务")],
    )
    answer = enforce_emergency(missed, FIRST)
    assert answer.emergency
    assert answer.replies[0].text == FIRST
    assert answer.citations == []  # a service card is no answer to an emergency


def test_an_emergency_the_action_answered_with_the_number_is_kept() -> None:
    handled = AssembledReply(
        replies=[Reply(text="请马上拨打 120 急救电话。老人摔倒后先不要急着扶起来。"), Reply(text="已通知")],
        intent=IntentInfo(name="emergency", confidence=1.0),
        emergency=True,
        handoff_ticket_id=7,
    )
    answer = enforce_emergency(handled, FIRST)
    assert [r.text for r in answer.replies] == [r.text for r in handled.replies]
    assert answer.handoff_ticket_id == 7


def test_a_first_line_with_the_wrong_number_is_put_right() -> None:
    wrong = AssembledReply(replies=[Reply(text="请拨打 120。")], emergency=True)
    answer = enforce_emergency(wrong, "请马上离开屋子，到安全的地方拨打 119 火警电话。")
    assert "119" in answer.replies[0].text

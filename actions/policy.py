"""Policy and subsidy questions: ask for the region once when it matters, then answer from the documents."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import Services, services
from actions.dispatch import latest_intent, latest_text, send
from bot.core.answers.analysis import analyse
from bot.core.answers.compose import Answer, Message
from bot.core.answers.places import Place, current_place
from bot.core.answers.replies import Button

# Intents whose answers differ from region to region, so the region is asked for (once).
REGIONAL_INTENTS = frozenset({"ask_subsidy", "ask_eligibility"})

REGION_BUTTONS: list[Button] = [
    {"title": "宝鸡市", "payload": '/inform{"region":"宝鸡市"}'},
    {"title": "台州市", "payload": '/inform{"region":"台州市"}'},
    {"title": "辽宁省", "payload": '/inform{"region":"辽宁省"}'},
    {"title": "利通区", "payload": '/inform{"region":"利通区"}'},
]


def ask_region() -> Answer:
    """The question for the user's region, with the regions the documents cover as buttons."""
    text = "请问老人住在哪个地方？不同地方的规定不一样。可以直接打字，比如“金台区”；不清楚就回“不知道”。"
    return Answer([Message(text, REGION_BUTTONS)])


def region_events(place: Place) -> list[EventType]:
    """Remember a region the user named."""
    return [SlotSet("region", place.region)] if place.region and place.region != "全国" else []


def needs_region(svc: Services, tracker: Tracker, question: str, intent: str | None, place: Place) -> bool:
    """Whether to ask where the user lives before answering: the answer depends on it (a subsidy
    or eligibility question, or one naming 省里 / 市里 without saying which), no place is known (the
    place the question and the conversation give) and the question was never asked."""
    if place.region is not None or place.uncovered is not None or place.said_unknown:
        return False
    if question.startswith("/") or tracker.get_slot("region_asked"):
        return False
    # A request no document answers (advice, cheating, nonsense …) is declined at once, and a
    # question with nothing to look up (「这个俺能申请不」) is answered at once: where the elder
    # lives changes neither answer.
    if svc.answers.refusal(question) is not None or not svc.grounding.topic_words(question):
        return False
    analysis = analyse(svc.answers.rules, question)
    # 「省里方案」「市里那笔钱」 name a local government without naming the place: which province or
    # city decides the answer, whatever the question is about (「在省里不算典型，能报第五批不」 asks
    # about the national pilots: no). A worker asking about a unit's
    # duties (pilot applications, reports) is otherwise answered at once.
    return analysis.local or (intent in REGIONAL_INTENTS and not analysis.worker)


async def decline_refused(
    dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services, text: str
) -> list[EventType] | None:
    """A typed request no document answers (a photo, a call, printing and posting a form, medical
    advice, cheating) declined plainly with a person offered, whatever intent the NLU gave it; None
    for anything else (buttons, "嗯" and other noise are left to the caller)."""
    refusal = None if text.startswith("/") else svc.answers.rules.refusal(text)
    if refusal is None or refusal[0] == "nonsense":
        return None
    place = current_place(svc.kb.gazetteer, text, tracker.current_slot_values())
    send(dispatcher, await svc.answer(text, place))
    return [SlotSet("misunderstandings", 0), SlotSet("offered_human", True)]


async def answer_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, svc: Services, question: str, intent: str | None
) -> list[EventType]:
    """Ask for the region if the answer depends on it and it was never asked; else answer."""
    place = current_place(svc.kb.gazetteer, question, tracker.current_slot_values())
    events = [*region_events(place), SlotSet("misunderstandings", 0)]
    if needs_region(svc, tracker, question, intent, place):
        send(dispatcher, ask_region())
        return [
            *events,
            SlotSet("region_asked", True),
            SlotSet("pending_question", question),
            SlotSet("pending_intent", intent),
        ]
    answer = await svc.answer(question, place)
    send(dispatcher, answer)
    return [*events, SlotSet("offered_human", answer.offered_human)]


class ActionAnswerPolicy(Action):
    """Answers subsidy and policy questions from the documents, with quotes and sources."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_policy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer the latest question."""
        return await answer_question(
            dispatcher, tracker, services(), latest_text(tracker), latest_intent(tracker)
        )

"""Short turns: yes, no, a piece of information, out-of-scope questions, and not understanding."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog_answers import ActionAnswerService
from actions.context import services
from actions.dispatch import latest_text, send
from actions.handoff import ActionHandoff
from actions.policy import answer_question, decline_refused, needs_region, region_events
from bot.core.answers.compose import Answer, Message
from bot.core.answers.places import UNKNOWN, current_place, place_in_text
from bot.core.answers.profile import DONT_KNOW
from bot.core.answers.replies import ELIGIBILITY, HUMAN, TOPICS
from knowledge.textnorm import normalize

SERVICE_INTENTS = frozenset({"ask_meal_service", "ask_bath_service", "ask_medical_service"})
MAX_MISUNDERSTANDINGS = 2
# A message this long is a question to answer, not babble to ask about again.
QUESTION_CHARS = 12


class ActionAffirm(Action):
    """A yes: to an offer of a person it hands off; otherwise it asks what else."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_affirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Hand off if a person was offered."""
        if tracker.get_slot("offered_human"):
            return await ActionHandoff().run(dispatcher, tracker, domain)
        send(dispatcher, Answer([Message("好的。您还想问什么？", TOPICS)]))
        return [SlotSet("misunderstandings", 0)]


class ActionDeny(Action):
    """A no: nothing is pushed on the user."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_deny"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Acknowledge."""
        send(dispatcher, Answer([Message("好的。还有别的想问的，随时告诉我。")]))
        return [SlotSet("offered_human", False), SlotSet("misunderstandings", 0)]


class ActionHandleInform(Action):
    """A piece of information outside a form: usually the region asked for, so the question waiting
    for it is answered now."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_handle_inform"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer the pending question with the region, or acknowledge the information."""
        svc = services()
        text = latest_text(tracker)
        place = place_in_text(svc.kb.gazetteer, text)
        entity_region = next(tracker.get_latest_entity_values("region"), None)
        if place is None and entity_region:
            place = place_in_text(svc.kb.gazetteer, str(entity_region))
        events: list[EventType] = [SlotSet("misunderstandings", 0)]
        if place is not None and place.region and place.region != "全国":
            events.append(SlotSet("region", place.region))
        elif place is not None and place.uncovered:
            events.append(SlotSet("region", place.uncovered))
        elif DONT_KNOW.search(normalize(text)):
            events.append(SlotSet("region", UNKNOWN))
        pending, intent = tracker.get_slot("pending_question"), tracker.get_slot("pending_intent")
        if pending and len(events) > 1:
            tracker.slots.update({e["name"]: e["value"] for e in events if e.get("event") == "slot"})
            events += [SlotSet("pending_question", None), SlotSet("pending_intent", None)]
            if intent in SERVICE_INTENTS:
                tracker.latest_message = {
                    **tracker.latest_message,
                    "text": pending,
                    "intent": {"name": intent, "confidence": 1.0},
                    "entities": [],
                }
                return events + await ActionAnswerService().run(dispatcher, tracker, domain)
            return events + await answer_question(dispatcher, tracker, svc, pending, intent)
        rules = svc.answers.rules
        if rules.is_question(text):  # a question NLU took for information: answer it
            if rules.asks_what_a_person_gets(text):
                return [*events, FollowupAction("eligibility_form")]
            return events + await answer_question(dispatcher, tracker, svc, text, "ask_policy")
        if len(events) > 1 and place is not None:
            label = place.label.replace(" > ", "") if place.region else place.uncovered
            send(dispatcher, Answer([Message(f"好的，记下了：{label}。您想问什么？", TOPICS)]))
            return events
        # Nothing in the message could be used: that is a misunderstanding.
        return list(await ActionMisunderstood().run(dispatcher, tracker, domain))


class ActionOutOfScope(Action):
    """Questions outside elder-care services and policies: say so plainly, show what it can do."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer a real question through the engine (advice and the like are declined there with
        a person offered); decline anything else politely and offer topics and a person."""
        question = latest_text(tracker)
        svc = services()
        if svc.answers.rules.is_question(question) or len(normalize(question)) >= QUESTION_CHARS:
            place = current_place(svc.kb.gazetteer, question, tracker.current_slot_values())
            if needs_region(svc, tracker, question, "ask_policy", place):  # 「省里方案」: which province?
                return await answer_question(dispatcher, tracker, svc, question, "ask_policy")
            answer = await svc.answer(question, place)
            # The documents answer it (or the engine declines it for a reason of its own): send
            # that; a question they say nothing about is outside what the assistant covers.
            if answer.mode != "none":
                send(dispatcher, answer)
                events = [SlotSet("misunderstandings", 0), SlotSet("offered_human", True)]
                return [*region_events(place), *events]
        text = (
            "抱歉，这个问题我回答不了，我查到的文件里也没有写。"
            "我能回答的是养老服务和补贴政策，比如助餐、助浴、看病、能领哪些补贴；也可以点「找人工」。"
        )
        send(dispatcher, Answer([Message(text, [ELIGIBILITY, HUMAN])]))
        return [SlotSet("misunderstandings", 0)]


class ActionMisunderstood(Action):
    """Not understood: first ask to rephrase (with buttons), the second time in a row offer a person."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_misunderstood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Count the misunderstanding and reply for its stage."""
        text = latest_text(tracker)
        norm = normalize(text)
        if tracker.get_slot("pending_question") and DONT_KNOW.search(norm):
            return list(await ActionHandleInform().run(dispatcher, tracker, domain))  # "不知道" to the region
        svc = services()
        declined = await decline_refused(dispatcher, tracker, svc, text)  # "嗯", "ok": rephrase below
        if declined is not None:
            return declined
        asks = svc.answers.rules.is_question(text)
        if asks:  # NLU was unsure: the documents may still answer it
            if svc.answers.rules.asks_what_a_person_gets(text):
                return [FollowupAction("eligibility_form")]
            place = current_place(svc.kb.gazetteer, text, tracker.current_slot_values())
            if needs_region(svc, tracker, text, "ask_policy", place):  # 「省里方案」: which province?
                return await answer_question(dispatcher, tracker, svc, text, "ask_policy")
            answer = await svc.answer(text, place)
            if answer.grounded or len(norm) >= QUESTION_CHARS:
                # A real question gets the engine's answer (direct, or an honest "the documents do
                # not say" with a person), never "我没太明白".
                send(dispatcher, answer)
                return [
                    *region_events(place),
                    SlotSet("misunderstandings", 0),
                    SlotSet("offered_human", True),
                ]
        count = int(float(tracker.get_slot("misunderstandings") or 0)) + 1
        if count < MAX_MISUNDERSTANDINGS:
            text = "抱歉，我没太明白您的意思。您可以换个说法，或者点下面的按钮。"
            if asks:  # a short question nothing answers ("我们这情况咋整"): say so, a person is a tap away
                text = (
                    "抱歉，我没太明白您问的是什么，我查到的文件里也没有找到能回答的内容。"
                    "您可以说说是什么事，或者点「找人工」。"
                )
            send(dispatcher, Answer([Message(text, TOPICS)]))
            return [SlotSet("misunderstandings", count)]
        text = "抱歉，我还是没弄明白。要不要帮您转给工作人员？"
        send(dispatcher, Answer([Message(text, [HUMAN, {"title": "继续问我", "payload": "/deny"}])]))
        return [SlotSet("misunderstandings", count), SlotSet("offered_human", True)]


class ActionDefaultFallback(ActionMisunderstood):
    """Rasa's default fallback (no rule applies) behaves like a misunderstanding."""

    def name(self) -> str:
        """Overrides Rasa's built-in action_default_fallback."""
        return "action_default_fallback"

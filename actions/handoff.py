"""Handing a conversation to a person: a ticket in the shared store and a plain word to the user."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import Services, services
from actions.dispatch import channel_of, latest_intent, latest_text, send
from bot.core.answers.places import current_place
from bot.core.answers.replies import meta_message
from bot.core.letters import shipped_letters
from bot.core.store.db import transaction
from bot.core.store.models import HandoffReason, Priority
from bot.core.store.repository import open_handoff, queue_position

REASONS = {
    "complaint": (HandoffReason.COMPLAINT, Priority.HIGH),
    "nlu_fallback": (HandoffReason.MISUNDERSTANDING, Priority.NORMAL),
}


def raise_ticket(
    svc: Services, sender_id: str, channel: str, reason: HandoffReason, priority: Priority, text: str
) -> tuple[int, int]:
    """Open (or raise) the sender's handoff ticket; its id and how many are waiting ahead of it."""
    with transaction(svc.sessions) as session:
        ticket = open_handoff(session, sender_id, channel, reason, priority, text[:2000] or None)
        return ticket.id, queue_position(session, ticket)


def waiting_text(ahead: int, complaint: bool) -> str:
    """What the user is told while waiting for a person."""
    sorry = "很抱歉给您添麻烦了，您反映的问题我已经记下。" if complaint else "好的。"
    queue = f"您前面还有 {ahead} 位，" if ahead else ""
    return f"{sorry}正在为您转接工作人员，{queue}请稍等。您可以先把情况写下来，工作人员会看到。"


class ActionHandoff(Action):
    """Requests for a person and complaints: a waiting ticket and the queue position."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Open the ticket and tell the user."""
        intent = latest_intent(tracker) or ""
        text = latest_text(tracker)
        svc = services()
        rules = svc.answers.rules
        asks = rules.is_question(text) and (
            (intent == "complaint" and not shipped_letters().complains(text))
            or (intent == "request_human" and not rules.asks_for_a_person(text))
        )
        if asks:
            # The classifier's "complaint" for a question without a word of complaint in it,
            # or its "request_human" for one that asks no person ("该打哪个电话？"): the answer when
            # a clause answers it, with a person offered (for a "complaint", only when the engine is
            # very sure: a grievance answered with a clause is worse than one handed to a person);
            # else a person.
            place = current_place(svc.kb.gazetteer, text, tracker.current_slot_values())
            answer = await svc.answer(text, place)
            sure = intent != "complaint" or answer.confidence >= svc.settings.complaint_answer_confidence
            if answer.mode == "direct" and sure:
                send(dispatcher, answer)
                return [SlotSet("misunderstandings", 0), SlotSet("offered_human", True)]
        reason, priority = REASONS.get(intent, (HandoffReason.REQUEST_HUMAN, Priority.NORMAL))
        if tracker.get_slot("misunderstandings") and float(tracker.get_slot("misunderstandings")) >= 2:
            reason = HandoffReason.MISUNDERSTANDING if intent != "complaint" else reason
        ticket_id, ahead = await asyncio.to_thread(
            raise_ticket,
            svc,
            tracker.sender_id,
            channel_of(tracker),
            reason,
            priority,
            latest_text(tracker),
        )
        dispatcher.utter_message(text=waiting_text(ahead, reason is HandoffReason.COMPLAINT))
        dispatcher.utter_message(
            json_message=meta_message(handoff={"ticket_id": ticket_id, "status": "waiting"})
        )
        events: list[EventType] = [SlotSet("misunderstandings", 0), SlotSet("offered_human", False)]
        if tracker.active_loop.get("name"):
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return events

"""Emergencies: the instruction to call for help comes first, then an urgent ticket for operators."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import services
from actions.dispatch import channel_of, latest_text
from actions.handoff import raise_ticket
from actions.policy import answer_question
from bot.core.answers.replies import meta_message
from bot.core.safety import shipped
from bot.core.store.models import HandoffReason, Priority

logger = logging.getLogger(__name__)


def first_instruction(text: str) -> str:
    """The first thing to say for this message (the shared emergency rules)."""
    return shipped().first_instruction(text)


class ActionEmergency(Action):
    """Tells the user whom to call and what to do now, then raises an urgent handoff."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_emergency"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Instruction first (before any I/O), then the ticket."""
        text = latest_text(tracker)
        rules = shipped()
        if rules.kind_of(text) is None and rules.not_happening_now(text):
            # A lasting condition, the past or a benefit (中风后…有没有培训, 摔了…保险怎么理赔):
            # a question to answer, not danger now.
            svc = services()
            return await answer_question(dispatcher, tracker, svc, text, "ask_policy")
        if rules.kind_of(text) is None and rules.looks_like_noise(text):
            # The classifier's guess on key-mashing: an honest "I found nothing", not an alarm.
            return await answer_question(dispatcher, tracker, services(), text, None)
        dispatcher.utter_message(text=first_instruction(text))
        handoff: dict[str, Any] | None = None
        try:
            ticket_id, _ = await asyncio.to_thread(
                raise_ticket,
                services(),
                tracker.sender_id,
                channel_of(tracker),
                HandoffReason.EMERGENCY,
                Priority.URGENT,
                text,
            )
            handoff = {"ticket_id": ticket_id, "status": "waiting"}
            dispatcher.utter_message(text="我已经通知值班工作人员，他们会尽快联系您。")
        except Exception:  # the instruction must reach the user even if the store fails
            logger.exception("could not raise an emergency ticket for %s", tracker.sender_id)
            dispatcher.utter_message(
                text="请先打电话求助。我这边记录出了点问题，打完电话后您可以再发消息给我。"
            )
        dispatcher.utter_message(json_message=meta_message(emergency=True, handoff=handoff))
        events: list[EventType] = [SlotSet("misunderstandings", 0), SlotSet("offered_human", False)]
        if tracker.active_loop.get("name"):
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return events

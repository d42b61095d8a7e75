"""Emergencies: the instruction to call for help comes first, then an urgent ticket for operators."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import services
from actions.dispatch import channel_of, latest_text
from actions.handoff import raise_ticket
from bot.core.answers.replies import meta_message
from bot.core.store.models import HandoffReason, Priority
from knowledge.textnorm import normalize

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Emergency:
    """One kind of emergency: how to recognise it and what to say first."""

    pattern: re.Pattern[str]
    first: str


# Checked in order; the last one is the general case. Numbers are China's public emergency numbers.
KINDS = (
    Emergency(
        re.compile(r"走丢|走失|找不(到|着)|不见了|没回家|联系不上"),
        "请马上拨打 110 报警，说清老人的样子、穿的衣服和最后看到的地方。同时请家人分头到老人常去的地方找。",
    ),
    Emergency(
        re.compile(r"着火|起火|火灾|冒烟"),
        "请马上离开屋子，到安全的地方拨打 119 火警电话。不要回去拿东西。",
    ),
    Emergency(
        re.compile(r"煤气|燃气|天然气"),
        "请马上打开门窗，不要开关电器、不要点火，离开屋子后拨打 119 或燃气公司电话。"
        "有人头晕、昏迷请拨打 120。",
    ),
    Emergency(
        re.compile(r"不想活|想死|自杀|轻生|寻死|活着没意思|农药|安眠药"),
        "请马上拨打 120 急救电话（有危险也可以拨打 110）。请不要让老人一个人待着，把药和危险的东西拿开。",
    ),
    Emergency(
        re.compile(r"摔|跌倒|跌了"),
        "请马上拨打 120 急救电话。老人摔倒后先不要急着扶起来，看看能不能说话、哪里疼。",
    ),
    Emergency(
        re.compile(r"胸|心口|心脏|心梗|喘不|呼吸"),
        "请马上拨打 120 急救电话。让老人坐下或半躺着，不要走动，解开领口。",
    ),
    Emergency(
        re.compile(r"中风|嘴歪|半边|说不出话"),
        "请马上拨打 120 急救电话。让老人平躺，头偏向一侧，不要喂水喂药，记下发病的时间。",
    ),
    Emergency(re.compile(r".*"), "请马上拨打 120 急救电话。拨通后说清地址和老人现在的情况。"),
)


def first_instruction(text: str) -> str:
    """The first thing to say for this message."""
    norm = normalize(text)
    return next(kind.first for kind in KINDS if kind.pattern.search(norm))


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

"""Home-visit booking requests: recorded in the shared store for a worker to confirm."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import Services, services
from actions.dispatch import channel_of
from actions.replies import HUMAN, meta_message
from bot.store.db import transaction
from bot.store.models import BookingStatus
from bot.store.repository import bookings_for, record_booking
from knowledge.catalog import ServiceType

STATUS_TEXT = {
    BookingStatus.REQUESTED: "等工作人员确认",
    BookingStatus.CONFIRMED: "已确认",
    BookingStatus.CANCELLED: "已取消",
}


def service_name(svc: Services, value: str | None) -> str | None:
    """The Chinese name of a service type value (bath → 助浴)."""
    if not value:
        return None
    for service in svc.kb.catalog.services:
        if value in (service.type.value, service.name):
            return service.name
    return value if value not in {t.value for t in ServiceType} else None


def _record(svc: Services, sender_id: str, channel: str, slots: dict[str, Any]) -> tuple[int, int]:
    with transaction(svc.sessions) as session:
        booking = record_booking(
            session,
            sender_id=sender_id,
            channel=channel,
            service_type=service_name(svc, slots.get("service_type")),
            date_text=slots.get("date"),
            time_text=slots.get("time"),
            phone=slots.get("phone"),
        )
        return booking.id, len(bookings_for(session, sender_id))


class ActionBookHomeVisit(Action):
    """Records a home-visit request with what the user said (service, day, time, phone)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_book_home_visit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Record the request and say what happens next."""
        svc = services()
        slots = tracker.current_slot_values()
        booking_id, _ = await asyncio.to_thread(_record, svc, tracker.sender_id, channel_of(tracker), slots)
        parts = [
            p
            for p in (service_name(svc, slots.get("service_type")), slots.get("date"), slots.get("time"))
            if p
        ]
        what = "，".join(parts) if parts else "上门服务"
        dispatcher.utter_message(text=f"好的，已记下您的上门服务预约请求：{what}。编号 {booking_id}。")
        if slots.get("phone"):
            dispatcher.utter_message(text="工作人员会打电话和您确认具体时间和地址。")
        else:
            dispatcher.utter_message(
                text="工作人员会和您确认具体时间和地址。方便的话，请发一个联系电话给我。", buttons=[HUMAN]
            )
        dispatcher.utter_message(json_message=meta_message())
        return [SlotSet("misunderstandings", 0)]


class ActionManageBooking(Action):
    """Lists the user's booking requests and their status."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_manage_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Say what is booked."""
        svc = services()

        def load() -> list[str]:
            with transaction(svc.sessions) as session:
                return [
                    f"编号 {b.id}：{b.service_type or '上门服务'} {b.date_text or ''}{b.time_text or ''}，"
                    f"{STATUS_TEXT.get(b.status, b.status.value)}"
                    for b in bookings_for(session, tracker.sender_id)
                ]

        lines = await asyncio.to_thread(load)
        if lines:
            dispatcher.utter_message(text="您的预约：\n" + "\n".join(lines[-5:]))
            dispatcher.utter_message(text="要改时间或取消，请点「找人工」，工作人员帮您办。", buttons=[HUMAN])
        else:
            dispatcher.utter_message(
                text="您现在还没有预约。需要上门服务的话，告诉我做什么、哪天来就行。",
                buttons=[{"title": "预约上门服务", "payload": "/book_home_visit"}, HUMAN],
            )
        dispatcher.utter_message(json_message=meta_message())
        return [SlotSet("misunderstandings", 0)]

"""My bookings: list them, cancel one, or move one to another half-day (only the owner can)."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.booking_form import (
    AskVisitDay,
    AskVisitHalfDay,
    ValidateBookingForm,
    in_store,
    offer_other_times,
    store_apology,
    when_label,
)
from actions.context import Services, services
from actions.dispatch import channel_of, latest_text
from actions.policy import decline_refused
from bot.core.answers.replies import BOOK, HUMAN, meta_message
from bot.core.booking import ledger
from bot.core.booking.contact import find_phone
from bot.core.booking.errors import BookingError, DayNotBookable, SlotFull
from bot.core.booking.words import CANCEL, CHANGE_TIME, find_reference
from bot.core.store.errors import StoreError
from bot.core.store.models import LIVE_BOOKING_STATUSES, Booking, BookingStatus, HalfDay

logger = logging.getLogger(__name__)

RESCHEDULE_FORM = "reschedule_form"
CONFIRM_CANCEL = "确定取消预约"
CANCEL_ACTION, CONFIRM_CANCEL_ACTION, RESCHEDULE_ACTION = "cancel", "confirm_cancel", "reschedule"
MAX_LISTED = 5


def act(booking: Booking, action: str) -> str:
    """A button payload that asks action_manage_booking to act on one booking."""
    entities = json.dumps({"booking_reference": booking.reference, "booking_action": action})
    return f"/manage_booking{entities}"


def line(booking: Booking, today: date) -> str:
    """One booking as a line of the list."""
    when = when_label(booking.slot.day, booking.slot.half_day, today)
    return f"编号 {booking.reference}：{booking.service.label}，{when}，{booking.status.label}"


def _owned(
    session: Session, tracker: Tracker, reference: str | None, phone: str | None, today: date
) -> tuple[Booking | None, list[Booking]]:
    """The booking the user means (by reference, or their only live one) and their upcoming bookings."""
    mine = ledger.bookings_of(session, channel_of(tracker), tracker.sender_id, today=today)
    if reference:
        booking = ledger.owned_booking(
            session, reference, channel=channel_of(tracker), sender_id=tracker.sender_id, phone=phone
        )
        return booking, mine
    live = [b for b in mine if b.status in LIVE_BOOKING_STATUSES]
    return (live[0] if len(live) == 1 else None), mine


class ActionManageBooking(Action):
    """我的预约: lists the user's bookings; 取消 / 改时间 with a reference (or their only one) acts on it."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_manage_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """List, cancel or start moving a booking."""
        svc = services()
        text = latest_text(tracker)
        declined = await decline_refused(dispatcher, tracker, svc, text)  # 「把申请表打印出来寄给我」
        if declined is not None:
            return declined
        # Buttons send /manage_booking{"booking_reference": …, "booking_action": …}; typed text is read too.
        reference = next(tracker.get_latest_entity_values("booking_reference"), None) or find_reference(text)
        wanted = next(tracker.get_latest_entity_values("booking_action"), None)
        cancel = wanted in (CANCEL_ACTION, CONFIRM_CANCEL_ACTION) or bool(CANCEL.search(text))
        confirmed = wanted == CONFIRM_CANCEL_ACTION or CONFIRM_CANCEL in text
        move = wanted == RESCHEDULE_ACTION or bool(CHANGE_TIME.search(text))
        phone = find_phone(text)
        today = svc.today()
        try:
            booking, mine = await in_store(svc, lambda s: _owned(s, tracker, reference, phone, today))
            if booking is not None and cancel:
                return await self._cancel(dispatcher, tracker, svc, booking, confirmed=confirmed)
            if booking is not None and move:
                return self._start_reschedule(dispatcher, booking)
        except BookingError as exc:
            dispatcher.utter_message(text=exc.zh + "说「我的预约」可以看到您的预约编号。", buttons=[HUMAN])
            dispatcher.utter_message(json_message=meta_message())
            return []
        except StoreError:
            dispatcher.utter_message(text=store_apology(svc), buttons=[HUMAN])
            dispatcher.utter_message(json_message=meta_message())
            return []
        self._list(
            dispatcher, mine, today, asked_to_change=bool(CANCEL.search(text) or CHANGE_TIME.search(text))
        )
        dispatcher.utter_message(json_message=meta_message())
        return [SlotSet("misunderstandings", 0)]

    def _list(
        self, dispatcher: CollectingDispatcher, mine: list[Booking], today: date, *, asked_to_change: bool
    ) -> None:
        if not mine:
            dispatcher.utter_message(
                text="您现在没有要上门的预约。需要上门服务的话，跟我说做什么、哪天来就行。",
                buttons=[BOOK, HUMAN],
            )
            return
        shown = mine[:MAX_LISTED]
        head = "您要改哪一个？" if asked_to_change else "您的预约："
        buttons: list[dict[str, str]] = []
        for booking in shown:
            if booking.status in LIVE_BOOKING_STATUSES and len(buttons) < 6:
                day = f"{booking.slot.day.month}月{booking.slot.day.day}日"
                buttons.append({"title": f"改时间（{day}）", "payload": act(booking, RESCHEDULE_ACTION)})
                buttons.append({"title": f"取消（{day}）", "payload": act(booking, CANCEL_ACTION)})
        dispatcher.utter_message(
            text=head + "\n" + "\n".join(line(b, today) for b in shown), buttons=buttons or None
        )

    async def _cancel(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        svc: Services,
        booking: Booking,
        *,
        confirmed: bool,
    ) -> list[EventType]:
        today = svc.today()
        if booking.status not in LIVE_BOOKING_STATUSES:
            dispatcher.utter_message(text=f"这个预约{booking.status.label}，不用再取消了。")
            dispatcher.utter_message(json_message=meta_message())
            return []
        if not confirmed:
            when = when_label(booking.slot.day, booking.slot.half_day, today)
            dispatcher.utter_message(
                text=f"确定要取消{when}的{booking.service.label}吗？",
                buttons=[
                    {"title": "确定取消", "payload": act(booking, CONFIRM_CANCEL_ACTION)},
                    {"title": "不取消", "payload": "/deny"},
                ],
            )
            dispatcher.utter_message(json_message=meta_message())
            return []
        actor = ledger.user_actor(channel_of(tracker), tracker.sender_id)

        def cancel(session: Session) -> None:
            stored = ledger.by_reference(session, booking.reference or "")
            if stored is None:
                raise BookingError("没有找到这个预约。", "booking vanished")
            ledger.change_status(session, stored, BookingStatus.CANCELLED, actor)

        await in_store(svc, cancel)
        dispatcher.utter_message(
            text=f"已经取消了预约 {booking.reference}。需要的时候可以再约。", buttons=[BOOK]
        )
        dispatcher.utter_message(json_message=meta_message())
        return [SlotSet("misunderstandings", 0)]

    def _start_reschedule(self, dispatcher: CollectingDispatcher, booking: Booking) -> list[EventType]:
        if booking.status not in LIVE_BOOKING_STATUSES:
            dispatcher.utter_message(text=f"这个预约{booking.status.label}，不能改时间了。", buttons=[BOOK])
            dispatcher.utter_message(json_message=meta_message())
            return []
        return [
            SlotSet("booking_reference", booking.reference),
            SlotSet("visit_service", booking.service.value),
            SlotSet("visit_region", booking.region),
            SlotSet("visit_day", None),
            SlotSet("visit_half_day", None),
            FollowupAction(RESCHEDULE_FORM),
        ]


class ValidateRescheduleForm(ValidateBookingForm):
    """Reads and checks the new day and half-day of a booking being moved."""

    def name(self) -> str:
        """The validation action of reschedule_form."""
        return "validate_reschedule_form"

    async def extract_booking_reference(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A booking reference in the message."""
        reference = find_reference(latest_text(tracker))
        return {"booking_reference": reference} if reference else {}


class AskRescheduleDay(AskVisitDay):
    """Asks the new day of a booking being moved."""

    def name(self) -> str:
        """The form's question for visit_day."""
        return "action_ask_reschedule_form_visit_day"


class AskRescheduleHalfDay(AskVisitHalfDay):
    """Asks the new half-day of a booking being moved."""

    def name(self) -> str:
        """The form's question for visit_half_day."""
        return "action_ask_reschedule_form_visit_half_day"


class ActionRescheduleBooking(Action):
    """Moves the booking once reschedule_form has the new day and half-day."""

    def name(self) -> str:
        """Runs when reschedule_form is complete."""
        return "action_reschedule_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Move it, or offer other half-days."""
        svc = services()
        reference = str(tracker.get_slot("booking_reference") or "")
        reset: list[EventType] = [
            SlotSet(s, None) for s in ("booking_reference", "visit_day", "visit_half_day", "visit_service")
        ]
        try:
            day = date.fromisoformat(str(tracker.get_slot("visit_day")))
            half = HalfDay(tracker.get_slot("visit_half_day"))
        except ValueError:
            dispatcher.utter_message(text="好的，预约时间不变。")
            dispatcher.utter_message(json_message=meta_message())
            return [*reset, SlotSet("booking_confirmed", None)]
        actor = ledger.user_actor(channel_of(tracker), tracker.sender_id)
        today = svc.today()

        def move(session: Session) -> Booking:
            booking = ledger.owned_booking(
                session, reference, channel=channel_of(tracker), sender_id=tracker.sender_id
            )
            return ledger.reschedule(session, booking, day, half, today, svc.rules, actor)

        try:
            today = await asyncio.to_thread(svc.ensure_slots)
            booking = await in_store(svc, move)
        except (SlotFull, DayNotBookable) as exc:
            return offer_other_times(dispatcher, exc, today, RESCHEDULE_FORM)
        except BookingError as exc:
            dispatcher.utter_message(text=exc.zh, buttons=[HUMAN])
            dispatcher.utter_message(json_message=meta_message())
            return reset
        except StoreError:
            dispatcher.utter_message(text=store_apology(svc), buttons=[HUMAN])
            dispatcher.utter_message(json_message=meta_message())
            return [
                SlotSet("visit_day", None),
                SlotSet("visit_half_day", None),
                FollowupAction(RESCHEDULE_FORM),
            ]
        when = when_label(booking.slot.day, booking.slot.half_day, today)
        dispatcher.utter_message(
            text=f"好的，预约 {booking.reference} 已改到{when}。工作人员会再打电话和您确认。"
        )
        dispatcher.utter_message(json_message=meta_message())
        return [*reset, SlotSet("misunderstandings", 0)]

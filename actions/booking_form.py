"""The home-visit booking form: service, place, address, day and half-day, name, phone, then a summary.

Each slot is read from whatever the user types (custom slot mappings, `extract_*`) and checked against
the schedule in the store (`validate_*`); a wrong answer gets its reason and the form asks again. The
booking is written in one transaction only after the user confirms the summary.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import Session

from actions.context import Services, services
from actions.dispatch import channel_of, latest_intent, latest_text
from bot.core.answers.replies import HUMAN, meta_message
from bot.core.booking import ledger
from bot.core.booking.contact import (
    ContactError,
    find_phone,
    normalize_address,
    normalize_name,
    normalize_phone,
)
from bot.core.booking.dates import format_day, parse_when
from bot.core.booking.errors import AreaTooBroad, BookingError, DayNotBookable, NotServed, Opening, SlotFull
from bot.core.booking.words import (
    CANCEL,
    CHANGE_ADDRESS,
    CHANGE_NAME,
    CHANGE_PHONE,
    CHANGE_TIME,
    STOP,
    find_address,
    looks_like_address,
    read_service,
    says_yes,
    strip_name,
)
from bot.core.store.db import transaction
from bot.core.store.errors import StoreError
from bot.core.store.models import Booking, HalfDay, VisitService

logger = logging.getLogger(__name__)

FORM = "booking_form"
FORM_SLOTS = (
    "visit_service",
    "visit_region",
    "visit_address",
    "visit_day",
    "visit_half_day",
    "contact_name",
    "contact_phone",
    "booking_confirmed",
)
# Kept after a booking so that the next one only asks what changes.
REMEMBERED = ("visit_region", "visit_address", "contact_name", "contact_phone")
# Messages that leave the form to another rule instead of answering its question.
INTERRUPTIONS = frozenset({"emergency", "request_human", "complaint"})
MAX_OPENINGS = 4

T = TypeVar("T")


async def in_store(svc: Services, work: Callable[[Session], T]) -> T:
    """Run store work in one transaction, off the event loop."""

    def run() -> T:
        with transaction(svc.sessions) as session:
            return work(session)

    return await asyncio.to_thread(run)


def store_apology(svc: Services) -> str:
    """What the user reads when the database cannot be reached."""
    return (
        f"抱歉，预约系统暂时连不上，您说的内容我都记着。请稍后再发一次，"
        f"或者打 {svc.booking.hotline} 热线、点「找人工」请工作人员帮您约。"
    )


def offer_other_times(
    dispatcher: CollectingDispatcher,
    exc: SlotFull | DayNotBookable,
    today: date,
    form: str,
    also_clear: tuple[str, ...] = (),
) -> list[EventType]:
    """Say why the time cannot be had, offer the nearest free ones, and let the form ask for a time again."""
    dispatcher.utter_message(text=exc.zh + "请重新选个时间：", buttons=opening_buttons(exc.openings, today))
    dispatcher.utter_message(json_message=meta_message())
    cleared = [SlotSet(slot, None) for slot in ("visit_day", "visit_half_day", *also_clear)]
    return [*cleared, FollowupAction(form)]


def when_label(day: date, half: HalfDay, today: date) -> str:
    """12月1日（周二）上午, with 明天/后天 when it applies."""
    return f"{format_day(day, today)}{half.label}"


def opening_buttons(openings: list[Opening], today: date) -> list[dict[str, str]]:
    """One button per free half-day; the payload is plain text the date parser reads back."""
    return [
        {
            "title": when_label(o.day, o.half_day, today),
            "payload": f"{o.day.month}月{o.day.day}日{o.half_day.label}",
        }
        for o in openings[:MAX_OPENINGS]
    ]


def without_address(text: str) -> str:
    """The message with any street address blanked, so that 东风路8号 is not read as the 8th."""
    address = find_address(text)
    return text.replace(address, " ") if address else text


def _interrupted(tracker: Tracker) -> bool:
    return bool(latest_intent(tracker) in INTERRUPTIONS)


def _requested(tracker: Tracker, slot: str) -> bool:
    return bool(tracker.get_slot("requested_slot") == slot)


def _service(tracker: Tracker) -> VisitService | None:
    value = tracker.get_slot("visit_service")
    return VisitService(value) if value in {s.value for s in VisitService} else None


class ValidateBookingForm(FormValidationAction):
    """Reads and checks each answer of the booking form."""

    def name(self) -> str:
        """The validation action of booking_form."""
        return "validate_booking_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """End the form when the user says 不约了; otherwise read and check the answers."""
        text = latest_text(tracker)
        if tracker.get_slot("requested_slot") and STOP.search(text) and not _interrupted(tracker):
            # Ends the form; the action after it sees booking_confirmed false and says so.
            return [SlotSet("booking_confirmed", False), SlotSet("requested_slot", None)]
        return list(await super().run(dispatcher, tracker, domain))

    # --- service -----------------------------------------------------------------------------
    async def extract_visit_service(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A bookable service named in the message; the raw answer when the service was asked."""
        if _interrupted(tracker):
            return {}
        if tracker.get_slot("visit_service") is not None and not _requested(tracker, "visit_service"):
            return {}  # named already: a later 看看 or 卫生 in an answer does not change it
        entity = next(tracker.get_latest_entity_values("service_type"), None)
        service = read_service(latest_text(tracker), entity)
        if service is not None:
            return {"visit_service": service.value}
        return {"visit_service": latest_text(tracker)} if _requested(tracker, "visit_service") else {}

    async def validate_visit_service(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Accept the six bookable services; say which they are otherwise."""
        if value is None:  # cleared so that the form asks again
            return {"visit_service": None}
        if value in {s.value for s in VisitService}:
            return {"visit_service": value}
        labels = "、".join(s.label for s in VisitService)
        dispatcher.utter_message(text=f"这个我们暂时约不了。可以预约上门的有：{labels}。")
        return {"visit_service": None}

    # --- place -------------------------------------------------------------------------------
    async def extract_visit_region(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A place named in the message (or one the user named earlier in the conversation)."""
        if _interrupted(tracker):
            return {}
        gazetteer = services().kb.gazetteer
        found = gazetteer.find_in_text(latest_text(tracker))
        if found:
            return {"visit_region": found[-1]}
        if tracker.get_slot("visit_region") is None and tracker.get_slot("region") not in (None, "unknown"):
            return {"visit_region": tracker.get_slot("region")}
        return {"visit_region": latest_text(tracker)} if _requested(tracker, "visit_region") else {}

    async def validate_visit_region(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """Keep a place with home-visit service; name the nearest served areas otherwise."""
        if value is None:  # cleared so that the form asks again
            return {"visit_region": None}
        svc = services()
        try:
            area = await in_store(svc, lambda s: ledger.served_area(s, svc.kb.gazetteer, str(value)))
        except AreaTooBroad as exc:
            buttons = [{"title": a, "payload": a} for a in exc.options]
            dispatcher.utter_message(text=exc.zh, buttons=buttons)
            return {"visit_region": None}
        except NotServed as exc:
            buttons = [{"title": a, "payload": a} for a in exc.nearby[:6]] + [HUMAN]
            dispatcher.utter_message(
                text=exc.zh + f"如果要问别的地方，可以打 {svc.booking.hotline} 热线。", buttons=buttons
            )
            return {"visit_region": None}
        except StoreError:
            dispatcher.utter_message(text=store_apology(svc), buttons=[HUMAN])
            return {"visit_region": None}
        return {"visit_region": area.region, "region": tracker.get_slot("region") or area.region}

    # --- address -----------------------------------------------------------------------------
    async def extract_visit_address(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """The address when asked for; before that, an address inside the message (东风路8号)."""
        text = latest_text(tracker)
        if _interrupted(tracker):
            return {}
        if _requested(tracker, "visit_address"):
            return {"visit_address": find_address(text) or text}
        early = tracker.get_slot("requested_slot") in (None, "visit_service", "visit_region")
        found = find_address(text) if early and tracker.get_slot("visit_address") is None else None
        return {"visit_address": found} if found else {}

    async def validate_visit_address(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """An address of 4 to 200 characters that reads like one."""
        if value is None:  # cleared so that the form asks again
            return {"visit_address": None}
        try:
            address = normalize_address(str(value))
        except ContactError as exc:
            dispatcher.utter_message(text=exc.zh)
            return {"visit_address": None}
        if not looks_like_address(address):
            dispatcher.utter_message(text="请告诉我上门的详细地址，比如：东风路12号3单元502。")
            return {"visit_address": None}
        return {"visit_address": address}

    # --- day and half-day --------------------------------------------------------------------
    async def extract_visit_day(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """The day (and half-day) a message names."""
        if _interrupted(tracker):
            return {}
        asked = tracker.get_slot("requested_slot") in (None, "visit_day", "visit_half_day")
        if not asked and not _requested(tracker, "booking_confirmed"):
            return {}
        when = parse_when(without_address(latest_text(tracker)), services().today())
        if when is None:
            return {"visit_day": latest_text(tracker)} if _requested(tracker, "visit_day") else {}
        slots: dict[str, Any] = {}
        if when.day is not None:
            slots["visit_day"] = when.day.isoformat()
        if when.half_day is not None:
            slots["visit_half_day"] = when.half_day.value
        if not slots and _requested(tracker, "visit_day"):
            slots["visit_day"] = latest_text(tracker)
        return slots

    async def extract_visit_half_day(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """上午 or 下午 (read together with the day by extract_visit_day)."""
        if _requested(tracker, "visit_half_day") and not _interrupted(tracker):
            when = parse_when(without_address(latest_text(tracker)), services().today())
            if when is None or when.half_day is None:
                return {"visit_half_day": latest_text(tracker)}
        return {}

    async def validate_visit_day(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A day inside the booking window with a free visit for the service in the area."""
        if value is None:  # cleared so that the form asks again
            return {"visit_day": None}
        svc = services()
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            dispatcher.utter_message(text="没听明白是哪一天。您可以说「明天」「下周三」或者「12月1号」。")
            return {"visit_day": None}
        half_value = tracker.get_slot("visit_half_day")
        half = HalfDay(half_value) if half_value in {h.value for h in HalfDay} else None
        return await self._check_when(dispatcher, tracker, svc, day, half)

    async def validate_visit_half_day(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """上午 or 下午, and that half-day must still have a free visit."""
        if value is None:  # cleared so that the form asks again
            return {"visit_half_day": None}
        if value not in {h.value for h in HalfDay}:
            dispatcher.utter_message(text="请选上午还是下午。")
            return {"visit_half_day": None}
        if "visit_day" in tracker.slots_to_validate():  # checked together by validate_visit_day
            return {"visit_half_day": value if tracker.get_slot("visit_day") else None}
        day_value = tracker.get_slot("visit_day")
        try:
            day = date.fromisoformat(str(day_value))
        except ValueError:
            return {"visit_half_day": value}
        return await self._check_when(dispatcher, tracker, services(), day, HalfDay(value))

    async def _check_when(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        svc: Services,
        day: date,
        half: HalfDay | None,
    ) -> dict[str, Any]:
        """Check a day (and half-day) against the window and the free visits; offer the nearest ones."""
        service, region = _service(tracker), tracker.get_slot("visit_region")
        cleared: dict[str, Any] = {"visit_day": None, "visit_half_day": None}
        try:
            today = await asyncio.to_thread(svc.ensure_slots)
            await in_store(svc, lambda s: check_when(s, svc, service, region, day, half, today))
        except SlotFull as exc:
            label = f"{format_day(day, today)}{half.label if half else ''}"
            dispatcher.utter_message(
                text=f"{label}已经约满了。下面这些时间还能约：", buttons=opening_buttons(exc.openings, today)
            )
            return cleared
        except DayNotBookable as exc:
            buttons = opening_buttons(exc.openings, today)
            dispatcher.utter_message(
                text=exc.zh + ("下面这些时间能约：" if buttons else ""), buttons=buttons or None
            )
            return cleared
        except BookingError as exc:
            dispatcher.utter_message(text=exc.zh, buttons=[HUMAN])
            return cleared
        except StoreError:
            dispatcher.utter_message(text=store_apology(svc), buttons=[HUMAN])
            return cleared
        return {"visit_day": day.isoformat(), "visit_half_day": half.value if half else None}

    # --- contact -----------------------------------------------------------------------------
    async def extract_contact_name(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """The contact's name, when asked for."""
        if _requested(tracker, "contact_name") and not _interrupted(tracker):
            return {"contact_name": strip_name(latest_text(tracker))}
        return {}

    async def validate_contact_name(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A name of Chinese characters or letters."""
        if value is None:  # cleared so that the form asks again
            return {"contact_name": None}
        try:
            return {"contact_name": normalize_name(str(value))}
        except ContactError as exc:
            dispatcher.utter_message(text=exc.zh)
            return {"contact_name": None}

    async def extract_contact_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A phone number anywhere in a message; the raw answer when the phone was asked."""
        if _interrupted(tracker):
            return {}
        text = latest_text(tracker)
        found = find_phone(text)
        if found and (tracker.get_slot("contact_phone") is None or _requested(tracker, "contact_phone")):
            return {"contact_phone": found}
        return {"contact_phone": text} if _requested(tracker, "contact_phone") else {}

    async def validate_contact_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A mainland mobile number, or a landline with its area code."""
        if value is None:  # cleared so that the form asks again
            return {"contact_phone": None}
        try:
            return {"contact_phone": normalize_phone(str(value))}
        except ContactError as exc:
            dispatcher.utter_message(text=exc.zh)
            return {"contact_phone": None}

    # --- summary -----------------------------------------------------------------------------
    async def extract_booking_confirmed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """确认 → true; 不约了 → false; 改时间/改地址/改电话/改名字 → ask that again."""
        if not _requested(tracker, "booking_confirmed") or _interrupted(tracker):
            return {}
        text = latest_text(tracker)
        if parse_when(text, services().today()) is not None:
            return {}  # a new day: extract_visit_day reads it and the summary is shown again
        if CHANGE_TIME.search(text):
            return {"visit_day": None, "visit_half_day": None}
        if CHANGE_ADDRESS.search(text):
            return {"visit_address": None}
        if CHANGE_PHONE.search(text):
            return {"contact_phone": None}
        if CHANGE_NAME.search(text):
            return {"contact_name": None}
        intent = latest_intent(tracker)
        if CANCEL.search(text):
            return {"booking_confirmed": False}
        if says_yes(text) or intent == "affirm":
            return {"booking_confirmed": True}
        if intent == "deny":
            return {"booking_confirmed": False}
        return {}

    async def validate_booking_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """True or false."""
        return {"booking_confirmed": bool(value)}


def check_when(
    session: Session,
    svc: Services,
    service: VisitService | None,
    region: str | None,
    day: date,
    half: HalfDay | None,
    today: date,
) -> None:
    """Raise DayNotBookable or SlotFull (with the nearest openings) unless the day can still be booked."""
    if service is None or region is None:  # not known yet: only the booking window can be checked
        if not svc.rules.first_day(today) <= day <= svc.rules.last_day(today):
            zh, en = ledger.window_reason(day, today, svc.rules)
            raise DayNotBookable(zh, en, [])
        return
    area = ledger.served_area(session, svc.kb.gazetteer, region)
    ledger.check_day(session, area, service, day, today, svc.rules)
    free = ledger.openings(session, area, service, today, svc.rules, near=day, limit=12)
    if any(o.day == day and (half is None or o.half_day is half) for o in free):
        return
    halves = [half] if half else list(HalfDay)
    scheduled = [ledger.find_slot(session, area, service, day, h) for h in halves]
    if not any(slot is not None and slot.capacity > 0 for slot in scheduled):
        when = f"{day.month}月{day.day}日{half.label if half else ''}"
        raise DayNotBookable(f"{when}没有安排上门服务。", "no visits are scheduled then", free[:MAX_OPENINGS])
    raise SlotFull(free[:MAX_OPENINGS])


# --- the form's questions that depend on the store -------------------------------------------------


class AskVisitRegion(Action):
    """Asks where the visit is, with the served areas as buttons."""

    def name(self) -> str:
        """The form's question for visit_region."""
        return "action_ask_booking_form_visit_region"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Ask for the district or county."""
        svc = services()
        try:
            names = await in_store(svc, ledger.area_names)
        except StoreError:
            names = []
        buttons = [{"title": n, "payload": n} for n in names[:8]]
        dispatcher.utter_message(text="请问上门的地方在哪个区县？", buttons=buttons or None)
        return []


class AskVisitDay(Action):
    """Asks which day, with the next free half-days as buttons."""

    def name(self) -> str:
        """The form's question for visit_day."""
        return "action_ask_booking_form_visit_day"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Offer the earliest free half-days."""
        svc = services()
        service, region = _service(tracker), tracker.get_slot("visit_region")
        today = svc.today()
        try:
            today = await asyncio.to_thread(svc.ensure_slots)
            free = await in_store(svc, lambda s: _openings(s, svc, service, region, today))
        except (StoreError, BookingError):
            free = []
        if service is not None and region is not None and not free:
            dispatcher.utter_message(
                text="最近两个月都约满了，实在抱歉。您可以点「找人工」，请工作人员帮您想办法。",
                buttons=[HUMAN],
            )
            return []
        dispatcher.utter_message(
            text="您想约哪天？下面是最近能约的时间，也可以直接说，比如「下周三上午」。",
            buttons=opening_buttons(free, today) or None,
        )
        return []


class AskVisitHalfDay(Action):
    """Asks morning or afternoon, offering only the halves that are still free."""

    def name(self) -> str:
        """The form's question for visit_half_day."""
        return "action_ask_booking_form_visit_half_day"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Ask 上午 or 下午 for the chosen day."""
        svc = services()
        service, region = _service(tracker), tracker.get_slot("visit_region")
        today = svc.today()
        try:
            day: date | None = date.fromisoformat(str(tracker.get_slot("visit_day")))
        except ValueError:
            day = None
        halves = list(HalfDay)
        if day is not None:
            near = day
            try:
                free = await in_store(
                    svc, lambda s: _openings(s, svc, service, region, today, near=near, limit=12)
                )
            except (StoreError, BookingError):
                free = []
            halves = [h for h in HalfDay if any(o.day == near and o.half_day is h for o in free)] or halves
        label = format_day(day, today) if day else "那天"
        buttons = [{"title": h.label, "payload": h.label} for h in halves]
        dispatcher.utter_message(text=f"{label}您想约上午还是下午？", buttons=buttons)
        return []


class AskBookingConfirmed(Action):
    """Shows the summary and asks the user to confirm or change it."""

    def name(self) -> str:
        """The form's question for booking_confirmed."""
        return "action_ask_booking_form_booking_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Summarise service, time, address and contact."""
        dispatcher.utter_message(
            text="请您核对一下：\n" + summary(tracker, services().today()) + "\n没问题的话请点「确认预约」。",
            buttons=[
                {"title": "确认预约", "payload": "确认预约"},
                {"title": "改时间", "payload": "改时间"},
                {"title": "改地址", "payload": "改地址"},
                {"title": "不约了", "payload": "不约了"},
            ],
        )
        return []


def _openings(
    session: Session,
    svc: Services,
    service: VisitService | None,
    region: str | None,
    today: date,
    *,
    near: date | None = None,
    limit: int = MAX_OPENINGS,
) -> list[Opening]:
    if service is None or region is None:
        return []
    area = ledger.served_area(session, svc.kb.gazetteer, region)
    return ledger.openings(session, area, service, today, svc.rules, near=near, limit=limit)


def summary(tracker: Tracker, today: date) -> str:
    """The booking as the user reads it before confirming."""
    service = _service(tracker)
    lines = [f"服务：{service.label if service else ''}"]
    day_value, half_value = tracker.get_slot("visit_day"), tracker.get_slot("visit_half_day")
    if day_value and half_value in {h.value for h in HalfDay}:
        lines.append(f"时间：{when_label(date.fromisoformat(day_value), HalfDay(half_value), today)}")
    region, address = tracker.get_slot("visit_region") or "", tracker.get_slot("visit_address") or ""
    lines.append(f"地址：{address if address.startswith(region) else region + ' ' + address}")
    lines.append(
        f"联系人：{tracker.get_slot('contact_name') or ''}，电话 {tracker.get_slot('contact_phone') or ''}"
    )
    return "\n".join(lines)


# --- after the form ---------------------------------------------------------------------------------


def confirmation(booking: Booking, today: date) -> str:
    """What the user reads once the booking is stored: reference, service, day, half-day, address."""
    address = (
        booking.address
        if booking.address.startswith(booking.region)
        else f"{booking.region} {booking.address}"
    )
    return (
        f"预约好了！预约编号：{booking.reference}\n"
        f"服务：{booking.service.label}\n"
        f"时间：{when_label(booking.slot.day, booking.slot.half_day, today)}\n"
        f"地址：{address}\n"
        "工作人员确认后会打电话给您，上门前一天我也会提醒您。要改时间或取消，跟我说「我的预约」就行。"
    )


class ActionSubmitBooking(Action):
    """Writes the confirmed booking in one transaction, or explains why it cannot be made."""

    def name(self) -> str:
        """Runs when booking_form is complete."""
        return "action_submit_booking"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Book, then clear what must be asked again next time."""
        svc = services()
        reset: list[EventType] = [SlotSet(slot, None) for slot in FORM_SLOTS if slot not in REMEMBERED]
        if not tracker.get_slot("booking_confirmed"):
            dispatcher.utter_message(text="好的，这次先不约了。需要的时候再跟我说。")
            dispatcher.utter_message(json_message=meta_message())
            return reset
        text = latest_text(tracker)
        if not (says_yes(text) or latest_intent(tracker) == "affirm"):
            # The form completed without a confirmation in this very message (answers kept from an
            # interrupted attempt): show the summary again instead of booking unseen.
            return [SlotSet("booking_confirmed", None), FollowupAction(FORM)]
        request = ledger.NewBooking(
            sender_id=tracker.sender_id,
            channel=channel_of(tracker),
            contact_name=str(tracker.get_slot("contact_name")),
            phone=str(tracker.get_slot("contact_phone")),
            address=str(tracker.get_slot("visit_address")),
            region=str(tracker.get_slot("visit_region")),
            service=VisitService(tracker.get_slot("visit_service")),
            day=date.fromisoformat(str(tracker.get_slot("visit_day"))),
            half_day=HalfDay(tracker.get_slot("visit_half_day")),
        )
        actor = ledger.user_actor(request.channel, request.sender_id)
        pause = svc.settings.fault_pause_before_commit_s
        today = svc.today()

        def write(session: Session) -> Booking:
            booking = ledger.book(session, svc.kb.gazetteer, request, today, svc.rules, actor)
            if pause:
                logger.warning(
                    "fault injection: pausing %.1f s before committing booking %s", pause, booking.id
                )
                time.sleep(pause)
            return booking

        try:
            today = await asyncio.to_thread(svc.ensure_slots)
            booking = await in_store(svc, write)
        except (SlotFull, DayNotBookable) as exc:
            return offer_other_times(dispatcher, exc, today, FORM, also_clear=("booking_confirmed",))
        except BookingError as exc:
            dispatcher.utter_message(text=exc.zh, buttons=[HUMAN])
            dispatcher.utter_message(json_message=meta_message())
            return reset
        except StoreError:
            logger.exception("booking not stored; the conversation keeps the answers")
            dispatcher.utter_message(
                text=store_apology(svc) + "等一会儿再点「确认预约」，我再帮您提交。", buttons=[HUMAN]
            )
            dispatcher.utter_message(json_message=meta_message())
            return [SlotSet("booking_confirmed", None), FollowupAction(FORM)]
        dispatcher.utter_message(text=confirmation(booking, today))
        dispatcher.utter_message(json_message=meta_message())
        return [*reset, SlotSet("misunderstandings", 0)]

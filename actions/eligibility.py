"""The eligibility questions (a Rasa form that asks only what is missing) and the rules engine's verdict."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import Services, services
from actions.dispatch import latest_text, send
from actions.policy import answer_question
from bot.core.answers.analysis import Kind, analyse
from bot.core.answers.compose import Answer, Message
from bot.core.answers.places import UNKNOWN, current_place, place_in_text, resolve
from bot.core.answers.profile import (
    CARE,
    DONT_KNOW,
    ECONOMIC,
    LIVES_WITH_FAMILY,
    LIVING,
    NONE,
    NONE_OF,
    SELF_CARE,
    SELF_CARING,
    WITH_FAMILY,
    StatusReader,
    read_age,
    read_choice,
    statuses_of,
)
from bot.core.answers.replies import HUMAN, NO_THANKS, Cited
from knowledge.eligibility import Decision, Profile, Verdict
from knowledge.textnorm import normalize

FORM_SLOTS = ("region", "age", "economic_status", "care_level", "living_situation")
MAX_LISTED = 3


# Questions of these kinds are never answered with the eligibility questions: whether a person
# qualifies does not tell them how to apply, where to go, when, or whom to call.
NOT_ASKED_ABOUT = frozenset({Kind.HOW_APPLY, Kind.WHERE, Kind.WHEN, Kind.CONTACT})

PROFILE_SLOTS = ("age", "economic_status", "care_level", "living_situation")


def asks_about_a_person(text: str) -> bool:
    """Whether a question describes a person (an age, a status such as 低保 or 失能)."""
    question = analyse(services().answers.rules, text)
    return question.age is not None or bool(question.statuses - {"高龄"})  # 高龄 alone: 高龄津贴


async def needs_the_questions(svc: Services, tracker: Tracker, text: str) -> bool:
    """Whether the eligibility questions should run for this message: it asks what a person may
    receive in general; or it describes a person and no clause answers it directly (never for a
    request the documents cannot answer or a place they do not cover). A question a
    clause answers (one benefit's facts, training, how to apply …) is answered, not asked about."""
    if text.startswith("/"):
        return True  # the eligibility button was pressed
    rules = svc.answers.rules
    if svc.answers.refusal(text) is not None:
        return False
    place = current_place(svc.kb.gazetteer, text, tracker.current_slot_values())
    if place.uncovered:
        return False  # no rules for the user's place: the engine says so
    if rules.asks_what_a_person_gets(text):
        return True
    if analyse(rules, text).kind in NOT_ASKED_ABOUT:
        return False  # how to apply, where, when, whom to call: the engine answers or says it cannot
    if not asks_about_a_person(text):
        return False
    return (await svc.answer(text, place)).mode != "direct"


def _reader(svc: Services) -> StatusReader:
    return StatusReader(svc.kb.expansions())


class ValidateEligibilityForm(FormValidationAction):
    """Fills the form's slots from whatever the user says; 不知道/跳过 is an answer too."""

    def name(self) -> str:
        """The validation action of eligibility_form."""
        return "validate_eligibility_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[str]:
        """None when the form was started by a question that describes no person (how to apply,
        where, how much …): action_check_eligibility then answers it from the documents."""
        if tracker.get_slot("requested_slot") is None and not await needs_the_questions(
            services(), tracker, latest_text(tracker)
        ):
            return []
        return domain_slots

    async def extract_region(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """A region named in the message; unknown when asked and not known."""
        text = latest_text(tracker)
        place = place_in_text(services().kb.gazetteer, text)
        if place is not None and place.region and place.region != "全国":
            return {"region": place.region}
        if place is not None and place.uncovered:
            return {"region": place.uncovered}
        if tracker.get_slot("requested_slot") == "region" and DONT_KNOW.search(normalize(text)):
            return {"region": UNKNOWN, "region_asked": True}
        return {}

    async def extract_age(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """An age from the message (a bare number only when the age was asked)."""
        age = read_age(latest_text(tracker), tracker.get_slot("requested_slot") == "age")
        return {"age": age} if age else {}

    async def extract_economic_status(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """低保, 特困 … from the message; 无 for none; unknown for 不知道."""
        requested = tracker.get_slot("requested_slot") == "economic_status"
        value = read_choice(latest_text(tracker), requested, _reader(services()), ECONOMIC, NONE_OF, NONE)
        return {"economic_status": value} if value else {}

    async def extract_care_level(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """失能, 失智 … from the message; 自理 when the person manages alone; unknown for 不知道."""
        requested = tracker.get_slot("requested_slot") == "care_level"
        value = read_choice(
            latest_text(tracker), requested, _reader(services()), CARE, SELF_CARING, SELF_CARE
        )
        return {"care_level": value} if value else {}

    async def extract_living_situation(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> dict[str, Any]:
        """独居, 空巢 … from the message; living with family; unknown for 不知道."""
        requested = tracker.get_slot("requested_slot") == "living_situation"
        value = read_choice(
            latest_text(tracker), requested, _reader(services()), LIVING, LIVES_WITH_FAMILY, WITH_FAMILY
        )
        return {"living_situation": value} if value else {}


def profile_from_slots(svc: Services, slots: dict[str, Any]) -> tuple[Profile, str]:
    """The rules engine's profile from the form's slots, and the region it was evaluated for."""
    place = resolve(svc.kb.gazetteer, slots.get("region"))
    region = place.region if place.region else ("全国" if place.uncovered else None)
    age_value = slots.get("age")
    age = int(age_value) if isinstance(age_value, str) and age_value.isdigit() else None
    status_slots = [slots.get(s) for s in ("economic_status", "care_level", "living_situation")]
    answered = all(v not in (None, UNKNOWN) for v in status_slots)
    return Profile(
        region=region, age=age, statuses=statuses_of(status_slots), asked_statuses=answered
    ), place.label


def describe(slots: dict[str, Any], region_label: str) -> str:
    """The situation as the user gave it, in a few words."""
    parts = []
    if region_label:
        parts.append(region_label.replace(" > ", ""))
    if slots.get("age") not in (None, UNKNOWN):
        parts.append(f"{slots['age']}岁")
    for name in ("economic_status", "care_level", "living_situation"):
        value = slots.get(name)
        if value not in (None, UNKNOWN, NONE):
            parts.append(str(value))
    return "、".join(parts) or "您没有说具体情况"


def verdict_answer(svc: Services, decisions: list[Decision], situation: str) -> Answer:
    """Eligible and possibly eligible benefits with their sources; honest when nothing is found."""
    cited = Cited(svc.kb)
    answer = Answer(grounded=True)
    answer.messages.append(Message(f"按您说的情况（{situation}），我对照文件查了一下："))
    eligible = [d for d in decisions if d.verdict is Verdict.ELIGIBLE][:MAX_LISTED]
    possible = [d for d in decisions if d.verdict is Verdict.POSSIBLE][:MAX_LISTED]
    for decision in eligible + possible:
        benefit = decision.benefit
        head = "符合条件：" if decision.verdict is Verdict.ELIGIBLE else "可能符合，还要看"
        if decision.verdict is Verdict.ELIGIBLE:
            lines = [f"{head}{benefit.name}（{benefit.region if benefit.region != '全国' else '国家'}）。"]
        else:
            lines = [f"{head}是否属于“{benefit.who}”：{benefit.name}。"]
        if benefit.amount:
            lines.append(f"标准：{benefit.amount}。")
        if decision.note:
            lines.append(decision.note)
        for resolved in cited.resolved_for(benefit.id)[:1]:
            data, source = cited.catalog(resolved)
            answer.citations.append(data)
            lines.append(source)
        answer.messages.append(Message("\n".join(lines)))
    if not eligible and not possible:
        answer.messages.append(Message("按文件里写的条件，我没有查到您明确能享受的补贴或服务。"))
    answer.messages.append(
        Message(
            "以上是文件写的条件，最后能不能享受，要以当地民政部门审核为准。需要我帮您转人工吗？",
            [HUMAN, NO_THANKS],
        )
    )
    answer.offered_human = True
    return answer


class ActionCheckEligibility(Action):
    """Runs the rules engine on the form's answers and says what the person may receive."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_eligibility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Evaluate the profile and answer."""
        svc = services()
        slots = tracker.current_slot_values()
        text = latest_text(tracker)
        if not any(slots.get(name) for name in PROFILE_SLOTS) and not await needs_the_questions(
            svc, tracker, text
        ):
            return await answer_question(dispatcher, tracker, svc, text, "ask_subsidy")
        profile, label = profile_from_slots(svc, slots)
        decisions = svc.eligibility.evaluate(profile)
        answer = verdict_answer(svc, decisions, describe(slots, label))
        send(dispatcher, answer)
        return [SlotSet("misunderstandings", 0), SlotSet("offered_human", True)]

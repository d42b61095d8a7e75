"""Service and facility questions, answered from the structured catalog with its quotes."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.context import Services, services
from actions.dispatch import latest_intent, latest_text, send
from actions.policy import REGION_BUTTONS, region_events
from bot.core.answers.analysis import Kind, analyse
from bot.core.answers.compose import MISSING_FACT, Answer, Message
from bot.core.answers.places import Place, current_place
from bot.core.answers.replies import BOOK, HUMAN, Cited, region_label
from bot.core.booking.words import wants_a_visit
from index.grounding import STATES
from knowledge.catalog import Benefit, FacilityType, Service, ServiceType
from knowledge.textnorm import normalize

INTENT_SERVICE = {
    "ask_meal_service": ServiceType.MEAL,
    "ask_bath_service": ServiceType.BATH,
    "ask_medical_service": ServiceType.MEDICAL,
}
# Question kinds a catalog card answers; specific questions (how much, where, when, how to apply,
# contact) go to the answer engine, which quotes the clause that answers or says there is none.
CARD_KINDS = frozenset({Kind.WHAT, Kind.EXISTS})
FACILITY_FIELDS = (
    ("serves", "建在哪里、服务谁"),
    ("area", "面积"),
    ("beds", "床位"),
    ("construction_subsidy", "建设补助"),
    ("operating_subsidy", "运营补助"),
    ("functions", "功能"),
)


def refused(answer: Answer) -> bool:
    """Whether the engine refused the request (advice, what the chat cannot do, nonsense)."""
    return answer.mode.startswith("none:")


def find_service(svc: Services, text: str, intent: str | None, entity: str | None) -> Service | None:
    """The service a question is about: the one whose name or alias it uses, else the intent's."""
    services_ = svc.kb.catalog.services
    if entity:
        for service in services_:
            if entity in (service.type.value, service.name):
                return service
    norm = normalize(text)
    named = [(len(w), s) for s in services_ for w in (s.name, *s.aliases) if w and normalize(w) in norm]
    wanted = INTENT_SERVICE.get(intent or "")
    if wanted is not None and any(s.type is wanted for _, s in named):
        return next(s for s in services_ if s.type is wanted)
    if named:
        return max(named, key=lambda x: x[0])[1]
    return next((s for s in services_ if s.type is wanted), None)


def applies(region: str, place: Place) -> bool:
    """True when a catalog entry of this region applies at the user's place."""
    if region == "全国":
        return True
    return place.resolution is not None and region in place.resolution.chain


def service_answer(svc: Services, service: Service, place: Place, question: str) -> Answer:
    """What the service is, what the user's region provides (who, what, how much), sources, next step."""
    cited = Cited(svc.kb)
    answer = Answer(grounded=True)
    answer.messages.append(Message(f"{service.plain_name}（{service.name}）：{service.description}"))
    benefits: list[Benefit] = [
        b for b in svc.kb.catalog.benefits if service.type in b.services and applies(b.region, place)
    ]
    stated_text = ""
    for benefit in benefits[:2]:
        lines = [f"{region_label(benefit.region)}的规定：{benefit.who}，{benefit.what}。"]
        if benefit.amount:
            lines.append(f"标准：{benefit.amount}。")
        if benefit.how_to_apply:
            lines.append(f"怎么办：{benefit.how_to_apply}")
        resolved = cited.resolved_for(benefit.id)[:1]
        for r in resolved:
            data, source = cited.catalog(r)
            answer.citations.append(data)
            lines.append(source)
        stated_text += "".join(lines)
        answer.messages.append(Message("\n".join(lines)))
    if not benefits:
        resolved = cited.resolved_for(service.id)
        preferred = sorted(resolved, key=lambda r: 0 if applies(cited.docs[r.doc_id].region, place) else 1)
        quotes = [
            r for r in preferred if applies(cited.docs[r.doc_id].region, place) or place.region is None
        ][:2]
        for r in quotes:
            data, source = cited.catalog(r)
            region = region_label(cited.docs[r.doc_id].region)
            answer.messages.append(Message(f"{region}文件里写着：“{r.quote}”\n{source}"))
            answer.citations.append(data)
            stated_text += r.quote
    asked = svc.grounding.asked_fact(question)
    if asked is not None and not STATES[asked].search(stated_text):
        answer.messages.append(
            Message(
                f"文件里没有写{MISSING_FACT[asked]}，我不能随便告诉您一个数，可以请工作人员帮您问清楚。",
                [HUMAN],
            )
        )
    answer.messages.append(Message("需要的话，我可以帮您预约上门服务，或者帮您转人工。", [BOOK, HUMAN]))
    answer.offered_human = True
    return answer


def find_facilities(svc: Services, text: str, place: Place) -> list[FacilityType]:
    """Facility types named in a question (longest name first), in the user's region when known."""
    norm = normalize(text)
    scored: list[tuple[int, FacilityType]] = []
    for facility in svc.kb.catalog.facility_types:
        names = [facility.name.split("（")[0], *facility.aliases]
        length = max((len(n) for n in names if normalize(n) in norm), default=0)
        if length:
            scored.append((length, facility))
    if not scored:
        return []
    best = max(n for n, _ in scored)
    found = [f for n, f in scored if n == best]
    local = [f for f in found if applies(f.region, place) and f.region != "全国"]
    return local or found


def facility_answer(svc: Services, facility: FacilityType) -> Answer:
    """The standards of one facility type, as the text gives them, with sources."""
    cited = Cited(svc.kb)
    lines = [f"{facility.name}："]
    for attr, label in FACILITY_FIELDS:
        value = getattr(facility, attr)
        if value:
            lines.append(f"· {label}：{value}")
    answer = Answer(grounded=True)
    answer.messages.append(Message("\n".join(lines)))
    sources = []
    for r in cited.resolved_for(facility.id)[:3]:
        data, source = cited.catalog(r)
        answer.citations.append(data)
        if source not in sources:
            sources.append(source)
    answer.messages.append(Message("\n".join(sources)))
    answer.messages.append(Message("还想了解别的吗？需要的话我可以帮您转人工。", [HUMAN]))
    answer.offered_human = True
    return answer


class ActionAnswerService(Action):
    """Meal, bath and medical help: what it is, what the region provides, sources, next step."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_service"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer from the catalog; ask for the region once if it is not known."""
        svc = services()
        text, intent = latest_text(tracker), latest_intent(tracker)
        place = current_place(svc.kb.gazetteer, text, tracker.current_slot_values())
        entity = next(tracker.get_latest_entity_values("service_type"), None)
        service = find_service(svc, text, intent, entity)
        events = [*region_events(place), SlotSet("misunderstandings", 0)]
        if wants_a_visit(text):  # 能不能派人上门帮着洗洗: a booking, not a question about the service
            return [*events, FollowupAction("booking_form")]
        kind = analyse(svc.answers.rules, text).kind
        engine_answer = await svc.answer(text, place)
        if (
            service is None
            or kind not in CARD_KINDS
            or place.uncovered
            or engine_answer.mode == "direct"
            or refused(engine_answer)
        ):
            # The clause that answers comes first, and a request no document answers (health advice,
            # what the chat cannot do) is told so; the card is for "有没有/是什么" that none answers.
            send(dispatcher, engine_answer)
            return [*events, SlotSet("offered_human", engine_answer.offered_human)]
        answer = service_answer(svc, service, place, text)
        unknown_region = place.region is None and place.uncovered is None and not place.said_unknown
        if unknown_region and not tracker.get_slot("region_asked"):
            answer.messages[-1] = Message("告诉我老人住在哪个区县，我可以查当地的具体规定。", REGION_BUTTONS)
            send(dispatcher, answer)
            return [
                *events,
                SlotSet("region_asked", True),
                SlotSet("pending_question", text),
                SlotSet("pending_intent", intent),
            ]
        send(dispatcher, answer)
        return [*events, SlotSet("offered_human", answer.offered_human)]


class ActionAnswerFacility(Action):
    """Facility questions: the standards of the named facility type in the user's region."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_facility"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Answer from the catalog when a facility type is named, else from the documents."""
        svc = services()
        text = latest_text(tracker)
        place = current_place(svc.kb.gazetteer, text, tracker.current_slot_values())
        facilities = find_facilities(svc, text, place)
        asked = svc.grounding.asked_fact(text)
        kind = analyse(svc.answers.rules, text).kind
        local = len(facilities) == 1 and (place.region is None or applies(facilities[0].region, place))
        answer = await svc.answer(text, place)
        card = answer.mode != "direct" and not refused(answer)
        if card and local and asked is None and kind in CARD_KINDS and not place.uncovered:
            answer = facility_answer(svc, facilities[0])
        send(dispatcher, answer)
        return [*region_events(place), SlotSet("misunderstandings", 0), SlotSet("offered_human", True)]

"""What the actions ask: the knowledge base, the search engine, the grounding check and the store.

Built once per action-server process, on first use (never at import time).
"""

from __future__ import annotations

import asyncio
import copy
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from actions.settings import ActionSettings
from bot.core.answers.compose import Answer
from bot.core.answers.engine import AnswerEngine
from bot.core.answers.places import Place
from bot.core.booking.ledger import Rules, sync_schedule
from bot.core.booking.schedule import Schedule, load_schedule
from bot.core.booking.settings import BookingSettings
from bot.core.masking import install_service_log_masking
from bot.core.store.db import create_schema, make_engine, session_factory, transaction
from index.engine import SearchEngine
from index.grounding import GroundingCheck
from index.settings import IndexSettings
from knowledge.base import KnowledgeBase
from knowledge.eligibility import EligibilityEngine

logger = logging.getLogger(__name__)

RECENT_ANSWERS = 32


@dataclass
class Services:
    """Everything an action needs, built once."""

    settings: ActionSettings
    engine: SearchEngine
    grounding: GroundingCheck
    eligibility: EligibilityEngine
    sessions: sessionmaker[Session]
    booking: BookingSettings
    schedule: Schedule
    answers: AnswerEngine
    synced_on: date | None = None
    # The last few answers: one turn may ask for the same one more than once (the eligibility form
    # deciding whether to ask, then its action answering); the engine is deterministic.
    _recent: OrderedDict[tuple[str, str | None, str | None, bool], Answer] = field(
        default_factory=OrderedDict, repr=False
    )

    async def answer(self, question: str, place: Place) -> Answer:
        """The answer engine's reply to a question at a place (off the event loop); a copy, so
        that a caller may change it."""
        key = (question, place.region, place.uncovered, place.said_unknown)
        answer = self._recent.get(key)
        if answer is None:
            answer = await asyncio.to_thread(self.answers.answer, question, place)
            self._recent[key] = answer
            while len(self._recent) > RECENT_ANSWERS:
                self._recent.popitem(last=False)
        return copy.deepcopy(answer)

    @property
    def rules(self) -> Rules:
        """The booking window."""
        return self.booking.rules

    def today(self) -> date:
        """Today where the service runs."""
        return self.booking.clock.today()

    def ensure_slots(self) -> date:
        """Create the schedule's slots up to the horizon (once a day); return today."""
        today = self.today()
        if self.synced_on != today:
            with _lock, transaction(self.sessions) as session:
                sync_schedule(session, self.schedule, today, self.rules.horizon_days + 1)
            self.synced_on = today
        return today

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base the index was built from."""
        return self.engine.kb


_services: Services | None = None
_lock = threading.RLock()


def build_services(settings: ActionSettings | None = None, index: IndexSettings | None = None) -> Services:
    """Open the index (building it if missing), the grounding check and the store."""
    settings = settings or ActionSettings()
    install_service_log_masking()
    engine, report = SearchEngine.open(index or IndexSettings(), progress=False)
    logger.info("index ready: %d chunks (%s)", report.chunks, "rebuilt" if report.rebuilt else "loaded")
    corpus_words = {t for c in engine.chunks for t in engine.tokenizer.tokenize(c.search_text())}
    grounding = GroundingCheck(
        engine.tokenizer,
        engine.kb.expansions(),
        corpus_words,
        engine.kb.gazetteer.names,
        settings.min_coverage,
    )
    db = make_engine(settings.database_url)
    create_schema(db)
    booking = BookingSettings(database_url=settings.database_url)
    schedule = load_schedule(booking.schedule_path, set(engine.kb.gazetteer.names))
    sessions = session_factory(db)
    answers = AnswerEngine.open(
        engine,
        grounding,
        settings.answerability_model,
        engine.settings.index_dir.parent / "answers",
        k=settings.search_k,
        max_quotes=settings.max_quotes,
        quote_max_chars=settings.quote_max_chars,
    )
    built = Services(
        settings, engine, grounding, engine.kb.eligibility(), sessions, booking, schedule, answers
    )
    built.ensure_slots()
    return built


def services() -> Services:
    """The process's services, built on first use."""
    global _services
    if _services is None:
        with _lock:
            if _services is None:
                _services = build_services()
    return _services


def use_services(value: Services | None) -> None:
    """Replace the process's services (tests build them from fixtures)."""
    global _services
    _services = value

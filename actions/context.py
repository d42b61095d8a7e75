"""What the actions ask: the knowledge base, the search engine, the grounding check and the store.

Built once per action-server process, on first use (never at import time).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from actions.settings import ActionSettings
from bot.store.db import create_schema, make_engine, session_factory
from index.engine import SearchEngine
from index.grounding import GroundingCheck
from index.settings import IndexSettings
from knowledge.base import KnowledgeBase
from knowledge.eligibility import EligibilityEngine

logger = logging.getLogger(__name__)


@dataclass
class Services:
    """Everything an action needs, built once."""

    settings: ActionSettings
    engine: SearchEngine
    grounding: GroundingCheck
    eligibility: EligibilityEngine
    sessions: sessionmaker[Session]

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base the index was built from."""
        return self.engine.kb


_services: Services | None = None
_lock = threading.Lock()


def build_services(settings: ActionSettings | None = None, index: IndexSettings | None = None) -> Services:
    """Open the index (building it if missing), the grounding check and the store."""
    settings = settings or ActionSettings()
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
    return Services(settings, engine, grounding, engine.kb.eligibility(), session_factory(db))


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

"""Shared fixtures: the real knowledge base and a real index built once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.cli.stack import free_ports
from bot.core.store import create_schema, make_engine, session_factory
from index.engine import SearchEngine
from index.settings import IndexSettings
from knowledge.base import KnowledgeBase, load_knowledge
from tests.utils.databases import ENGINES, fresh_database

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT / "tests" / "data" / "retrieval_dev.jsonl"
# One week, Monday 7 to Sunday 13 December 2026: tests of bookings and reminders run on each of its days.
WEEK = tuple(date(2026, 12, 7) + timedelta(days=n) for n in range(7))


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The shipped knowledge base, loaded and cross-checked."""
    return load_knowledge()


@pytest.fixture(scope="session")
def index_settings(tmp_path_factory: pytest.TempPathFactory) -> IndexSettings:
    """Settings pointing at a session-private index directory."""
    return IndexSettings(index_dir=tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def engine(index_settings: IndexSettings) -> SearchEngine:
    """A real hybrid index over the shipped knowledge, built with the offline default encoder."""
    return SearchEngine.build(index_settings, progress=False)


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty database: once on SQLite and once on PostgreSQL."""
    with fresh_database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def empty_store(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh, empty database (no tables)."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(empty_store: Engine) -> Engine:
    """An engine on a fresh database migrated to the newest schema."""
    create_schema(empty_store)
    return empty_store


@pytest.fixture
def sessions(store: Engine) -> sessionmaker[Session]:
    """Sessions on a fresh, migrated store (SQLite, then PostgreSQL)."""
    return session_factory(store)


@pytest.fixture
def closed_port() -> int:
    """A localhost port nothing listens on, so connecting to it really fails."""
    [port] = free_ports(1)
    return port


@pytest.fixture(params=WEEK, ids=[day.strftime("%a").lower() for day in WEEK])
def today(request: pytest.FixtureRequest) -> date:
    """The day a booking or reminder test takes as today: each day of one week in turn."""
    day: date = request.param
    return day

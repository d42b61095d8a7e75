"""Shared fixtures: the real knowledge base and a real index built once per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from index.engine import SearchEngine
from index.settings import IndexSettings
from knowledge.base import KnowledgeBase, load_knowledge
from tests.utils.databases import ENGINES, fresh_database
from tests.utils.live_gateway import free_port

ROOT = Path(__file__).resolve().parents[1]
DEV_SET = ROOT / "tests" / "data" / "retrieval_dev.jsonl"


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
def closed_port() -> int:
    """A localhost port nothing listens on, so connecting to it really fails."""
    return free_port()

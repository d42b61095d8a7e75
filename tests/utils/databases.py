"""Throwaway databases for store tests: a SQLite file, or a fresh PostgreSQL database per test.

PostgreSQL tests need ELDERCARE_TEST_POSTGRES_URL (a role that may CREATE DATABASE; `.ci/run` starts
Debian's PostgreSQL and sets it). Without it they are skipped locally, and fail when
ELDERCARE_REQUIRE_POSTGRES=1 (as in CI), so a missing server never passes for a green run.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

POSTGRES_URL_VARIABLE = "ELDERCARE_TEST_POSTGRES_URL"
REQUIRE_VARIABLE = "ELDERCARE_REQUIRE_POSTGRES"
ENGINES = ("sqlite", "postgresql")


def postgres_admin_url() -> str:
    """The PostgreSQL URL tests may create databases with; skip (or fail in CI) when there is none."""
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        return url
    message = f"PostgreSQL store tests need {POSTGRES_URL_VARIABLE} (see README, Tests)"
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """Create an empty PostgreSQL database, yield its URL, and drop it afterwards."""
    admin_url = make_url(postgres_admin_url())
    name = f"eldercare_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            _drop(admin, name)
        finally:
            admin.dispose()


def _drop(admin: Engine, name: str, attempts: int = 20) -> None:
    """Drop a test database. FORCE may meet an autovacuum worker it is not allowed to signal
    (PostgreSQL's "must be a member of the role whose process is being terminated"); the worker
    ends within moments, so the drop is tried again."""
    for attempt in range(attempts):
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)


@contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, empty database of the given kind ("sqlite" or "postgresql")."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    elif kind == "postgresql":
        with fresh_postgres_database() as url:
            yield url
    else:  # pragma: no cover - a typo in a test's parameters
        raise ValueError(kind)

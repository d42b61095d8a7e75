"""Engine, schema and session factories of the shared store (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from bot.core.store.errors import StoreError

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 5000
# Execution option for SQLite to open the transaction with BEGIN IMMEDIATE (transaction(write=True)).
BEGIN_IMMEDIATE = "eldercare_begin_immediate"


def _sqlite_file(url: URL) -> Path | None:
    """Return the database file of a SQLite URL, or None for an in-memory database."""
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine for a database URL; for SQLite, create the file's folder and turn on WAL."""
    try:
        parsed = make_url(url)
    except SQLAlchemyError as exc:
        raise StoreError(f"invalid database URL: {exc}") from exc
    if parsed.get_backend_name() != "sqlite":
        try:
            return create_engine(parsed, echo=echo, pool_pre_ping=True, hide_parameters=True)
        except (SQLAlchemyError, ImportError) as exc:
            raise StoreError(f"cannot create a database engine: {exc}") from exc

    path = _sqlite_file(parsed)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}, "hide_parameters": True}
    if path is None:
        # One shared connection, or every thread would see its own empty in-memory database.
        kwargs["poolclass"] = StaticPool
    else:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder of {path}: {exc}") from exc
    engine = create_engine(parsed, echo=echo, **kwargs)
    _configure_sqlite(engine, wal=path is not None)
    return engine


def _use_wal(cursor: Any) -> None:
    """Switch the file to WAL (persistent), retrying while another connection holds a lock.

    Changing the journal mode ignores busy_timeout: when several services open a new database at once,
    one of them switching it to WAL makes the others fail at once with "database is locked".
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _configure_sqlite(engine: Engine, *, wal: bool) -> None:
    """Set WAL and busy_timeout on each connection and let SQLAlchemy, not pysqlite, open transactions."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        """Apply the connection pragmas."""
        # pysqlite's own transaction handling breaks SAVEPOINT; take it over (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if wal:
                _use_wal(cursor)
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        """Open the transaction; a writing one takes the write lock up front, so busy_timeout applies."""
        # A deferred transaction that reads and then writes fails at once with SQLITE_BUSY when another
        # connection wrote in between; BEGIN IMMEDIATE waits for the lock instead. Readers stay deferred
        # so that, in WAL mode, they never block writers.
        immediate = conn.get_execution_options().get(BEGIN_IMMEDIATE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_schema(engine: Engine) -> None:
    """Bring the store's schema up to date by running its migrations."""
    from bot.core.store.migrate import upgrade  # alembic is only needed where the schema is migrated

    upgrade(engine)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Return a session factory whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session], *, write: bool = True) -> Iterator[Session]:
    """Open a session, commit it when the block ends, roll back on error; raise StoreError for DB errors."""
    session = sessions()
    try:
        if write:
            session.connection(execution_options={BEGIN_IMMEDIATE: True})
        yield session
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        raise StoreError(f"database error: {exc}") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def ping(engine: Engine) -> None:
    """Run SELECT 1; raise StoreError when the database does not answer."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        raise StoreError(f"database unreachable: {exc}") from exc

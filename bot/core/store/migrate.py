"""Schema migrations of the shared store (Alembic), run in code on the store's own engine."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from bot.core.store.db import BEGIN_IMMEDIATE
from bot.core.store.errors import StoreError

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# Key of the PostgreSQL advisory lock that lets one process at a time migrate.
MIGRATION_LOCK_KEY = 4_202_611


def _serialize(conn: Connection) -> None:
    """Make concurrent migrations (gateway and action server starting together) wait for each other."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})


def alembic_config() -> Config:
    """Alembic configuration pointing at the store's migration scripts."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def head_revision() -> str:
    """The newest migration's revision id."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships its migrations
        raise StoreError("no migrations found")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the schema version: {exc}") from exc


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database's schema up to a revision (the newest by default)."""
    try:
        # SQLite: BEGIN IMMEDIATE takes the write lock up front, so a second migrator waits its turn.
        with engine.execution_options(**{BEGIN_IMMEDIATE: True}).begin() as conn:
            _serialize(conn)
            if MigrationContext.configure(conn).get_current_revision() is None:
                unversioned = set(inspect(conn).get_table_names()) - {"alembic_version"}
                if unversioned:
                    raise StoreError(
                        "数据库里已有表但没有版本号，请换一个新的数据库文件 / the database has tables "
                        f"but no schema version ({', '.join(sorted(unversioned))}); "
                        "point ELDERCARE_DATABASE_URL at a new database"
                    )
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the schema: {exc}") from exc
    logger.debug("store schema at %s", revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database's schema back to a revision ("base" removes every table)."""
    try:
        with engine.execution_options(**{BEGIN_IMMEDIATE: True}).begin() as conn:
            _serialize(conn)
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, revision)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot migrate the schema: {exc}") from exc

"""Schema migrations on a real SQLite file and a real PostgreSQL database."""

from __future__ import annotations

import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from bot.core.store import StoreError, create_schema, make_engine
from bot.core.store.migrate import current_revision, downgrade, head_revision, upgrade
from bot.core.store.models import Base

TABLES = {"messages", "handoff_tickets", "service_areas", "visit_slots", "bookings", "booking_events"}


def test_migrations_build_exactly_the_schema_the_models_describe(empty_store: Engine) -> None:
    upgrade(empty_store)
    with empty_store.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []
    assert set(inspect(empty_store).get_table_names()) >= TABLES
    assert current_revision(empty_store) == head_revision()


def test_upgrading_twice_changes_nothing(empty_store: Engine) -> None:
    create_schema(empty_store)
    create_schema(empty_store)
    assert current_revision(empty_store) == head_revision()


def test_downgrade_to_base_removes_every_table_and_upgrade_rebuilds_them(empty_store: Engine) -> None:
    upgrade(empty_store)
    downgrade(empty_store, "base")
    assert set(inspect(empty_store).get_table_names()) <= {"alembic_version"}
    assert current_revision(empty_store) is None
    upgrade(empty_store)
    assert set(inspect(empty_store).get_table_names()) >= TABLES


def test_a_database_with_tables_but_no_version_is_refused_not_overwritten(empty_store: Engine) -> None:
    with empty_store.begin() as conn:
        conn.execute(text("CREATE TABLE messages (id INTEGER PRIMARY KEY)"))
    with pytest.raises(StoreError, match="no schema version"):
        upgrade(empty_store)
    assert set(inspect(empty_store).get_table_names()) == {"messages"}


def test_services_starting_together_migrate_once_without_errors(database_url: str) -> None:
    errors: list[Exception] = []

    def start() -> None:
        engine = make_engine(database_url)
        try:
            create_schema(engine)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    engine = make_engine(database_url)
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()

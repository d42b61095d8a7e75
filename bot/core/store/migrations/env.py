"""Alembic environment: migrations run on the connection the store hands over (see bot.core.store.migrate)."""

from __future__ import annotations

from alembic import context

from bot.core.store.models import Base

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reached when alembic is run by hand without the store
    raise RuntimeError("run migrations through `eldercare db upgrade` (bot.core.store.migrate)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()

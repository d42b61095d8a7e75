"""Telegram: updates taken (redelivered ones are answered once), polled updates kept until answered, and
long button payloads by token.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "telegram_updates",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("owner", sa.String(length=32), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name=op.f("pk_telegram_updates")),
    )
    with op.batch_alter_table("telegram_updates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telegram_updates_claimed_at"), ["claimed_at"], unique=False)
    op.create_table(
        "telegram_inbox",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "update_id", name=op.f("pk_telegram_inbox")),
    )
    op.create_table(
        "telegram_callbacks",
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_telegram_callbacks")),
    )
    with op.batch_alter_table("telegram_callbacks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telegram_callbacks_used_at"), ["used_at"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("telegram_callbacks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_callbacks_used_at"))
    op.drop_table("telegram_callbacks")
    op.drop_table("telegram_inbox")
    with op.batch_alter_table("telegram_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_updates_claimed_at"))
    op.drop_table("telegram_updates")

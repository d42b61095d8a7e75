"""Handoff tickets: the operator who took one, when, how it was closed, and the hotline fallback.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("handoff_tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("operator_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("claimed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("resolution", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("hotline_sent_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_handoff_tickets_operator_id"), ["operator_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_handoff_tickets_operator_id_operators"),
            "operators",
            ["operator_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("handoff_tickets", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_handoff_tickets_operator_id_operators"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_handoff_tickets_operator_id"))
        batch_op.drop_column("hotline_sent_at")
        batch_op.drop_column("resolution")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("claimed_at")
        batch_op.drop_column("operator_id")

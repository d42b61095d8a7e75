"""Handoff tickets: a one-line summary of a complaint or letter for the operator.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    with op.batch_alter_table("handoff_tickets") as batch:
        batch.add_column(sa.Column("summary", sa.String(length=200), nullable=True))


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("handoff_tickets") as batch:
        batch.drop_column("summary")

"""Initial schema: message log, handoff tickets, home-visit bookings.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Apply this revision."""
    op.create_table(
        "handoff_tickets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "waiting",
                "active",
                "closed",
                name="handoffstatus_enum",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "priority",
            sa.Enum(
                "normal",
                "high",
                "urgent",
                name="priority_enum",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "reason",
            sa.Enum(
                "request_human",
                "complaint",
                "emergency",
                "misunderstanding",
                "system_error",
                name="handoffreason_enum",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("last_user_text", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_tickets")),
    )
    with op.batch_alter_table("handoff_tickets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handoff_tickets_sender_id"), ["sender_id"], unique=False)
        batch_op.create_index("ix_handoff_tickets_status_created", ["status", "created_at"], unique=False)
        batch_op.create_index(
            "uq_handoff_tickets_open_sender",
            ["sender_id"],
            unique=True,
            sqlite_where=sa.text("status IN ('waiting', 'active')"),
            postgresql_where=sa.text("status IN ('waiting', 'active')"),
        )

    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column(
            "direction",
            sa.Enum("in", "out", name="direction_enum", native_enum=False, create_constraint=True, length=32),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(length=64), nullable=True),
        sa.Column("intent_confidence", sa.Float(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_messages_sender_id"), ["sender_id"], unique=False)
        batch_op.create_index("ix_messages_sender_id_id", ["sender_id", "id"], unique=False)

    op.create_table(
        "service_areas",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_areas")),
        sa.UniqueConstraint("region", name=op.f("uq_service_areas_region")),
    )
    op.create_table(
        "visit_slots",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column(
            "service",
            sa.Enum(
                "bath",
                "cleaning",
                "meal",
                "visiting",
                "rehab",
                "escort",
                name="visitservice_enum",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column(
            "half_day",
            sa.Enum(
                "morning",
                "afternoon",
                name="halfday_enum",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("booked", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "booked >= 0 AND booked <= capacity", name=op.f("ck_visit_slots_booked_within_capacity")
        ),
        sa.CheckConstraint("capacity >= 0", name=op.f("ck_visit_slots_capacity_not_negative")),
        sa.ForeignKeyConstraint(
            ["area_id"],
            ["service_areas.id"],
            name=op.f("fk_visit_slots_area_id_service_areas"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_slots")),
        sa.UniqueConstraint("area_id", "service", "day", "half_day", name="uq_visit_slots_area_service_when"),
    )
    with op.batch_alter_table("visit_slots", schema=None) as batch_op:
        batch_op.create_index("ix_visit_slots_day", ["day"], unique=False)

    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=True),
        sa.Column("sender_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("contact_name", sa.String(length=32), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=64), nullable=False),
        sa.Column(
            "service",
            sa.Enum(
                "bath",
                "cleaning",
                "meal",
                "visiting",
                "rehab",
                "escort",
                name="visitservice_enum",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("slot_id", sa.Integer(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "confirmed",
                "cancelled",
                "completed",
                "no_show",
                name="bookingstatus_enum",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reminder_sent_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["slot_id"], ["visit_slots.id"], name=op.f("fk_bookings_slot_id_visit_slots"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("reference", name=op.f("uq_bookings_reference")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_sender", ["channel", "sender_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bookings_slot_id"), ["slot_id"], unique=False)
        batch_op.create_index("ix_bookings_status", ["status"], unique=False)

    op.create_table(
        "booking_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_events_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_booking_events")),
    )
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_events_booking_id"), ["booking_id"], unique=False)


def downgrade() -> None:
    """Revert this revision."""
    with op.batch_alter_table("booking_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_events_booking_id"))

    op.drop_table("booking_events")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_status")
        batch_op.drop_index(batch_op.f("ix_bookings_slot_id"))
        batch_op.drop_index("ix_bookings_sender")

    op.drop_table("bookings")
    with op.batch_alter_table("visit_slots", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_slots_day")

    op.drop_table("visit_slots")
    op.drop_table("service_areas")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_sender_id_id")
        batch_op.drop_index(batch_op.f("ix_messages_sender_id"))

    op.drop_table("messages")
    with op.batch_alter_table("handoff_tickets", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_handoff_tickets_open_sender",
            sqlite_where=sa.text("status IN ('waiting', 'active')"),
            postgresql_where=sa.text("status IN ('waiting', 'active')"),
        )
        batch_op.drop_index("ix_handoff_tickets_status_created")
        batch_op.drop_index(batch_op.f("ix_handoff_tickets_sender_id"))

    op.drop_table("handoff_tickets")

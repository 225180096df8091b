"""Repeating appointments: an appointment knows the series it was booked in.

* `appointments.series_id`: shared by every appointment booked together from one
  repeat rule (NULL for a one-off). A series is no table of its own: its members
  are the appointments carrying its id, so "this and the following" is the members
  from this one's start on, and sync carries it as an ordinary appointment column.

Revision ID: 0011_repeats
Revises: 0011_msgsync
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_repeats"
down_revision = "0011_msgsync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on SQLite too: recreating the table would drop its triggers.
    op.add_column("appointments", sa.Column("series_id", sa.Uuid(), nullable=True))
    op.create_index("ix_appointments_series_id", "appointments", ["series_id"])


def downgrade() -> None:
    op.drop_index("ix_appointments_series_id", table_name="appointments")
    with op.batch_alter_table("appointments", recreate="never") as batch:
        batch.drop_column("series_id")

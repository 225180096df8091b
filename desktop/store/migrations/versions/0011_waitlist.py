"""The wait list: patients waiting for a time, and what they can take.

* `wait_list_entries` (desktop.store.wait_list_models), synced to every desk: on
  PostgreSQL it joins the change log (trigger) like the other synced tables.

Revision ID: 0011_waitlist
Revises: 0010_sync_messages
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_waitlist"
down_revision = "0010_sync_messages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wait_list_entries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("practitioner_ids", sa.JSON(), nullable=False),
        sa.Column("appointment_type_ids", sa.JSON(), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("time_ranges", sa.JSON(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_wait_list_entries_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_wait_list_entries_appointment_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wait_list_entries")),
    )
    op.create_index(op.f("ix_wait_list_entries_patient_id"), "wait_list_entries", ["patient_id"])
    op.create_index(
        op.f("ix_wait_list_entries_appointment_id"), "wait_list_entries", ["appointment_id"]
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER sync_log_wait_list_entries AFTER INSERT OR UPDATE OR DELETE "
            "ON wait_list_entries FOR EACH ROW EXECUTE FUNCTION frontdesk_log_sync_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS sync_log_wait_list_entries ON wait_list_entries")
        op.execute("DELETE FROM sync_changes WHERE entity = 'wait_list_entries'")
    op.drop_index(op.f("ix_wait_list_entries_appointment_id"), table_name="wait_list_entries")
    op.drop_index(op.f("ix_wait_list_entries_patient_id"), table_name="wait_list_entries")
    op.drop_table("wait_list_entries")

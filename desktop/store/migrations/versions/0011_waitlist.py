"""The wait list: patients waiting for a time, and what they can take.

* `wait_list_entries` (desktop.store.wait_list_models), synced to every desk: on
  PostgreSQL it joins the change log (trigger) like the other synced tables.
* `wait_list_settings`, `wait_list_offers`: freed slots offered by SMS; synced too
  (the offers from the server's sender down to desks only).

Revision ID: 0011_waitlist
Revises: 0011_sms
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_waitlist"
down_revision = "0011_sms"
branch_labels = None
depends_on = None

# Joining the change log (desktop.store.sync_models.SYNCED_TABLES).
_SYNCED = ("wait_list_entries", "wait_list_settings", "wait_list_offers")


def upgrade() -> None:
    op.create_table(
        "wait_list_entries",
        *_row_columns(),
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
    _offers()
    if op.get_bind().dialect.name == "postgresql":
        for table in _SYNCED:
            op.execute(
                f"CREATE TRIGGER sync_log_{table} AFTER INSERT OR UPDATE OR DELETE "
                f"ON {table} FOR EACH ROW EXECUTE FUNCTION frontdesk_log_sync_change()"
            )


def _offers() -> None:
    op.create_table(
        "wait_list_settings",
        *_row_columns(),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("offer_by_sms", sa.Boolean(), nullable=False),
        sa.Column("offer_to", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_wait_list_settings_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wait_list_settings")),
        sa.UniqueConstraint("clinic_id", name=op.f("uq_wait_list_settings_clinic_id")),
    )
    op.create_table(
        "wait_list_offers",
        *_row_columns(),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("round_id", sa.Uuid(), nullable=False),
        sa.Column("entry_id", sa.Uuid(), nullable=True),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_type_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("reply_id", sa.Uuid(), nullable=True),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_wait_list_offers_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["wait_list_entries.id"],
            name=op.f("fk_wait_list_offers_entry_id_wait_list_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_wait_list_offers_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_wait_list_offers_practitioner_id_practitioners"),
        ),
        sa.ForeignKeyConstraint(
            ["appointment_type_id"],
            ["appointment_types.id"],
            name=op.f("fk_wait_list_offers_appointment_type_id_appointment_types"),
        ),
        sa.ForeignKeyConstraint(
            ["reply_id"], ["sms_replies.id"], name=op.f("fk_wait_list_offers_reply_id_sms_replies")
        ),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_wait_list_offers_appointment_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wait_list_offers")),
    )
    op.create_index(op.f("ix_wait_list_offers_round_id"), "wait_list_offers", ["round_id"])
    op.create_index(op.f("ix_wait_list_offers_patient_id"), "wait_list_offers", ["patient_id"])
    op.create_index(
        "ix_wait_list_offers_slot", "wait_list_offers", ["practitioner_id", "starts_at"]
    )


def _row_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _SYNCED:
            op.execute(f"DROP TRIGGER IF EXISTS sync_log_{table} ON {table}")
            op.execute(f"DELETE FROM sync_changes WHERE entity = '{table}'")
    op.drop_table("wait_list_offers")
    op.drop_table("wait_list_settings")
    op.drop_index(op.f("ix_wait_list_entries_appointment_id"), table_name="wait_list_entries")
    op.drop_index(op.f("ix_wait_list_entries_patient_id"), table_name="wait_list_entries")
    op.drop_table("wait_list_entries")

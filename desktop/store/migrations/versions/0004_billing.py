"""Billing and Xero: invoices, invoice lines, payments, refunds, Xero contacts and settings.

Revision ID: 0004_billing
Revises: 0003_outbox
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_billing"
down_revision = "0003_outbox"
branch_labels = None
depends_on = None


def _row_columns() -> list[sa.Column[object]]:
    """Columns every entity has (models.Row)."""
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "xero_settings",
        sa.Column("key", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_message", sa.Text(), nullable=False),
        sa.Column("client_id", sa.String(length=100), nullable=False),
        sa.Column("connection_key", sa.String(length=64), nullable=False),
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("tenant_name", sa.String(length=200), nullable=False),
        sa.Column("income_account_code", sa.String(length=20), nullable=False),
        sa.Column("bank_account_code", sa.String(length=20), nullable=False),
        sa.Column("payment_accounts", sa.JSON(), nullable=False),
        sa.Column("tax_type", sa.String(length=40), nullable=False),
        sa.Column("daily_call_limit", sa.Integer(), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("refresh_lock_owner", sa.String(length=64), nullable=False),
        sa.Column("refresh_lock_until", sa.DateTime(timezone=True), nullable=True),
        *_row_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xero_settings")),
        sa.UniqueConstraint("key", name=op.f("uq_xero_settings_key")),
    )
    op.create_table(
        "xero_contacts",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("contact_number", sa.String(length=50), nullable=False),
        sa.Column("xero_contact_id", sa.String(length=36), nullable=True),
        *_row_columns(),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_xero_contacts_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xero_contacts")),
        sa.UniqueConstraint("contact_number", name=op.f("uq_xero_contacts_contact_number")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_xero_contacts_patient_id")),
    )
    op.create_table(
        "invoices",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("appointment_id", sa.Uuid(), nullable=False),
        sa.Column("active_service_key", sa.String(length=80), nullable=True),
        sa.Column("practitioner_id", sa.Uuid(), nullable=False),
        sa.Column("practitioner_name", sa.String(length=200), nullable=False),
        sa.Column("provider_number", sa.String(length=20), nullable=False),
        sa.Column("clinic_name", sa.String(length=200), nullable=False),
        sa.Column("type_name", sa.String(length=120), nullable=False),
        sa.Column("item_code", sa.String(length=20), nullable=False),
        sa.Column("service_date", sa.Date(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("void_reason", sa.Text(), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("xero_invoice_id", sa.String(length=36), nullable=True),
        *_row_columns(),
        sa.CheckConstraint("sequence > 0", name=op.f("ck_invoices_sequence_positive")),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_invoices_appointment_id_appointments"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_invoices_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_invoices_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["practitioners.id"],
            name=op.f("fk_invoices_practitioner_id_practitioners"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("active_service_key", name=op.f("uq_invoices_active_service_key")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
        sa.UniqueConstraint("sequence", name=op.f("uq_invoices_sequence")),
    )
    op.create_index(op.f("ix_invoices_appointment_id"), "invoices", ["appointment_id"])
    op.create_index(op.f("ix_invoices_patient_id"), "invoices", ["patient_id"])
    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("item_code", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price_cents", sa.Integer(), nullable=False),
        *_row_columns(),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_invoice_lines_quantity_positive")),
        sa.CheckConstraint(
            "unit_price_cents >= 0", name=op.f("ck_invoice_lines_unit_price_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_invoice_lines_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
    )
    op.create_index(op.f("ix_invoice_lines_invoice_id"), "invoice_lines", ["invoice_id"])
    for table, date_column, extra in (
        (
            "payments",
            "received_on",
            [
                sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
                sa.Column("reference", sa.String(length=100), nullable=False),
                sa.Column("status", sa.String(length=20), nullable=False),
                sa.Column("deleted_reason", sa.Text(), nullable=False),
                sa.Column("xero_revision", sa.Integer(), nullable=False),
                sa.Column("xero_payment_id", sa.String(length=36), nullable=True),
            ],
        ),
        (
            "refunds",
            "refunded_on",
            [
                sa.Column("reason", sa.Text(), nullable=False),
                sa.Column("xero_credit_note_id", sa.String(length=36), nullable=True),
                sa.Column("xero_payment_id", sa.String(length=36), nullable=True),
            ],
        ),
    ):
        op.create_table(
            table,
            sa.Column("invoice_id", sa.Uuid(), nullable=False),
            sa.Column("position", sa.Integer(), nullable=False),
            sa.Column("number", sa.String(length=30), nullable=False),
            sa.Column("amount_cents", sa.Integer(), nullable=False),
            sa.Column("currency", sa.String(length=3), nullable=False),
            sa.Column("method", sa.String(length=20), nullable=False),
            sa.Column(date_column, sa.Date(), nullable=False),
            *extra,
            *_row_columns(),
            sa.CheckConstraint("amount_cents > 0", name=op.f(f"ck_{table}_amount_positive")),
            sa.ForeignKeyConstraint(
                ["invoice_id"], ["invoices.id"], name=op.f(f"fk_{table}_invoice_id_invoices")
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint("number", name=op.f(f"uq_{table}_number")),
        )
        op.create_index(op.f(f"ix_{table}_invoice_id"), table, ["invoice_id"])


def downgrade() -> None:
    for table in ("refunds", "payments", "invoice_lines"):
        op.drop_index(op.f(f"ix_{table}_invoice_id"), table_name=table)
        op.drop_table(table)
    op.drop_index(op.f("ix_invoices_patient_id"), table_name="invoices")
    op.drop_index(op.f("ix_invoices_appointment_id"), table_name="invoices")
    op.drop_table("invoices")
    op.drop_table("xero_contacts")
    op.drop_table("xero_settings")

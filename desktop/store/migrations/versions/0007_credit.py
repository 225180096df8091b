"""Prepaid packages and patient credit: packages, credit lots, applications, refunds.

Revision ID: 0007_credit
Revises: 0006_sync
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_credit"
down_revision = "0006_sync"
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
        "credit_packages",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("price_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=True),
        sa.Column("eligible_type_ids", sa.JSON(), nullable=False),
        sa.Column("valid_days", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        *_row_columns(),
        sa.CheckConstraint("price_cents > 0", name=op.f("ck_credit_packages_price_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_packages")),
        sa.UniqueConstraint("name", name=op.f("uq_credit_packages_name")),
    )
    op.create_table(
        "credit_lots",
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("package_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=True),
        sa.Column("eligible_type_ids", sa.JSON(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("xero_credit_id", sa.String(length=36), nullable=True),
        *_row_columns(),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_credit_lots_amount_positive")),
        sa.CheckConstraint("sequence > 0", name=op.f("ck_credit_lots_sequence_positive")),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["credit_packages.id"],
            name=op.f("fk_credit_lots_package_id_credit_packages"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_credit_lots_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_lots")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_lots_number")),
        sa.UniqueConstraint("sequence", name=op.f("uq_credit_lots_sequence")),
    )
    op.create_index(op.f("ix_credit_lots_patient_id"), "credit_lots", ["patient_id"])
    op.create_table(
        "credit_applications",
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("returned_reason", sa.Text(), nullable=False),
        sa.Column("xero_allocation_id", sa.String(length=36), nullable=True),
        *_row_columns(),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_credit_applications_amount_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_credit_applications_invoice_id_invoices")
        ),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["credit_lots.id"], name=op.f("fk_credit_applications_lot_id_credit_lots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_applications")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_applications_number")),
    )
    op.create_index(
        op.f("ix_credit_applications_invoice_id"), "credit_applications", ["invoice_id"]
    )
    op.create_index(op.f("ix_credit_applications_lot_id"), "credit_applications", ["lot_id"])
    op.create_table(
        "credit_refunds",
        sa.Column("lot_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("refunded_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("xero_payment_id", sa.String(length=36), nullable=True),
        *_row_columns(),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_credit_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["lot_id"], ["credit_lots.id"], name=op.f("fk_credit_refunds_lot_id_credit_lots")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_refunds")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_refunds_number")),
    )
    op.create_index(op.f("ix_credit_refunds_lot_id"), "credit_refunds", ["lot_id"])
    op.create_table(
        "credit_settings",
        sa.Column("key", sa.String(length=20), nullable=False),
        sa.Column("auto_apply", sa.Boolean(), nullable=False),
        *_row_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_settings")),
        sa.UniqueConstraint("key", name=op.f("uq_credit_settings_key")),
    )


def downgrade() -> None:
    op.drop_table("credit_settings")
    op.drop_index(op.f("ix_credit_refunds_lot_id"), table_name="credit_refunds")
    op.drop_table("credit_refunds")
    op.drop_index(op.f("ix_credit_applications_lot_id"), table_name="credit_applications")
    op.drop_index(op.f("ix_credit_applications_invoice_id"), table_name="credit_applications")
    op.drop_table("credit_applications")
    op.drop_index(op.f("ix_credit_lots_patient_id"), table_name="credit_lots")
    op.drop_table("credit_lots")
    op.drop_table("credit_packages")

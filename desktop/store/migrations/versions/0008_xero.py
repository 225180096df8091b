"""Xero: call slots shared by every process, the income-in-advance account, and
which date an invoice carries in Xero.

Revision ID: 0008_xero
Revises: 0008_sync_money (re-chained after main's migrations)
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_xero"
down_revision = "0008_sync_money"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "xero_call_slots",
        sa.Column("tenant_id", sa.String(length=36), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("held_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tenant_id", "slot", name=op.f("pk_xero_call_slots")),
    )
    with op.batch_alter_table("xero_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "advance_account_code", sa.String(length=20), server_default="835", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column(
                "invoice_date_basis", sa.String(length=20), server_default="service", nullable=False
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("xero_settings", schema=None) as batch_op:
        batch_op.drop_column("invoice_date_basis")
        batch_op.drop_column("advance_account_code")
    op.drop_table("xero_call_slots")

"""SMS through real providers: which one (Twilio, ClickSend, custom relay) and its account.

A clinic that already had a gateway address keeps it, as a custom relay. The
sender widens to hold a Twilio messaging service SID (34 characters).

Revision ID: 0009_sms
Revises: 0008_xero
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_sms"
down_revision = "0008_xero"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messaging_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("sms_provider", sa.String(length=20), server_default="twilio", nullable=False)
        )
        batch_op.add_column(
            sa.Column("sms_account", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.alter_column(
            "sms_sender_id", existing_type=sa.String(length=20), type_=sa.String(length=40)
        )
    op.execute("UPDATE messaging_settings SET sms_provider = 'relay' WHERE sms_gateway_url <> ''")


def downgrade() -> None:
    with op.batch_alter_table("messaging_settings", schema=None) as batch_op:
        batch_op.alter_column(
            "sms_sender_id", existing_type=sa.String(length=40), type_=sa.String(length=20)
        )
        batch_op.drop_column("sms_account")
        batch_op.drop_column("sms_provider")

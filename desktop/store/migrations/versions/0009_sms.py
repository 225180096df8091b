"""SMS through real providers: which one (Twilio or a custom relay), its account,
and the replies patients text back (`sms_replies`).

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
    op.create_table(
        "sms_replies",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("sender", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opt_out", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_sms_replies_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_sms_replies_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_replies")),
        sa.UniqueConstraint("provider_id", name=op.f("uq_sms_replies_provider_id")),
    )
    op.create_index(op.f("ix_sms_replies_patient_id"), "sms_replies", ["patient_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_sms_replies_patient_id"), table_name="sms_replies")
    op.drop_table("sms_replies")
    with op.batch_alter_table("messaging_settings", schema=None) as batch_op:
        batch_op.alter_column(
            "sms_sender_id", existing_type=sa.String(length=40), type_=sa.String(length=20)
        )
        batch_op.drop_column("sms_account")
        batch_op.drop_column("sms_provider")

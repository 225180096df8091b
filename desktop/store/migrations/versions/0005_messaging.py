"""Patient messages: settings, outgoing messages, opt-outs, SMS credit.

Revision ID: 0005_messaging
Revises: 0004_billing
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_messaging"
down_revision = "0004_billing"
branch_labels = None
depends_on = None


def _row_columns() -> list[sa.Column[object]]:
    """The columns every table has (desktop.store.models.Row)."""
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "messaging_settings",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("reminders_by_sms", sa.Boolean(), nullable=False),
        sa.Column("reminders_by_email", sa.Boolean(), nullable=False),
        sa.Column("reminder_lead_minutes", sa.Integer(), nullable=False),
        sa.Column("sms_template", sa.Text(), nullable=False),
        sa.Column("email_subject", sa.String(length=300), nullable=False),
        sa.Column("email_body", sa.Text(), nullable=False),
        sa.Column("smtp_host", sa.String(length=200), nullable=False),
        sa.Column("smtp_port", sa.Integer(), nullable=False),
        sa.Column("smtp_security", sa.String(length=10), nullable=False),
        sa.Column("smtp_username", sa.String(length=200), nullable=False),
        sa.Column("sender_address", sa.String(length=200), nullable=False),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column("billing_email", sa.String(length=200), nullable=False),
        sa.Column("sms_gateway_url", sa.String(length=500), nullable=False),
        sa.Column("sms_sender_id", sa.String(length=20), nullable=False),
        sa.Column("low_credit_warning", sa.Integer(), nullable=False),
        *_row_columns(),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_messaging_settings_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messaging_settings")),
        sa.UniqueConstraint("clinic_id", name=op.f("uq_messaging_settings_clinic_id")),
    )
    op.create_table(
        "sms_credit_accounts",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        *_row_columns(),
        sa.CheckConstraint(
            "balance >= 0", name=op.f("ck_sms_credit_accounts_balance_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_sms_credit_accounts_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_credit_accounts")),
        sa.UniqueConstraint("clinic_id", name=op.f("uq_sms_credit_accounts_clinic_id")),
    )
    op.create_table(
        "sms_credit_purchases",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("purchased_by", sa.String(length=200), nullable=False),
        sa.Column("purchased_at", sa.DateTime(timezone=True), nullable=False),
        *_row_columns(),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_sms_credit_purchases_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_credit_purchases")),
    )
    op.create_index(
        op.f("ix_sms_credit_purchases_clinic_id"), "sms_credit_purchases", ["clinic_id"]
    )
    op.create_table(
        "sms_credit_charges",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("charged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        *_row_columns(),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_sms_credit_charges_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["outbox_jobs.id"], name=op.f("fk_sms_credit_charges_job_id_outbox_jobs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_credit_charges")),
        sa.UniqueConstraint("job_id", name=op.f("uq_sms_credit_charges_job_id")),
    )
    op.create_index(op.f("ix_sms_credit_charges_clinic_id"), "sms_credit_charges", ["clinic_id"])
    op.create_table(
        "message_opt_outs",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        *_row_columns(),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_message_opt_outs_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_opt_outs")),
        sa.UniqueConstraint("patient_id", "channel", name=op.f("uq_message_opt_outs_patient_id")),
    )
    op.create_table(
        "outgoing_messages",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("appointment_id", sa.Uuid(), nullable=True),
        sa.Column("purchase_id", sa.Uuid(), nullable=True),
        sa.Column("for_starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(length=200), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivery_status", sa.String(length=20), nullable=False),
        sa.Column("delivery_detail", sa.Text(), nullable=False),
        *_row_columns(),
        sa.ForeignKeyConstraint(
            ["appointment_id"],
            ["appointments.id"],
            name=op.f("fk_outgoing_messages_appointment_id_appointments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_outgoing_messages_clinic_id_clinics")
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["outbox_jobs.id"], name=op.f("fk_outgoing_messages_job_id_outbox_jobs")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_outgoing_messages_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["purchase_id"],
            ["sms_credit_purchases.id"],
            name=op.f("fk_outgoing_messages_purchase_id_sms_credit_purchases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outgoing_messages")),
        sa.UniqueConstraint("job_id", name=op.f("uq_outgoing_messages_job_id")),
    )
    op.create_index(
        op.f("ix_outgoing_messages_appointment_id"), "outgoing_messages", ["appointment_id"]
    )
    op.create_index(op.f("ix_outgoing_messages_patient_id"), "outgoing_messages", ["patient_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_outgoing_messages_patient_id"), table_name="outgoing_messages")
    op.drop_index(op.f("ix_outgoing_messages_appointment_id"), table_name="outgoing_messages")
    op.drop_table("outgoing_messages")
    op.drop_table("message_opt_outs")
    op.drop_index(op.f("ix_sms_credit_charges_clinic_id"), table_name="sms_credit_charges")
    op.drop_table("sms_credit_charges")
    op.drop_index(op.f("ix_sms_credit_purchases_clinic_id"), table_name="sms_credit_purchases")
    op.drop_table("sms_credit_purchases")
    op.drop_table("sms_credit_accounts")
    op.drop_table("messaging_settings")

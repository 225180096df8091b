"""SMS credit is the provider's: Frontdesk stops selling and counting its own.

* `sms_credit_charges` (credit taken per send) is dropped: the provider bills each
  text and reports its own balance.
* `sms_credit_accounts` (the local balance) is no longer read or written, but stays
  while the sync's table list (0011_msgsync) still names it.
* `sms_credit_purchases` stays, read-only: the receipts already in
  `outgoing_messages` point to it, so old data stays readable.
* Texts held for want of local credit go back in the queue, and receipt emails
  not yet written are withdrawn with the reason (nothing was really bought).

Revision ID: 0011_sms
Revises: 0011_repeats
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_sms"
down_revision = "0011_repeats"
branch_labels = None
depends_on = None

NO_MORE_RECEIPTS = (
    "Frontdesk no longer sells SMS credit: the SMS provider bills the clinic "
    "and sends its own receipts."
)


def upgrade() -> None:
    op.execute("UPDATE outbox_jobs SET state = 'pending' WHERE channel = 'sms' AND state = 'held'")
    op.execute(
        sa.text(
            "UPDATE outbox_jobs SET state = 'superseded', last_error = :reason "
            "WHERE kind = 'email.receipt' AND state IN ('pending', 'held', 'parked') "
            "AND id IN (SELECT job_id FROM outgoing_messages WHERE body = '')"
        ).bindparams(reason=NO_MORE_RECEIPTS)
    )
    op.drop_index(op.f("ix_sms_credit_charges_clinic_id"), table_name="sms_credit_charges")
    op.drop_table("sms_credit_charges")


def downgrade() -> None:
    op.create_table(
        "sms_credit_charges",
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("credits", sa.Integer(), nullable=False),
        sa.Column("charged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
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

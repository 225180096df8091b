"""The unused local SMS credit balance leaves the store and the sync.

* `sms_credit_accounts` (the local balance 0011_sms stopped reading and writing) is
  dropped. On PostgreSQL its change-log triggers (0011_msgsync) go first, with its
  entries in the change log, so no desk is ever sent a row of it again; on a desk,
  rows of it waiting in the sync inbox go too.
* `sms_credit_purchases` stays, read-only: old receipts in `outgoing_messages` point
  to it.

Revision ID: 0012_smsdesk
Revises: 0011_waitlist
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_smsdesk"
down_revision = "0011_waitlist"
branch_labels = None
depends_on = None

SYNC_WRITE_LOCK = 727006  # as in 0006_sync
_TABLE = "sms_credit_accounts"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"SELECT pg_advisory_xact_lock({SYNC_WRITE_LOCK})")
        op.execute(f"DROP TRIGGER IF EXISTS sync_log_{_TABLE} ON {_TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS sync_log_{_TABLE}_delete ON {_TABLE}")
        op.execute(f"DELETE FROM sync_changes WHERE entity = '{_TABLE}'")
    op.execute(f"DELETE FROM sync_inbox WHERE entity = '{_TABLE}'")
    op.drop_table(_TABLE)


def downgrade() -> None:
    op.create_table(
        _TABLE,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("clinic_id", sa.Uuid(), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "balance >= 0", name=op.f("ck_sms_credit_accounts_balance_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinics.id"], name=op.f("fk_sms_credit_accounts_clinic_id_clinics")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_credit_accounts")),
        sa.UniqueConstraint("clinic_id", name=op.f("uq_sms_credit_accounts_clinic_id")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER sync_log_{_TABLE} AFTER INSERT OR UPDATE ON {_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION frontdesk_log_sync_change()"
        )
        op.execute(
            f"CREATE TRIGGER sync_log_{_TABLE}_delete AFTER DELETE ON {_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION frontdesk_log_sync_change()"
        )

"""Messages join the shared store: settings, the message log, SMS credit and replies.

On PostgreSQL these tables join the change log (triggers; existing rows logged once):

* `messaging_settings` — pushed by desks (the server re-checks them), pulled by all;
* `sms_replies` — kept by the server's message sender, pulled (SMS credit is the
  provider's, 0011_sms: there is no local balance to share);
* `outgoing_messages` — the message log: desks push the reminders they queue, the
  server's sender fills in what became of them. Receipts of SMS credit purchases
  stay on the server (the purchases themselves are not synced);
* `outbox_jobs` — only the jobs of patients' messages (SMS and email), pulled, so a
  desk shows each message's status as the server's sender left it. Xero jobs and
  purchase receipts are not logged.

* `outgoing_messages.retry_requested_at`: Retry pressed on a desk reaches the sender.

Revision ID: 0011_msgsync
Revises: 0010_sync_messages
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_msgsync"
down_revision = "0010_sync_messages"
branch_labels = None
depends_on = None

SYNC_WRITE_LOCK = 727006  # as in 0006_sync
# Newly synced tables, parents first, with the rows of each that are synced (SQL).
_NEWLY_SYNCED = {
    "messaging_settings": "true",
    "outbox_jobs": "{row}.channel IN ('sms', 'email') AND {row}.kind <> 'email.receipt'",
    "outgoing_messages": "{row}.purchase_id IS NULL",
    "sms_replies": "true",
}


def upgrade() -> None:
    with op.batch_alter_table("outgoing_messages") as batch:
        batch.add_column(sa.Column("retry_requested_at", sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"SELECT pg_advisory_xact_lock({SYNC_WRITE_LOCK})")
    for table, synced in _NEWLY_SYNCED.items():
        op.execute(
            f"INSERT INTO sync_changes (entity, entity_id, seq, version, deleted, changed_at) "
            f"SELECT '{table}', id, nextval('sync_change_seq'), version, false, now() "
            f"FROM {table} WHERE {synced.format(row=table)} ORDER BY created_at, id"
        )
        # Two triggers: a WHEN clause can name NEW only on writes, OLD only on deletes.
        op.execute(
            f"CREATE TRIGGER sync_log_{table} AFTER INSERT OR UPDATE ON {table} "
            f"FOR EACH ROW WHEN ({synced.format(row='NEW')}) "
            "EXECUTE FUNCTION frontdesk_log_sync_change()"
        )
        op.execute(
            f"CREATE TRIGGER sync_log_{table}_delete AFTER DELETE ON {table} "
            f"FOR EACH ROW WHEN ({synced.format(row='OLD')}) "
            "EXECUTE FUNCTION frontdesk_log_sync_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _NEWLY_SYNCED:
            op.execute(f"DROP TRIGGER IF EXISTS sync_log_{table} ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS sync_log_{table}_delete ON {table}")
            op.execute(f"DELETE FROM sync_changes WHERE entity = '{table}'")
    with op.batch_alter_table("outgoing_messages") as batch:
        batch.drop_column("retry_requested_at")

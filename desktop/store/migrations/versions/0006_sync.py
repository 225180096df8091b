"""Remote store and replicas: change log, pushed mutations, rate limits, replica queues.

On PostgreSQL every write to a synced table is stamped, by a trigger, with the next
value of `sync_change_seq` in `sync_changes`. The trigger first takes a
transaction-level advisory lock, so change numbers are handed out in commit order:
a reader that sees number N has already seen every number below it, and a pull
cursor can never skip a change committed late. Rows that exist before this
migration are logged once, parents first.

Revision ID: 0006_sync
Revises: 0005_messaging
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_sync"
down_revision = "0005_messaging"
branch_labels = None
depends_on = None

# Parents before children (kept in step with desktop.store.sync_models.SYNCED_TABLES).
SYNCED_TABLES = (
    "clinics",
    "practitioners",
    "provider_numbers",
    "patients",
    "appointment_types",
    "appointments",
    "attendances",
)
# Shared with desktop.server: every server write transaction takes this lock first.
SYNC_WRITE_LOCK = 727006

_PG_LOG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION frontdesk_log_sync_change() RETURNS trigger AS $$
DECLARE
    changed_id uuid;
    changed_version integer;
BEGIN
    PERFORM pg_advisory_xact_lock({SYNC_WRITE_LOCK});
    IF TG_OP = 'DELETE' THEN
        changed_id := OLD.id;
        changed_version := OLD.version;
    ELSE
        changed_id := NEW.id;
        changed_version := NEW.version;
    END IF;
    INSERT INTO sync_changes (entity, entity_id, seq, version, deleted, changed_at)
    VALUES (TG_TABLE_NAME, changed_id, nextval('sync_change_seq'), changed_version,
            TG_OP = 'DELETE', now())
    ON CONFLICT (entity, entity_id) DO UPDATE
        SET seq = EXCLUDED.seq, version = EXCLUDED.version,
            deleted = EXCLUDED.deleted, changed_at = EXCLUDED.changed_at;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    op.create_table(
        "sync_changes",
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("entity", "entity_id", name=op.f("pk_sync_changes")),
        sa.UniqueConstraint("seq", name=op.f("uq_sync_changes_seq")),
    )
    op.create_table(
        "sync_applied_mutations",
        sa.Column("mutation_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("replica_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("error_code", sa.String(length=40), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("mutation_id", name=op.f("pk_sync_applied_mutations")),
    )
    op.create_index(
        op.f("ix_sync_applied_mutations_replica_id"),
        "sync_applied_mutations",
        ["replica_id"],
    )
    op.create_table(
        "rate_limit_buckets",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("tokens", sa.Float(), nullable=False),
        sa.Column("refilled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limit_buckets")),
    )
    op.create_table(
        "sync_mutations",
        sa.Column("position", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("mutation_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("operation", sa.String(length=10), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_sync_mutations")),
        sa.UniqueConstraint("mutation_id", name=op.f("uq_sync_mutations_mutation_id")),
    )
    op.create_index("ix_sync_mutations_entity", "sync_mutations", ["entity", "entity_id"])
    op.create_table(
        "sync_inbox",
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("entity", "entity_id", name=op.f("pk_sync_inbox")),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("mutation_id", sa.Uuid(), nullable=False),
        sa.Column("group_id", sa.Uuid(), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("operation", sa.String(length=10), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_conflicts")),
        sa.UniqueConstraint("mutation_id", name=op.f("uq_sync_conflicts_mutation_id")),
    )
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("server_url", sa.Text(), nullable=False),
        sa.Column("replica_id", sa.Uuid(), nullable=False),
        sa.Column("cursor", sa.BigInteger(), nullable=False),
        sa.Column("staged_cursor", sa.BigInteger(), nullable=True),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    if op.get_bind().dialect.name == "postgresql":
        _log_changes_on_postgresql()


def _log_changes_on_postgresql() -> None:
    op.execute("CREATE SEQUENCE IF NOT EXISTS sync_change_seq AS bigint")
    op.execute(_PG_LOG_FUNCTION)
    op.execute(f"SELECT pg_advisory_xact_lock({SYNC_WRITE_LOCK})")
    for table in SYNCED_TABLES:
        # Rows already here (a server database set up before sync) are logged once.
        op.execute(
            f"INSERT INTO sync_changes (entity, entity_id, seq, version, deleted, changed_at) "
            f"SELECT '{table}', id, nextval('sync_change_seq'), version, false, now() "
            f"FROM {table} ORDER BY created_at, id"
        )
        op.execute(
            f"CREATE TRIGGER sync_log_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION frontdesk_log_sync_change()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in SYNCED_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS sync_log_{table} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS frontdesk_log_sync_change()")
        op.execute("DROP SEQUENCE IF EXISTS sync_change_seq")
    op.drop_table("sync_state")
    op.drop_table("sync_conflicts")
    op.drop_table("sync_inbox")
    op.drop_index("ix_sync_mutations_entity", table_name="sync_mutations")
    op.drop_table("sync_mutations")
    op.drop_table("rate_limit_buckets")
    op.drop_index(op.f("ix_sync_applied_mutations_replica_id"), table_name="sync_applied_mutations")
    op.drop_table("sync_applied_mutations")
    op.drop_table("sync_changes")

"""The shared store carries the whole clinic: numbering series per desk, desk codes.

* `invoices.series`, `credit_lots.series`: the numbering series (desktop.store.numbering);
  the sequence is unique within its series rather than overall.
* `sync_state.desk_code` (replica) and `sync_desks` (server): the code the server gives
  each desk at its first sync.
* `sync_conflicts.mine` / `.changed`: the refused row and the fields it set (Conflicts list).
* `sync_mutations.base_fields`: an update's fields as they were (field-level merge).
* `sync_log_state`: how far tombstones were trimmed; `sync_desks.acked_cursor`.
* The money tables join the change log (PostgreSQL triggers, existing rows logged once).

Revision ID: 0008_sync_money
Revises: 0008_import
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_sync_money"
down_revision = "0008_import"
branch_labels = None
depends_on = None

_NUMBERED = ("invoices", "credit_lots")
# Tables synced from this revision on, parents first (desktop.store.sync_models.SYNCED_TABLES).
_NEWLY_SYNCED = (
    "credit_packages",
    "invoices",
    "invoice_lines",
    "payments",
    "refunds",
    "credit_lots",
    "credit_applications",
    "credit_refunds",
    "credit_settings",
    "message_opt_outs",
    "users",  # downloaded by desks only (desktop.sync.pulled_users)
)
SYNC_WRITE_LOCK = 727006  # as in 0006_sync


def upgrade() -> None:
    for table in _NUMBERED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("series", sa.String(length=4), nullable=False, server_default="")
            )
            batch.drop_constraint(f"uq_{table}_sequence", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_series", ["series", "sequence"])
        with op.batch_alter_table(table) as batch:
            batch.alter_column("series", server_default=None)
    with op.batch_alter_table("sync_state") as batch:
        batch.add_column(sa.Column("desk_code", sa.String(length=4), nullable=True))
    with op.batch_alter_table("sync_conflicts") as batch:
        batch.add_column(sa.Column("mine", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("changed", sa.JSON(), nullable=True))
    with op.batch_alter_table("sync_mutations") as batch:
        batch.add_column(sa.Column("base_fields", sa.JSON(), nullable=True))
    op.create_table(
        "sync_desks",
        sa.Column("replica_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acked_cursor", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("replica_id", name=op.f("pk_sync_desks")),
        sa.UniqueConstraint("code", name=op.f("uq_sync_desks_code")),
    )
    op.create_table(
        "sync_log_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("trimmed_through", sa.BigInteger(), nullable=False),
        sa.Column("trimmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_log_state")),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"SELECT pg_advisory_xact_lock({SYNC_WRITE_LOCK})")
        for table in _NEWLY_SYNCED:
            # Money already on a server database is logged once, so desks download it.
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
    op.drop_table("sync_log_state")
    if op.get_bind().dialect.name == "postgresql":
        for table in _NEWLY_SYNCED:
            op.execute(f"DROP TRIGGER IF EXISTS sync_log_{table} ON {table}")
            op.execute(f"DELETE FROM sync_changes WHERE entity = '{table}'")
    op.drop_table("sync_desks")
    with op.batch_alter_table("sync_mutations") as batch:
        batch.drop_column("base_fields")
    with op.batch_alter_table("sync_conflicts") as batch:
        batch.drop_column("changed")
        batch.drop_column("mine")
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("desk_code")
    for table in _NUMBERED:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_series", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_sequence", ["sequence"])
            batch.drop_column("series")

"""The shared store carries the whole clinic: numbering series per desk, desk codes.

* `invoices.series`, `credit_lots.series`: the numbering series (desktop.store.numbering);
  the sequence is unique within its series rather than overall.
* `sync_state.desk_code` (replica) and `sync_desks` (server): the code the server gives
  each desk at its first sync.

Revision ID: 0008_sync_money
Revises: 0007_credit
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_sync_money"
down_revision = "0007_credit"
branch_labels = None
depends_on = None

_NUMBERED = ("invoices", "credit_lots")


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
    op.create_table(
        "sync_desks",
        sa.Column("replica_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=4), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("replica_id", name=op.f("pk_sync_desks")),
        sa.UniqueConstraint("code", name=op.f("uq_sync_desks_code")),
    )


def downgrade() -> None:
    op.drop_table("sync_desks")
    with op.batch_alter_table("sync_state") as batch:
        batch.drop_column("desk_code")
    for table in _NUMBERED:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"uq_{table}_series", type_="unique")
            batch.create_unique_constraint(f"uq_{table}_sequence", ["sequence"])
            batch.drop_column("series")

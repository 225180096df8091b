"""Sync reaches further: "sign out everywhere" travels to desks with the user.

* `users.signed_out_everywhere_at`: when the user was last signed out everywhere;
  a desk that downloads the user ends its own sessions begun before it.

Revision ID: 0010_sync_messages
Revises: 0009_perf
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_sync_messages"
down_revision = "0009_perf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("signed_out_everywhere_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("signed_out_everywhere_at")

"""The clinic's sign-in policy syncs between desks (issue #18).

`sign_in_policy` becomes a synced row like the other clinic settings: a UUID id,
`version` and `created_at` (desktop.store.models.Row), one row with the same id in
every database (`SIGN_IN_POLICY_ID`), carrying over the values the old row (id 1)
held, or the defaults. On PostgreSQL it joins the change log (trigger), the row
logged once so desks download it.

Revision ID: 0013_policysync
Revises: 0012_noshow
Create Date: 2026-12-02
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0013_policysync"
down_revision = "0012_noshow"
branch_labels = None
depends_on = None

POLICY_ID = uuid.UUID("013a8890-a344-5d95-bc4e-9a4ba1441ec7")  # auth_models.SIGN_IN_POLICY_ID
_DEFAULTS = (15 * 60, 12 * 3600, 30 * 86400)  # desktop.auth.records.SessionPolicy
_VALUES = ("idle_timeout_seconds", "lifetime_seconds", "remember_seconds")


def _old_values() -> tuple[tuple[int, int, int], datetime]:
    row = (
        op.get_bind()
        .execute(sa.text(f"SELECT {', '.join(_VALUES)}, updated_at FROM sign_in_policy LIMIT 1"))
        .first()
    )
    if row is None:
        return _DEFAULTS, datetime.now(UTC)
    at = row[3] if isinstance(row[3], datetime) else datetime.fromisoformat(str(row[3]))
    return (int(row[0]), int(row[1]), int(row[2])), at if at.tzinfo else at.replace(tzinfo=UTC)


def upgrade() -> None:
    values, at = _old_values()
    op.drop_table("sign_in_policy")
    table = op.create_table(
        "sign_in_policy",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _VALUES),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_policy")),
    )
    assert table is not None
    if op.get_bind().dialect.name == "postgresql":
        # Logged by the trigger as it is written, so every desk downloads the clinic's.
        op.execute(
            "CREATE TRIGGER sync_log_sign_in_policy AFTER INSERT OR UPDATE OR DELETE "
            "ON sign_in_policy FOR EACH ROW EXECUTE FUNCTION frontdesk_log_sync_change()"
        )
    op.bulk_insert(
        table,
        [
            {"id": POLICY_ID, "created_at": at, "updated_at": at, "version": 1}
            | dict(zip(_VALUES, values, strict=True))
        ],
    )


def downgrade() -> None:
    values, at = _old_values()
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS sync_log_sign_in_policy ON sign_in_policy")
        op.execute("DELETE FROM sync_changes WHERE entity = 'sign_in_policy'")
    op.drop_table("sign_in_policy")
    table = op.create_table(
        "sign_in_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in _VALUES),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_policy")),
    )
    assert table is not None
    op.bulk_insert(table, [{"id": 1, "updated_at": at} | dict(zip(_VALUES, values, strict=True))])

"""A no-show frees its time: the double-booking guards (SQLite triggers, the
PostgreSQL exclusion constraint) ignore no-shows as they ignore cancellations, so the
rest of a no-show's time can be given to someone on the wait list.

Revision ID: 0012_noshow
Revises: 0012_smsdesk
Create Date: 2026-12-02
"""

from __future__ import annotations

from desktop.store.migrations.calendar_rules_sql import free_no_show_time, hold_no_show_time

revision = "0012_noshow"
down_revision = "0012_smsdesk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    free_no_show_time()


def downgrade() -> None:
    hold_no_show_time()

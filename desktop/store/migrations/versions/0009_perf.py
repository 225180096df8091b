"""Appointments are at most 12 hours long in the store too, and the SQLite overlap
triggers use that to look back only 12 hours instead of over the whole history.

Revision ID: 0009_perf
Revises: 0009_sms
Create Date: 2026-12-02
"""

from __future__ import annotations

from desktop.store.migrations.calendar_rules_sql import (
    drop_appointment_length_guard,
    guard_appointment_length,
)

revision = "0009_perf"
down_revision = "0009_sms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    guard_appointment_length()


def downgrade() -> None:
    drop_appointment_length_guard()

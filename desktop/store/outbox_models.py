"""The persistent outbox: work for the outside world (Xero, SMS, email), one row a job.

A job is written in the same transaction as the change that causes it, so a
change is never committed without its job, nor a job without its change.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from desktop.store.models import Row
from desktop.store.types import UTCDateTime, utc_now


class OutboxJobRow(Row):
    __tablename__ = "outbox_jobs"
    __table_args__ = (
        Index("ix_outbox_jobs_due", "channel", "state", "next_attempt_at"),
        Index("ix_outbox_jobs_subject", "kind", "subject_id"),
    )

    channel: Mapped[str] = mapped_column(String(20))  # "xero", "sms", "email"
    kind: Mapped[str] = mapped_column(String(60))  # e.g. "xero.payment", "email.receipt"
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid)  # the record the job is about
    subject_version: Mapped[int] = mapped_column(Integer, default=1)
    # Lower stages go first: a contact before its invoice, an invoice before its payment.
    stage: Mapped[int] = mapped_column(Integer, default=0)
    depends_on_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("outbox_jobs.id"), nullable=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    superseded_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)

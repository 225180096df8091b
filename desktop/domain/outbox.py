"""Outbox jobs as the rest of the app sees them, and what a delivery attempt can end in."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any


class Channel(enum.StrEnum):
    XERO = "xero"
    SMS = "sms"
    EMAIL = "email"


class JobState(enum.StrEnum):
    PENDING = "pending"  # waiting for its time (and for the jobs it depends on)
    IN_FLIGHT = "in_flight"  # claimed by a worker; reclaimed if the worker dies
    DONE = "done"
    PARKED = "parked"  # refused for good; needs an edit or a person (Retry)
    SUPERSEDED = "superseded"  # replaced by a newer job for the same record
    HELD = "held"  # cannot go yet for a reason a person fixes (e.g. Xero needs reconnecting)

    @property
    def open(self) -> bool:
        return self in (JobState.PENDING, JobState.IN_FLIGHT, JobState.PARKED, JobState.HELD)


@dataclass(frozen=True, slots=True)
class OutboxJob:
    id: uuid.UUID
    channel: Channel
    kind: str
    subject_id: uuid.UUID
    subject_version: int
    stage: int
    payload: dict[str, Any]
    state: JobState
    idempotency_key: str
    attempts: int
    next_attempt_at: datetime
    last_error: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    depends_on_id: uuid.UUID | None = None
    created_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Delivered:
    """The outside world has it. `result` keeps what it answered (e.g. Xero's IDs)."""

    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TryAgain:
    """A temporary failure (timeout, 5xx, 429). `after` None means: back off by attempts."""

    error: str
    after: timedelta | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    """A permanent refusal, kept for the user with the reason.

    `theirs`: the reason is the other side's own answer (Xero's validation message),
    not our explanation (a mismatch we found, a document voided there).
    """

    reason: str
    theirs: bool = False


@dataclass(frozen=True, slots=True)
class Held:
    """Cannot go until a person acts (e.g. buy SMS credit); not counted as a failure."""

    reason: str


Outcome = Delivered | TryAgain | Refused | Held

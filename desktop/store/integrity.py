"""Turning the store's rule guards (triggers, constraints) back into domain errors."""

from __future__ import annotations

from desktop.domain.errors import DomainError, DoubleBooking, InvalidInput, PractitionerInactive
from desktop.domain.rules import TOO_LONG
from desktop.store.migrations.calendar_rules_sql import (
    INACTIVE_MARKER,
    OVERLAP_CONSTRAINT,
    OVERLAP_MARKER,
    TOO_LONG_CONSTRAINT,
    TOO_LONG_MARKER,
)


def domain_error_for(exc: Exception) -> DomainError | None:
    """The rule a database refusal stands for, or None when it is something else."""
    text = str(getattr(exc, "orig", exc))
    if OVERLAP_MARKER in text or OVERLAP_CONSTRAINT in text:
        return DoubleBooking("The practitioner", "at that time (someone booked it just now)")
    if INACTIVE_MARKER in text:
        return PractitionerInactive("This practitioner")
    if TOO_LONG_MARKER in text or TOO_LONG_CONSTRAINT in text:
        return InvalidInput(TOO_LONG)
    return None

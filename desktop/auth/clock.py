"""Where sign-in logic gets the time: the system clock, or a hand-moved one in tests.

All expiry, idle and lockout decisions take `Clock.now()`, never `datetime.now()`,
so a test can move time forward instead of sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to (tests, simulations)."""

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2031, 3, 3, 9, 0, tzinfo=UTC)
        if start.tzinfo is None:
            raise ValueError("a ManualClock needs a timezone-aware start")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> datetime:
        self._now += delta
        return self._now

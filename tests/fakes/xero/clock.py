"""A controllable clock for the Xero fake.

Everything time-dependent in the fake (token expiry, refresh-token grace,
idempotency-key lifetime, rate-limit windows, "today" for default dates) reads
this clock, never the wall clock, so tests move time with ``advance()``
instead of sleeping.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta


class FakeClock:
    """Thread-safe UTC clock that only moves when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        if start is None:
            start = datetime.now(UTC).replace(microsecond=0)
        elif start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """Current fake time (aware, UTC)."""
        with self._lock:
            return self._now

    def timestamp(self) -> float:
        """Current fake time as POSIX seconds."""
        return self.now().timestamp()

    def today(self) -> date:
        """Current fake date (UTC; the fake's organisations use UTC dates)."""
        return self.now().date()

    def advance(self, seconds: float = 0.0, **kwargs: float) -> datetime:
        """Move time forward, e.g. ``advance(61)`` or ``advance(minutes=30)``."""
        delta = timedelta(seconds=seconds, **kwargs)
        if delta < timedelta(0):
            raise ValueError("the fake clock only moves forward")
        with self._lock:
            self._now = self._now + delta
            return self._now

    def set(self, when: datetime) -> None:
        """Jump to an absolute time (may not go backwards)."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        with self._lock:
            if when < self._now:
                raise ValueError("the fake clock only moves forward")
            self._now = when.astimezone(UTC)

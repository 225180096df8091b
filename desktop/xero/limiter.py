"""Xero's limits, kept on our side so a busy day fits instead of earning 429s.

Per organisation Xero allows 60 calls a minute, 5 at once and a daily cap (5,000;
1,000 on the starter tier). The limiter counts our calls in a rolling minute,
believes Xero's `X-MinLimit-Remaining` / `X-DayLimit-Remaining` headers when they
say less is left (another app or PC uses the same organisation), and after a 429
waits what `Retry-After` says. Its clock is injected: tests and benchmarks run
minutes of Xero time without sleeping.

`limiter_for` gives one limiter per organisation for the whole process, so the
worker, Sync now and Compare count their calls together. (The 5-at-once limit
across processes is `call_slots.SharedCallSlots`.)
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta

Clock = Callable[[], datetime]

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
# After a daily-limit 429 without Retry-After, look again in an hour.
DAY_BLOCK = timedelta(hours=1)
CONCURRENT_BACKOFF = timedelta(seconds=1)


class XeroLimiter:
    def __init__(
        self,
        clock: Clock,
        *,
        per_minute: int = 60,
        concurrent: int = 5,
        per_day: int = 5000,
    ) -> None:
        self.clock = clock
        self.per_minute = per_minute
        self.per_day = per_day
        self._calls: deque[datetime] = deque()  # the last minute's calls
        self._day_calls: deque[datetime] = deque()  # the last day's calls
        self._blocked_until: datetime | None = None
        self._blocked_for = ""
        self._slots = threading.BoundedSemaphore(concurrent)
        self._lock = threading.Lock()

    def _prune(self, now: datetime) -> None:
        while self._calls and self._calls[0] <= now - MINUTE:
            self._calls.popleft()
        while self._day_calls and self._day_calls[0] <= now - DAY:
            self._day_calls.popleft()

    def wait_needed(self) -> tuple[timedelta, str]:
        """How long before the next call may start, and which limit says so."""
        with self._lock:
            now = self.clock()
            self._prune(now)
            if self._blocked_until is not None and self._blocked_until > now:
                return self._blocked_until - now, self._blocked_for
            if len(self._day_calls) >= self.per_day:
                return self._day_calls[0] + DAY - now, "daily"
            if len(self._calls) >= self.per_minute:
                return self._calls[0] + MINUTE - now, "minute"
            return timedelta(0), ""

    def record_call(self) -> None:
        with self._lock:
            now = self.clock()
            self._prune(now)
            self._calls.append(now)
            self._day_calls.append(now)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """At most `concurrent` calls in flight from this process."""
        with self._slots:
            yield

    def note_headers(self, headers: Mapping[str, str] | None) -> None:
        """What Xero says is left; trusted when it is less than we think."""
        if not headers:
            return
        lowered = {str(name).lower(): value for name, value in headers.items()}
        minute = _int(lowered.get("x-minlimit-remaining"))
        day = _int(lowered.get("x-daylimit-remaining"))
        with self._lock:
            now = self.clock()
            self._prune(now)
            if minute is not None:
                # Someone else used part of this minute: count their calls as if ours.
                used_elsewhere = self.per_minute - minute - len(self._calls)
                for _ in range(max(0, used_elsewhere)):
                    self._calls.append(now)
            if day is not None and day <= 0:
                self._block(now + DAY_BLOCK, "daily")

    def note_refusal(self, problem: str, retry_after: timedelta | None) -> timedelta:
        """A 429: stop calling until Xero says we may; returns the wait."""
        if retry_after is None:
            retry_after = DAY_BLOCK if problem == "day" else CONCURRENT_BACKOFF
        with self._lock:
            self._block(self.clock() + retry_after, problem)
        return retry_after

    def _block(self, until: datetime, problem: str) -> None:
        if self._blocked_until is None or until > self._blocked_until:
            self._blocked_until = until
            self._blocked_for = problem


def _int(value: object) -> int | None:
    try:
        return int(str(value)) if value is not None else None
    except ValueError:
        return None


_SHARED: dict[tuple[str, Clock], XeroLimiter] = {}
_SHARED_LOCK = threading.Lock()


def limiter_for(tenant_id: str, clock: Clock, *, per_day: int = 5000) -> XeroLimiter:
    """This process's one limiter for an organisation (on one clock)."""
    with _SHARED_LOCK:
        limiter = _SHARED.get((tenant_id, clock))
        if limiter is None:
            limiter = XeroLimiter(clock, per_day=per_day)
            _SHARED[(tenant_id, clock)] = limiter
        limiter.per_day = per_day  # the clinic may have changed its tier
        return limiter

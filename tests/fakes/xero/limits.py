"""Xero's API rate limits, on the fake clock.

Per tenant: ``concurrent`` calls in flight (5), ``minute`` calls in a rolling
60 s (60), ``day`` calls in a rolling 24 h (5000; Xero's starter tier is
1000). Per app: ``appminute`` calls in a rolling 60 s across tenants (10000).

Every accounting response carries ``X-DayLimit-Remaining``,
``X-MinLimit-Remaining`` and ``X-AppMinLimit-Remaining``. A refused call gets
429 with ``X-Rate-Limit-Problem`` and, for the time-window limits,
``Retry-After`` in whole seconds until the window has room again. Refused
calls are not counted.

Xero's daily limit is documented as a fixed window resetting at a
per-tenant time; the fake uses a rolling 24 h window (same total, simpler).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from dataclasses import dataclass, field

from .clock import FakeClock

MINUTE = 60.0
DAY = 24 * 3600.0


@dataclass
class Limits:
    minute: int = 60
    day: int = 5000
    concurrent: int = 5
    app_minute: int = 10000


@dataclass
class Refusal:
    problem: str  # minute | day | concurrent | appminute
    retry_after: int | None


@dataclass
class _TenantCounters:
    minute: deque[float] = field(default_factory=deque)
    day: deque[float] = field(default_factory=deque)
    in_flight: int = 0


class RateLimiter:
    def __init__(self, clock: FakeClock, limits: Limits | None = None) -> None:
        self.clock = clock
        self.limits = limits or Limits()
        self._tenants: dict[str, _TenantCounters] = {}
        self._app_minute: deque[float] = deque()
        self._lock = threading.Lock()

    def _counters(self, tenant_id: str) -> _TenantCounters:
        return self._tenants.setdefault(tenant_id, _TenantCounters())

    def _prune(self, now: float, counters: _TenantCounters) -> None:
        while counters.minute and counters.minute[0] <= now - MINUTE:
            counters.minute.popleft()
        while counters.day and counters.day[0] <= now - DAY:
            counters.day.popleft()
        while self._app_minute and self._app_minute[0] <= now - MINUTE:
            self._app_minute.popleft()

    def acquire(self, tenant_id: str) -> Refusal | None:
        """Count a call and mark it in flight, or say which limit refuses it."""
        with self._lock:
            now = self.clock.timestamp()
            c = self._counters(tenant_id)
            self._prune(now, c)
            lim = self.limits
            if len(c.day) >= lim.day:
                return Refusal("day", _wait(c.day[0] + DAY - now))
            if len(self._app_minute) >= lim.app_minute:
                return Refusal("appminute", _wait(self._app_minute[0] + MINUTE - now))
            if len(c.minute) >= lim.minute:
                return Refusal("minute", _wait(c.minute[0] + MINUTE - now))
            if c.in_flight >= lim.concurrent:
                return Refusal("concurrent", None)
            c.minute.append(now)
            c.day.append(now)
            self._app_minute.append(now)
            c.in_flight += 1
            return None

    def release(self, tenant_id: str) -> None:
        with self._lock:
            c = self._counters(tenant_id)
            c.in_flight = max(0, c.in_flight - 1)

    def in_flight(self, tenant_id: str) -> int:
        with self._lock:
            return self._counters(tenant_id).in_flight

    def headers(self, tenant_id: str) -> dict[str, str]:
        """The X-*-Remaining headers as they stand now."""
        with self._lock:
            now = self.clock.timestamp()
            c = self._counters(tenant_id)
            self._prune(now, c)
            lim = self.limits
            return {
                "X-DayLimit-Remaining": str(max(0, lim.day - len(c.day))),
                "X-MinLimit-Remaining": str(max(0, lim.minute - len(c.minute))),
                "X-AppMinLimit-Remaining": str(max(0, lim.app_minute - len(self._app_minute))),
            }


def _wait(seconds: float) -> int:
    return max(1, math.ceil(seconds))

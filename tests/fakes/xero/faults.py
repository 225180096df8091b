"""Injectable failures: what Xero (or the network) does on a bad day.

Each fault is queued with a count and an optional request matcher
(``path`` regex searched in the request path, ``method``). By default faults
match only accounting API calls (``/api.xro/``), so a token refresh made on
the way does not consume them; pass ``path=`` to target identity endpoints.

Kinds:

* ``fail``     - answer with an HTTP error (default 503) before processing.
* ``throttle`` - answer 429 with ``Retry-After`` / ``X-Rate-Limit-Problem``
  before processing (independent of the real counters).
* ``drop``     - close the connection without any response, either before
  processing (nothing applied) or after commit (applied, client sees a
  network error: "Xero answered but we crashed").
* ``delay``    - hold the response (after commit by default) for up to
  ``seconds`` of *real* time or until released, so a client read timeout
  fires while the change has been applied.

Besides queued faults, ``FaultRates`` brings faults at random, as a bad day does:
each accounting call, independently, may get a 5xx or a 429 before it is
processed, or lose its answer after Xero applied it. The draws come from a seeded
``random.Random`` in the order calls arrive, so a run is reproducible from its
seed. A queued fault that matches goes first (no draw is made for that phase).
"""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    kind: str  # fail | throttle | drop | delay
    remaining: int
    path: re.Pattern[str] | None
    method: str | None
    after_commit: bool = False
    status: int = 503
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: int = 60
    problem: str = "minute"
    seconds: float = 5.0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        if self.path is None:
            return "/api.xro/" in path.lower()
        return bool(self.path.search(path))


@dataclass
class FaultRates:
    """The chance, per accounting call, of each fault; `injected` counts those drawn."""

    rng: random.Random
    server_errors: float = 0.0  # 500/502/503/504, nothing applied
    throttles: float = 0.0  # 429 with `retry_after`, nothing applied
    lost_responses: float = 0.0  # applied, then the connection drops (no answer)
    retry_after: int = 2
    injected: Counter[str] = field(default_factory=Counter)

    def draw(self, path: str, *, after_commit: bool) -> Fault | None:
        if "/api.xro/" not in path.lower():
            return None  # only Xero's accounting calls, as with queued faults
        roll = self.rng.random()
        if after_commit:
            if roll < self.lost_responses:
                self.injected["lost response"] += 1
                return Fault("drop", 1, None, None, after_commit=True)
            return None
        if roll < self.server_errors:
            status = self.rng.choice((500, 502, 503, 504))
            self.injected[f"{status}"] += 1
            return Fault("fail", 1, None, None, status=status)
        if roll < self.server_errors + self.throttles:
            self.injected["429"] += 1
            return Fault("throttle", 1, None, None, retry_after=self.retry_after)
        return None


class FaultQueue:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.rates: FaultRates | None = None
        self._lock = threading.Lock()
        self.release_event = threading.Event()
        self.held_event = threading.Event()  # set when a delay fault starts holding

    def add(self, fault: Fault) -> None:
        if fault.remaining < 1:
            raise ValueError("n must be at least 1")
        with self._lock:
            self._faults.append(fault)

    def take(self, method: str, path: str, *, after_commit: bool) -> Fault | None:
        """Consume one matching fault of the given phase (FIFO)."""
        with self._lock:
            for fault in self._faults:
                before = fault.kind in ("fail", "throttle") or not fault.after_commit
                phase_ok = (not before) if after_commit else before
                if phase_ok and fault.matches(method, path):
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                    return fault
            if self.rates is not None:
                return self.rates.draw(path, after_commit=after_commit)
            return None

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            self.rates = None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)


def compile_path(path: str | None) -> re.Pattern[str] | None:
    return re.compile(path, re.IGNORECASE) if path else None

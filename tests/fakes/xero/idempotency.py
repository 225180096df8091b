"""Xero's ``Idempotency-Key`` handling for POST/PUT/PATCH.

* A key is remembered for ``ttl`` seconds (Xero: about 6 minutes) of fake
  time from its first use, per app (client_id).
* Same key + same request (method, path, query, tenant, JSON body) within the
  window: the stored response is replayed and nothing is applied again.
* Same key + a different request: 400.
* The stored response is whatever the handler produced, errors included
  (Xero caches internal errors too). Calls refused before reaching the
  handler (401/403/429, injected faults) are not stored.
* A second call with a key whose first call is still being processed gets
  409 (Xero's behaviour here is undocumented).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from .clock import FakeClock

MAX_KEY_LENGTH = 128


@dataclass
class StoredResponse:
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass
class _Entry:
    fingerprint: str
    created: float
    response: StoredResponse | None = None


def fingerprint(
    method: str, path: str, query: list[tuple[str, str]], tenant_id: str, body: Any, raw: bytes
) -> str:
    """Hash of everything that makes two requests "the same request"."""
    canon_body = (
        json.dumps(body, sort_keys=True, default=str)
        if body is not None
        else raw.decode("utf-8", "replace")
    )
    payload = json.dumps([method.upper(), path.lower(), sorted(query), tenant_id, canon_body])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class IdempotencyStore:
    def __init__(self, clock: FakeClock, ttl: float = 360.0) -> None:
        self.clock = clock
        self.ttl = ttl
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._lock = threading.Lock()

    def _live(self, scope: str, key: str) -> _Entry | None:
        entry = self._entries.get((scope, key))
        if entry is not None and self.clock.timestamp() >= entry.created + self.ttl:
            del self._entries[(scope, key)]
            return None
        return entry

    def begin(self, scope: str, key: str, fp: str) -> tuple[str, StoredResponse | None]:
        """``("new", None)``, ``("replay", response)``, ``("mismatch", None)`` or ``("busy", None)``."""
        with self._lock:
            entry = self._live(scope, key)
            if entry is None:
                self._entries[(scope, key)] = _Entry(fp, self.clock.timestamp())
                return "new", None
            if entry.fingerprint != fp:
                return "mismatch", None
            if entry.response is None:
                return "busy", None
            return "replay", entry.response

    def finish(self, scope: str, key: str, response: StoredResponse) -> None:
        with self._lock:
            entry = self._entries.get((scope, key))
            if entry is not None:
                entry.response = response

    def abandon(self, scope: str, key: str) -> None:
        with self._lock:
            entry = self._entries.get((scope, key))
            if entry is not None and entry.response is None:
                del self._entries[(scope, key)]

    def keys(self) -> list[str]:
        with self._lock:
            return [
                key for (scope, key) in list(self._entries) if self._live(scope, key) is not None
            ]

"""Rate limits kept in PostgreSQL, so every server instance counts against the same buckets.

Each limit is a token bucket: it holds up to `requests` tokens and refills at
`requests / per_seconds` a second; a request takes one token from every bucket
that applies to it (its bearer token's, its client address's, and for sign-ins a
stricter per-address one). A request is allowed only if *every* bucket has a
token, and then all of them pay; a refused request takes nothing and does
nothing. The buckets are read and written in one transaction with their rows
locked (in key order, so two instances never deadlock), timed by the database's
clock (or an injected one in tests), so two instances behave as one.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from desktop.server.limits import Limit as Limit
from desktop.server.limits import RateLimits as RateLimits
from desktop.store.database import Database
from desktop.store.sync_models import RateLimitBucketRow

Clock = Callable[[], datetime]


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int  # until the tightest bucket is full again
    retry_after: int  # when refused: seconds until a token is there


def token_key(token: str) -> str:
    return "token:" + _digest(token)


def username_key(username: str) -> str:
    """Hashed, so the table of buckets holds no usernames."""
    return "sign-in-user:" + _digest(username)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:40]


class RateLimiter:
    def __init__(self, database: Database, clock: Clock | None = None) -> None:
        self.database = database
        self.clock = clock
        self._checks = 0
        self._lock = threading.Lock()

    def take(self, buckets: Sequence[tuple[str, Limit]]) -> Decision:
        """One token from each bucket, or none at all."""
        limits = dict(sorted(buckets))
        with self.database.write_session() as session:
            now = self.clock() if self.clock else session.execute(select(func.now())).scalar_one()
            session.execute(
                pg_insert(RateLimitBucketRow)
                .values(
                    [
                        {"key": key, "tokens": float(limit.requests), "refilled_at": now}
                        for key, limit in limits.items()
                    ]
                )
                .on_conflict_do_nothing(index_elements=["key"])
            )
            stored = session.execute(
                select(
                    RateLimitBucketRow.key,
                    RateLimitBucketRow.tokens,
                    RateLimitBucketRow.refilled_at,
                )
                .where(RateLimitBucketRow.key.in_(list(limits)))
                .order_by(RateLimitBucketRow.key)
                .with_for_update()
            ).all()
            available = {
                key: min(
                    float(limits[key].requests),
                    tokens + max(0.0, (now - refilled_at).total_seconds()) * limits[key].rate,
                )
                for key, tokens, refilled_at in stored
            }
            allowed = all(value >= 1.0 for value in available.values())
            if allowed:
                for key, value in available.items():
                    session.execute(
                        update(RateLimitBucketRow)
                        .where(RateLimitBucketRow.key == key)
                        .values(tokens=value - 1.0, refilled_at=now)
                    )
            session.commit()
        self._tidy()
        return _decision(limits, available, allowed)

    def _tidy(self) -> None:
        """Now and then, drop buckets untouched for a day (they would be full anyway)."""
        with self._lock:
            self._checks += 1
            due = self._checks % 5000 == 0
        if not due:
            return
        with self.database.write_session() as session:
            cutoff = func.now() - func.make_interval(0, 0, 0, 1)
            session.execute(
                delete(RateLimitBucketRow).where(RateLimitBucketRow.refilled_at < cutoff)
            )
            session.commit()


def _decision(limits: dict[str, Limit], available: dict[str, float], allowed: bool) -> Decision:
    after = {key: value - 1.0 if allowed else value for key, value in available.items()}
    tightest = min(after, key=lambda key: after[key] / limits[key].requests)
    limit = limits[tightest]
    remaining = max(0, math.floor(after[tightest]))
    reset = math.ceil(max(0.0, limit.requests - after[tightest]) / limit.rate)
    retry = 0
    if not allowed:
        retry = max(
            math.ceil((1.0 - value) / limits[key].rate)
            for key, value in available.items()
            if value < 1.0
        )
    return Decision(allowed, limit.requests, remaining, reset, max(retry, 1) if not allowed else 0)

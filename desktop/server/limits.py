"""What a rate limit is (requests per seconds): read from the command line without
loading the database code that enforces them (desktop/server/rate_limit.py)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limit:
    requests: int
    per_seconds: float

    @property
    def rate(self) -> float:
        return self.requests / self.per_seconds

    @classmethod
    def parse(cls, text: str) -> Limit:
        """“600/60” → 600 requests per 60 seconds."""
        try:
            count, _, seconds = text.partition("/")
            limit = cls(int(count), float(seconds or "60"))
        except ValueError as exc:
            raise ValueError(f"“{text}” is not a limit like 600/60 (requests/seconds)") from exc
        if limit.requests < 1 or limit.per_seconds <= 0:
            raise ValueError(f"“{text}”: both numbers must be positive")
        return limit


@dataclass(frozen=True, slots=True)
class RateLimits:
    per_token: Limit | None = Limit(600, 60)
    per_address: Limit | None = Limit(1200, 60)
    sign_in: Limit | None = Limit(20, 60)

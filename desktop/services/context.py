"""The caller of a use case: which database, who is signed in, and the clock.

Every service call asks `ServiceContext.actor()` first. A session source that has
lapsed raises `SessionExpired` there, before anything is read or written, so the
UI can ask the user to sign in again and retry the very same call. The signed-in
desktop's source is `desktop.auth.SignedInSession`.

The clock says when money changes hands: a payment is counted on the clinic-local
day of `now()` (a test stands a payment at 23:30 clinic time this way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from desktop.auth.errors import ExpiryReason, SessionExpired
from desktop.domain.roles import SYSTEM, Actor
from desktop.store.database import Database
from desktop.store.unit_of_work import UnitOfWork

# SessionExpired lives with the sign-in logic (desktop.auth); it is re-exported here
# because every caller of the services meets it through this module.
__all__ = [
    "ActorSource",
    "ExpiryReason",
    "ServiceContext",
    "SessionExpired",
    "SystemActor",
]


class ActorSource(Protocol):
    def current_actor(self) -> Actor:
        """The signed-in user, or raise SessionExpired."""
        ...


class SystemActor:
    """For the CLI and the embedded store before sign-in exists: acts as the clinic itself."""

    def current_actor(self) -> Actor:
        return SYSTEM


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ServiceContext:
    database: Database
    actors: ActorSource
    clock: Callable[[], datetime] = field(default=_utc_now)

    def actor(self) -> Actor:
        return self.actors.current_actor()

    def now(self) -> datetime:
        """The current instant (UTC)."""
        return self.clock()

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.database)

    @classmethod
    def for_system(cls, database: Database) -> ServiceContext:
        return cls(database, SystemActor())

"""The caller of a use case: which database, and who is signed in.

Every service call asks `ServiceContext.actor()` first. A session source that has
lapsed raises `SessionExpired` there, before anything is read or written, so the
UI can ask the user to sign in again and retry the very same call. The signed-in
desktop's source is `desktop.auth.SignedInSession`.
"""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass
class ServiceContext:
    database: Database
    actors: ActorSource

    def actor(self) -> Actor:
        return self.actors.current_actor()

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.database)

    @classmethod
    def for_system(cls, database: Database) -> ServiceContext:
        return cls(database, SystemActor())

"""Users, sessions and the clinic's sign-in policy, as plain values (no SQL, no Qt).

A `UserRecord` is what the store keeps (including the password hash and failure
count); a `UserAccount` is what may be shown or returned to any caller.
"""

from __future__ import annotations

import enum
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from desktop.auth.errors import ExpiryReason
from desktop.domain.errors import InvalidInput
from desktop.domain.roles import Actor, Role

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,79}")


def normalise_username(username: str) -> str:
    """Usernames compare without case or surrounding spaces: ` Sarah ` signs in as `sarah`."""
    return username.strip().casefold()


def check_username(username: str) -> str:
    name = normalise_username(username)
    if not _USERNAME.fullmatch(name):
        raise InvalidInput(
            "A username is 1 to 80 letters, digits or . _ @ - and starts with a letter or digit."
        )
    return name


@dataclass(frozen=True, slots=True)
class UserAccount:
    """A user as any screen or API may see it (no password hash)."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    practitioner_id: uuid.UUID | None
    active: bool
    locked_until: datetime | None = None
    last_sign_in_at: datetime | None = None

    @property
    def actor(self) -> Actor:
        return Actor(
            user_id=self.id,
            name=self.display_name,
            role=self.role,
            practitioner_id=self.practitioner_id,
        )

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until


@dataclass(frozen=True, slots=True)
class UserRecord:
    """A user as the store keeps it."""

    id: uuid.UUID
    username: str
    display_name: str
    role: Role
    practitioner_id: uuid.UUID | None
    password_hash: str
    active: bool = True
    failed_sign_ins: int = 0
    locked_until: datetime | None = None
    password_changed_at: datetime | None = None
    last_sign_in_at: datetime | None = None
    # "Sign out everywhere": sessions begun before it are over, also on desks (they
    # download the user and end their own, desktop.sync.pulled_users).
    signed_out_everywhere_at: datetime | None = None

    @property
    def account(self) -> UserAccount:
        return UserAccount(
            id=self.id,
            username=self.username,
            display_name=self.display_name,
            role=self.role,
            practitioner_id=self.practitioner_id,
            active=self.active,
            locked_until=self.locked_until,
            last_sign_in_at=self.last_sign_in_at,
        )


@dataclass(frozen=True, slots=True)
class NewUser:
    username: str
    display_name: str
    role: Role
    password: str
    practitioner_id: uuid.UUID | None = None


class SessionKind(enum.StrEnum):
    SESSION = "session"  # used on every call; idle timeout and absolute lifetime
    REFRESH = "refresh"  # "remember me": only exchanged for a new session (and a new refresh)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: uuid.UUID
    user_id: uuid.UUID
    kind: SessionKind
    token_hash: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    idle_timeout: timedelta | None
    revoked_at: datetime | None = None
    revoked_reason: ExpiryReason | None = None
    device: str = ""

    def ended_because(self, now: datetime) -> ExpiryReason | None:
        """Why this session can no longer be used at `now`, or None while it is valid."""
        if self.revoked_at is not None:
            return self.revoked_reason or ExpiryReason.REVOKED
        if now >= self.expires_at:
            return ExpiryReason.EXPIRED
        if self.idle_timeout is not None and now >= self.last_seen_at + self.idle_timeout:
            return ExpiryReason.IDLE
        return None

    def touch_due(self, now: datetime) -> bool:
        """Whether last-seen is stale enough to write again (at most about once a minute)."""
        step = timedelta(minutes=1)
        if self.idle_timeout is not None:
            step = min(step, self.idle_timeout / 10)
        return now - self.last_seen_at >= step


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """How long sign-ins last, chosen per clinic database by an administrator."""

    idle_timeout: timedelta = timedelta(minutes=15)
    lifetime: timedelta = timedelta(hours=12)  # absolute: a working day, then sign in again
    remember_for: timedelta = timedelta(days=30)  # zero: "remember me" is switched off

    def check(self) -> SessionPolicy:
        if not timedelta(minutes=1) <= self.idle_timeout <= timedelta(hours=24):
            raise InvalidInput("The idle timeout must be between 1 minute and 24 hours.")
        if not timedelta(minutes=5) <= self.lifetime <= timedelta(days=30):
            raise InvalidInput("A session must last between 5 minutes and 30 days.")
        if self.idle_timeout > self.lifetime:
            raise InvalidInput("The idle timeout cannot be longer than the session itself.")
        if not timedelta(0) <= self.remember_for <= timedelta(days=365):
            raise InvalidInput("“Remember me” can last at most 365 days (0 switches it off).")
        return self


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """After `threshold` failures in a row the user is locked, for longer each time.

    The 5th failure locks for `first_lock`, the 6th for twice that, and so on up to
    `longest_lock`. A correct password (or an administrator) resets the count.
    Attempts while locked are refused without checking the password or counting.
    """

    threshold: int = 5
    first_lock: timedelta = timedelta(minutes=1)
    longest_lock: timedelta = timedelta(hours=1)

    def lock_for(self, failures: int) -> timedelta | None:
        if failures < self.threshold:
            return None
        doublings = min(failures - self.threshold, 20)
        return min(self.first_lock * (1 << doublings), self.longest_lock)

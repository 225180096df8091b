"""Where users and sessions are kept: the port the sign-in logic talks to.

`Authenticator` only speaks to an `AuthStore`; `SqlAuthStore` keeps everything in
the clinic database (SQLite or PostgreSQL). Another store (an async driver for the
HTTP server, an in-memory one for a simulation) only has to implement these two
protocols.

A transaction is committed only by `commit()`; leaving the `with` block without it
rolls back. A `writing()` transaction serialises with other writers for the rows it
`lock`s (SELECT … FOR UPDATE on PostgreSQL; SQLite's write transactions are serial).
"""

from __future__ import annotations

import uuid
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol

from desktop.auth.errors import ExpiryReason
from desktop.auth.records import SessionPolicy, SessionRecord, UserRecord


class AuthTransaction(Protocol):
    def user_by_username(self, username: str, *, lock: bool = False) -> UserRecord | None: ...

    def user_by_id(self, user_id: uuid.UUID, *, lock: bool = False) -> UserRecord | None: ...

    def users(self) -> list[UserRecord]: ...

    def has_users(self) -> bool: ...

    def active_admin_ids(self) -> set[uuid.UUID]: ...

    def insert_user(self, user: UserRecord) -> None: ...

    def update_user(self, user: UserRecord) -> None:
        """Save every field of `user` over the stored row with the same id."""
        ...

    def session_by_token_hash(self, token_hash: str) -> SessionRecord | None: ...

    def insert_session(self, session: SessionRecord) -> None: ...

    def touch_session(self, session_id: uuid.UUID, at: datetime) -> None: ...

    def end_session(self, session_id: uuid.UUID, at: datetime, reason: ExpiryReason) -> bool:
        """End one open session or refresh secret; False when it had already ended."""
        ...

    def end_user_sessions(
        self,
        user_id: uuid.UUID,
        at: datetime,
        reason: ExpiryReason,
        *,
        keep: uuid.UUID | None = None,
    ) -> int:
        """End every open session and refresh token of the user (but `keep`); how many."""
        ...

    def delete_sessions_ended_before(self, cutoff: datetime) -> int: ...

    def policy(self) -> SessionPolicy: ...

    def save_policy(self, policy: SessionPolicy, at: datetime) -> None: ...

    def commit(self) -> None: ...


class AuthStore(Protocol):
    def reading(self) -> AbstractContextManager[AuthTransaction]: ...

    def writing(self) -> AbstractContextManager[AuthTransaction]: ...

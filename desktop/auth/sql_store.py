"""`AuthStore` over the clinic database (SQLite or PostgreSQL) through SQLAlchemy."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, exists, select, update
from sqlalchemy.orm import Session

from desktop.auth.errors import ExpiryReason
from desktop.auth.records import SessionKind, SessionPolicy, SessionRecord, UserRecord
from desktop.domain.roles import Role
from desktop.store.auth_models import (
    SIGN_IN_POLICY_ID,
    SignInPolicyRow,
    SignInSessionRow,
    UserRow,
)
from desktop.store.database import Database

_POLICY_ID = SIGN_IN_POLICY_ID


class SqlAuthStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    @contextmanager
    def reading(self) -> Iterator[SqlAuthTransaction]:
        with self.database.reading() as session:
            yield SqlAuthTransaction(session)

    @contextmanager
    def writing(self) -> Iterator[SqlAuthTransaction]:
        session = self.database.write_session()
        try:
            yield SqlAuthTransaction(session)
        finally:
            session.rollback()
            session.close()


class SqlAuthTransaction:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- users -----------------------------------------------------------------

    def _user_row(self, condition: ColumnElement[bool], *, lock: bool) -> UserRow | None:
        query = select(UserRow).where(condition)
        if lock:
            query = query.with_for_update()
        return self.session.execute(query).scalar_one_or_none()

    def user_by_username(self, username: str, *, lock: bool = False) -> UserRecord | None:
        row = self._user_row(UserRow.username == username, lock=lock)
        return None if row is None else _user(row)

    def user_by_id(self, user_id: uuid.UUID, *, lock: bool = False) -> UserRecord | None:
        row = self._user_row(UserRow.id == user_id, lock=lock)
        return None if row is None else _user(row)

    def users(self) -> list[UserRecord]:
        rows = self.session.execute(select(UserRow).order_by(UserRow.username)).scalars()
        return [_user(row) for row in rows]

    def has_users(self) -> bool:
        return bool(self.session.execute(select(exists().where(UserRow.id.is_not(None)))).scalar())

    def active_admin_ids(self) -> set[uuid.UUID]:
        query = select(UserRow.id).where(UserRow.role == Role.ADMIN.value, UserRow.active)
        return set(self.session.execute(query).scalars())

    def insert_user(self, user: UserRecord) -> None:
        row = UserRow(id=user.id)
        _copy_user(user, row)
        self.session.add(row)
        self.session.flush()

    def update_user(self, user: UserRecord) -> None:
        row = self.session.get(UserRow, user.id)
        if row is None:
            raise KeyError(user.id)
        _copy_user(user, row)
        self.session.flush()

    # --- sessions --------------------------------------------------------------

    def session_by_token_hash(self, token_hash: str) -> SessionRecord | None:
        row = self.session.execute(
            select(SignInSessionRow).where(SignInSessionRow.token_hash == token_hash)
        ).scalar_one_or_none()
        return None if row is None else _session(row)

    def insert_session(self, session: SessionRecord) -> None:
        idle = session.idle_timeout
        self.session.add(
            SignInSessionRow(
                id=session.id,
                user_id=session.user_id,
                kind=session.kind.value,
                token_hash=session.token_hash,
                created_at=session.created_at,
                last_seen_at=session.last_seen_at,
                expires_at=session.expires_at,
                idle_timeout_seconds=None if idle is None else int(idle.total_seconds()),
                revoked_at=session.revoked_at,
                revoked_reason=None if session.revoked_reason is None else session.revoked_reason,
                device=session.device[:200],
            )
        )
        self.session.flush()

    def touch_session(self, session_id: uuid.UUID, at: datetime) -> None:
        self.session.execute(
            update(SignInSessionRow)
            .where(SignInSessionRow.id == session_id, SignInSessionRow.last_seen_at < at)
            .values(last_seen_at=at)
        )

    def end_session(self, session_id: uuid.UUID, at: datetime, reason: ExpiryReason) -> bool:
        result = self.session.execute(
            update(SignInSessionRow)
            .where(SignInSessionRow.id == session_id, SignInSessionRow.revoked_at.is_(None))
            .values(revoked_at=at, revoked_reason=reason.value)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    def end_user_sessions(
        self,
        user_id: uuid.UUID,
        at: datetime,
        reason: ExpiryReason,
        *,
        keep: uuid.UUID | None = None,
    ) -> int:
        query = update(SignInSessionRow).where(
            SignInSessionRow.user_id == user_id,
            SignInSessionRow.revoked_at.is_(None),
            SignInSessionRow.expires_at > at,
        )
        if keep is not None:
            query = query.where(SignInSessionRow.id != keep)
        result = self.session.execute(query.values(revoked_at=at, revoked_reason=reason.value))
        return int(result.rowcount)  # type: ignore[attr-defined]

    def delete_sessions_ended_before(self, cutoff: datetime) -> int:
        result = self.session.execute(
            delete(SignInSessionRow).where(
                (SignInSessionRow.expires_at < cutoff) | (SignInSessionRow.revoked_at < cutoff)
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    # --- policy ----------------------------------------------------------------

    def policy(self) -> SessionPolicy:
        row = self.session.get(SignInPolicyRow, _POLICY_ID)
        if row is None:
            return SessionPolicy()
        return SessionPolicy(
            idle_timeout=timedelta(seconds=row.idle_timeout_seconds),
            lifetime=timedelta(seconds=row.lifetime_seconds),
            remember_for=timedelta(seconds=row.remember_seconds),
        )

    def save_policy(self, policy: SessionPolicy, at: datetime) -> None:
        row = self.session.get(SignInPolicyRow, _POLICY_ID)
        if row is None:
            row = SignInPolicyRow(id=_POLICY_ID)
            self.session.add(row)
        row.idle_timeout_seconds = int(policy.idle_timeout.total_seconds())
        row.lifetime_seconds = int(policy.lifetime.total_seconds())
        row.remember_seconds = int(policy.remember_for.total_seconds())
        row.updated_at = at
        self.session.flush()

    def commit(self) -> None:
        self.session.commit()


def _copy_user(user: UserRecord, row: UserRow) -> None:
    row.username = user.username
    row.display_name = user.display_name
    row.role = user.role.value
    row.practitioner_id = user.practitioner_id
    row.password_hash = user.password_hash
    row.active = user.active
    row.failed_sign_ins = user.failed_sign_ins
    row.locked_until = user.locked_until
    row.password_changed_at = user.password_changed_at
    row.last_sign_in_at = user.last_sign_in_at
    row.signed_out_everywhere_at = user.signed_out_everywhere_at


def _user(row: UserRow) -> UserRecord:
    return UserRecord(
        id=row.id,
        username=row.username,
        display_name=row.display_name,
        role=Role(row.role),
        practitioner_id=row.practitioner_id,
        password_hash=row.password_hash,
        active=row.active,
        failed_sign_ins=row.failed_sign_ins,
        locked_until=row.locked_until,
        password_changed_at=row.password_changed_at,
        last_sign_in_at=row.last_sign_in_at,
        signed_out_everywhere_at=row.signed_out_everywhere_at,
    )


def _session(row: SignInSessionRow) -> SessionRecord:
    idle = row.idle_timeout_seconds
    return SessionRecord(
        id=row.id,
        user_id=row.user_id,
        kind=SessionKind(row.kind),
        token_hash=row.token_hash,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        idle_timeout=None if idle is None else timedelta(seconds=idle),
        revoked_at=row.revoked_at,
        revoked_reason=None if row.revoked_reason is None else ExpiryReason(row.revoked_reason),
        device=row.device,
    )

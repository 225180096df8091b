"""Signing in and out, checking a session on every call, and managing users' credentials.

This is the whole sign-in logic, free of Qt and of any particular database: it
talks to an `AuthStore`, reads the time from a `Clock` and hashes with `Passwords`.
The desktop uses it through `services.accounts`; the HTTP server can use it
directly (a bearer token is a session token: `check(token)` on each request,
`SessionExpired.reason` in the 401 body).

Permissions (who may add users, sign others out …) are the callers' business;
this module only keeps credentials and sessions correct.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from desktop.auth.clock import Clock, SystemClock
from desktop.auth.errors import ExpiryReason, RefusalReason, SessionExpired, SignInRefused
from desktop.auth.passwords import Passwords, check_new_password
from desktop.auth.records import (
    LockoutPolicy,
    NewUser,
    SessionKind,
    SessionPolicy,
    SessionRecord,
    UserAccount,
    UserRecord,
    check_username,
    normalise_username,
)
from desktop.auth.store import AuthStore, AuthTransaction
from desktop.auth.tokens import new_token, token_hash
from desktop.domain.errors import InvalidInput, NotFound
from desktop.domain.roles import Actor, Role

KEEP_ENDED_SESSIONS = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session. The tokens are shown only here; the store keeps their hashes."""

    user: UserAccount
    token: str
    expires_at: datetime
    idle_timeout: timedelta
    refresh_token: str | None = None  # "remember me": exchange with `resume` for a new session
    refresh_expires_at: datetime | None = None

    @property
    def actor(self) -> Actor:
        return self.user.actor


@dataclass(frozen=True, slots=True)
class ValidSession:
    """A session that `check` accepted, and the user it belongs to."""

    session_id: uuid.UUID
    user: UserAccount
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class UserChanges:
    display_name: str
    role: Role
    practitioner_id: uuid.UUID | None
    active: bool


class Authenticator:
    def __init__(
        self,
        store: AuthStore,
        *,
        clock: Clock | None = None,
        passwords: Passwords | None = None,
        lockout: LockoutPolicy | None = None,
    ) -> None:
        self.store = store
        self.clock: Clock = clock or SystemClock()
        self.passwords = passwords or Passwords()
        self.lockout = lockout or LockoutPolicy()

    # --- sessions ----------------------------------------------------------------

    def sign_in(
        self, username: str, password: str, *, remember: bool = False, device: str = ""
    ) -> SignedIn:
        """Open a session, or raise SignInRefused (wrong password, locked, deactivated)."""
        now = self.clock.now()
        with self.store.writing() as tx:
            user = tx.user_by_username(normalise_username(username), lock=True)
            if user is None:
                self.passwords.verify_decoy(password)
                raise _bad_credentials()
            # A desk is sent no password hash for a deactivated user (desktop.server.
            # change_log): there is nothing to check, and the refusal says why.
            if user.active or user.password_hash:
                self._verify_password(tx, user, password, now)
            if not user.active:
                raise SignInRefused(
                    RefusalReason.INACTIVE,
                    "This account has been deactivated. Ask an administrator to reactivate it.",
                )
            user = replace(user, failed_sign_ins=0, locked_until=None, last_sign_in_at=now)
            if self.passwords.needs_rehash(user.password_hash):
                user = replace(user, password_hash=self.passwords.hash(password))
            tx.update_user(user)
            tx.delete_sessions_ended_before(now - KEEP_ENDED_SESSIONS)
            signed_in = self._open(tx, user, now, remember=remember, device=device)
            tx.commit()
            return signed_in

    def resume(self, refresh_token: str, *, device: str = "") -> SignedIn:
        """Exchange a "remember me" secret for a new session and a new secret (rotation)."""
        now = self.clock.now()
        with self.store.writing() as tx:
            record = tx.session_by_token_hash(token_hash(refresh_token))
            if record is None or record.kind is not SessionKind.REFRESH:
                raise SessionExpired(ExpiryReason.INVALID)
            ended = record.ended_because(now)
            if ended is not None:
                raise SessionExpired(ended)
            user = tx.user_by_id(record.user_id, lock=True)
            if user is None or not user.active:
                raise SessionExpired(ExpiryReason.REVOKED)
            # Each secret works once. The swap is conditional: of two requests racing
            # with one secret, the second finds it already ended and is refused.
            if not tx.end_session(record.id, now, ExpiryReason.REVOKED):
                raise SessionExpired(ExpiryReason.REVOKED)
            user = replace(user, last_sign_in_at=now)
            tx.update_user(user)
            signed_in = self._open(tx, user, now, remember=True, device=device or record.device)
            tx.commit()
            return signed_in

    def check(self, token: str) -> ValidSession:
        """The session behind `token`, or SessionExpired with the reason; notes the activity."""
        now = self.clock.now()
        if not token:
            raise SessionExpired(ExpiryReason.SIGNED_OUT)
        with self.store.reading() as tx:
            record = tx.session_by_token_hash(token_hash(token))
            if record is None or record.kind is not SessionKind.SESSION:
                raise SessionExpired(ExpiryReason.INVALID)
            ended = record.ended_because(now)
            if ended is not None:
                raise SessionExpired(ended)
            user = tx.user_by_id(record.user_id)
        if user is None or not user.active:
            raise SessionExpired(ExpiryReason.REVOKED)
        if record.touch_due(now):
            with self.store.writing() as tx:
                tx.touch_session(record.id, now)
                tx.commit()
        return ValidSession(record.id, user.account, record.expires_at)

    def actor_for(self, token: str) -> Actor:
        """Who is acting with `token` (raises SessionExpired)."""
        return self.check(token).user.actor

    def end_session(self, token: str, reason: ExpiryReason = ExpiryReason.SIGNED_OUT) -> None:
        """End one session or refresh secret (signing out, locking the screen). Idempotent."""
        now = self.clock.now()
        with self.store.writing() as tx:
            record = tx.session_by_token_hash(token_hash(token))
            if record is not None:
                tx.end_session(record.id, now, reason)
                tx.commit()

    def sign_out(self, token: str) -> None:
        """End a session and the "remember me" secret opened with it. Idempotent."""
        now = self.clock.now()
        with self.store.writing() as tx:
            record = tx.session_by_token_hash(token_hash(token))
            if record is not None:
                tx.end_session(record.id, now, ExpiryReason.SIGNED_OUT)
                tx.end_session(refresh_id_for(record.id), now, ExpiryReason.SIGNED_OUT)
                tx.commit()

    def end_sessions_of(
        self, user_id: uuid.UUID, reason: ExpiryReason = ExpiryReason.REVOKED
    ) -> int:
        """Sign a user out everywhere (sessions and remembered sign-ins); how many ended.

        The moment is kept on the user, so desks that download the user end theirs too."""
        now = self.clock.now()
        with self.store.writing() as tx:
            user = tx.user_by_id(user_id, lock=True)
            if user is not None:
                tx.update_user(replace(user, signed_out_everywhere_at=now))
            count = tx.end_user_sessions(user_id, now, reason)
            tx.commit()
            return count

    # --- passwords ---------------------------------------------------------------

    def change_password(self, token: str, current: str, new: str) -> None:
        """The signed-in user changes their password; their other sessions end."""
        valid = self.check(token)
        now = self.clock.now()
        check_new_password(new, username=valid.user.username, current=current)
        with self.store.writing() as tx:
            user = self._user_record(tx, valid.user.id, lock=True)
            self._verify_password(
                tx, user, current, now, wrong="The current password is incorrect."
            )
            tx.update_user(self._with_password(user, new, now))
            tx.end_user_sessions(user.id, now, ExpiryReason.REVOKED, keep=valid.session_id)
            tx.commit()

    def set_password(self, user_id: uuid.UUID, new: str) -> UserAccount:
        """An administrator sets a user's password: unlocks them and ends all their sessions."""
        now = self.clock.now()
        with self.store.writing() as tx:
            user = self._user_record(tx, user_id, lock=True)
            check_new_password(new, username=user.username)
            user = self._with_password(user, new, now)
            tx.update_user(user)
            tx.end_user_sessions(user.id, now, ExpiryReason.REVOKED)
            tx.commit()
            return user.account

    def unlock(self, user_id: uuid.UUID) -> UserAccount:
        with self.store.writing() as tx:
            user = replace(
                self._user_record(tx, user_id, lock=True), failed_sign_ins=0, locked_until=None
            )
            tx.update_user(user)
            tx.commit()
            return user.account

    # --- users -------------------------------------------------------------------

    def has_users(self) -> bool:
        with self.store.reading() as tx:
            return tx.has_users()

    def users(self) -> list[UserAccount]:
        with self.store.reading() as tx:
            return [user.account for user in tx.users()]

    def user(self, user_id: uuid.UUID) -> UserAccount:
        with self.store.reading() as tx:
            return self._user_record(tx, user_id).account

    def create_user(self, new: NewUser) -> UserAccount:
        now = self.clock.now()
        username = check_username(new.username)
        check_new_password(new.password, username=username)
        practitioner_id = _practitioner_link(new.role, new.practitioner_id)
        with self.store.writing() as tx:
            if tx.user_by_username(username) is not None:
                raise InvalidInput(f"There is already a user called “{username}”.")
            user = UserRecord(
                id=uuid.uuid4(),
                username=username,
                display_name=new.display_name.strip() or username,
                role=new.role,
                practitioner_id=practitioner_id,
                password_hash=self.passwords.hash(new.password),
                password_changed_at=now,
            )
            tx.insert_user(user)
            tx.commit()
            return user.account

    def update_user(self, user_id: uuid.UUID, changes: UserChanges) -> UserAccount:
        """Rename, change role or practitioner link, (de)activate. Deactivating signs them out.

        The last active administrator can be neither demoted nor deactivated.
        """
        now = self.clock.now()
        with self.store.writing() as tx:
            user = self._user_record(tx, user_id, lock=True)
            stays_admin = changes.active and changes.role is Role.ADMIN
            if not stays_admin and tx.active_admin_ids() == {user.id}:
                raise InvalidInput(
                    f"{user.display_name} is the only administrator. "
                    "Make someone else an administrator first."
                )
            user = replace(
                user,
                display_name=changes.display_name.strip() or user.username,
                role=changes.role,
                practitioner_id=_practitioner_link(changes.role, changes.practitioner_id),
                active=changes.active,
            )
            tx.update_user(user)
            if not user.active:
                tx.end_user_sessions(user.id, now, ExpiryReason.REVOKED)
            tx.commit()
            return user.account

    # --- policy ------------------------------------------------------------------

    def policy(self) -> SessionPolicy:
        with self.store.reading() as tx:
            return tx.policy()

    def set_policy(self, policy: SessionPolicy) -> None:
        """New lengths apply to sessions opened from now on."""
        policy.check()
        with self.store.writing() as tx:
            tx.save_policy(policy, self.clock.now())
            tx.commit()

    # --- internals -----------------------------------------------------------------

    def _open(
        self, tx: AuthTransaction, user: UserRecord, now: datetime, *, remember: bool, device: str
    ) -> SignedIn:
        policy = tx.policy()
        token = new_token()
        expires_at = now + policy.lifetime
        session_id = uuid.uuid4()
        tx.insert_session(
            SessionRecord(
                id=session_id,
                user_id=user.id,
                kind=SessionKind.SESSION,
                token_hash=token_hash(token),
                created_at=now,
                last_seen_at=now,
                expires_at=expires_at,
                idle_timeout=policy.idle_timeout,
                device=device,
            )
        )
        refresh: str | None = None
        refresh_expires_at: datetime | None = None
        if remember and policy.remember_for > timedelta(0):
            refresh = new_token()
            refresh_expires_at = now + policy.remember_for
            tx.insert_session(
                SessionRecord(
                    id=refresh_id_for(session_id),
                    user_id=user.id,
                    kind=SessionKind.REFRESH,
                    token_hash=token_hash(refresh),
                    created_at=now,
                    last_seen_at=now,
                    expires_at=refresh_expires_at,
                    idle_timeout=None,
                    device=device,
                )
            )
        return SignedIn(
            user.account, token, expires_at, policy.idle_timeout, refresh, refresh_expires_at
        )

    def _verify_password(
        self,
        tx: AuthTransaction,
        user: UserRecord,
        password: str,
        now: datetime,
        *,
        wrong: str = "The username or password is incorrect.",
    ) -> None:
        """Raise SignInRefused unless `password` is right and the user is not locked.

        A failure is counted (and may lock the user) and committed before raising.
        """
        if user.locked_until is not None and now < user.locked_until:
            raise _locked(user.locked_until - now)
        if self.passwords.verify(user.password_hash, password):
            return
        failures = user.failed_sign_ins + 1
        lock = self.lockout.lock_for(failures)
        tx.update_user(
            replace(
                user, failed_sign_ins=failures, locked_until=None if lock is None else now + lock
            )
        )
        tx.commit()
        if lock is not None:
            raise _locked(lock)
        left = self.lockout.threshold - failures
        if left <= 2:
            wrong += (
                f" {left} more {'try' if left == 1 else 'tries'} before the account is "
                "locked for a while."
            )
        raise SignInRefused(RefusalReason.BAD_CREDENTIALS, wrong)

    def _with_password(self, user: UserRecord, password: str, now: datetime) -> UserRecord:
        return replace(
            user,
            password_hash=self.passwords.hash(password),
            password_changed_at=now,
            failed_sign_ins=0,
            locked_until=None,
        )

    @staticmethod
    def _user_record(tx: AuthTransaction, user_id: uuid.UUID, *, lock: bool = False) -> UserRecord:
        user = tx.user_by_id(user_id, lock=lock)
        if user is None:
            raise NotFound("That user no longer exists.")
        return user


def refresh_id_for(session_id: uuid.UUID) -> uuid.UUID:
    """The id of the refresh secret opened with a session: derived, so signing out finds it."""
    return uuid.uuid5(session_id, "refresh")


def _practitioner_link(role: Role, practitioner_id: uuid.UUID | None) -> uuid.UUID | None:
    if role is Role.PRACTITIONER:
        if practitioner_id is None:
            raise InvalidInput("A practitioner's account must be linked to their practitioner.")
        return practitioner_id
    return None


def _bad_credentials() -> SignInRefused:
    return SignInRefused(RefusalReason.BAD_CREDENTIALS, "The username or password is incorrect.")


def _locked(remaining: timedelta) -> SignInRefused:
    return SignInRefused(
        RefusalReason.LOCKED,
        "Too many unsuccessful sign-ins: this account is locked for "
        f"{describe_duration(remaining)}. Try again then, or ask an administrator to unlock it.",
        retry_after=remaining,
    )


def describe_duration(duration: timedelta) -> str:
    """Rounded up, in words: "1 minute", "15 minutes", "2 hours"."""
    minutes = max(1, math.ceil(duration.total_seconds() / 60))
    if minutes < 120 and minutes % 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = math.ceil(minutes / 60)
    return f"{hours} hour{'s' if hours != 1 else ''}"

"""Users and signing in: the first administrator, sign in and out, passwords, user admin.

Signing in needs no session (that is how one starts); everything that manages
*other* users asks the caller's session first and requires an administrator.
The credential and session logic itself lives in `desktop.auth`; this module adds
the permission checks and the links to clinic data (a practitioner's account
must point at an existing practitioner).
"""

from __future__ import annotations

import platform
import uuid

from desktop.auth import (
    Authenticator,
    Clock,
    LockoutPolicy,
    NewUser,
    Passwords,
    SessionPolicy,
    SignedIn,
    SignedInSession,
    SqlAuthStore,
    UserAccount,
    UserChanges,
)
from desktop.domain.errors import InvalidInput, NotFound, PermissionDenied
from desktop.domain.roles import Role
from desktop.services.changes import Changes
from desktop.services.context import ServiceContext
from desktop.store.database import Database
from desktop.store.models import PractitionerRow
from desktop.store.sync_models import SyncStateRow


def this_device() -> str:
    """How a session names the computer it was opened on (shown to administrators)."""
    return platform.node() or "this computer"


class Accounts:
    def __init__(
        self,
        database: Database,
        *,
        clock: Clock | None = None,
        passwords: Passwords | None = None,
        lockout: LockoutPolicy | None = None,
    ) -> None:
        self.database = database
        self.authenticator = Authenticator(
            SqlAuthStore(database), clock=clock, passwords=passwords, lockout=lockout
        )

    # --- signing in (no session needed) -------------------------------------------

    def needs_first_admin(self) -> bool:
        """True on a database without any user: the first run creates an administrator."""
        return not self.authenticator.has_users()

    def create_first_admin(self, username: str, display_name: str, password: str) -> SignedIn:
        if not self.needs_first_admin():
            raise InvalidInput("An administrator has already been set up; sign in instead.")
        self.authenticator.create_user(NewUser(username, display_name, Role.ADMIN, password))
        return self.sign_in(username, password)

    def sign_in(self, username: str, password: str, *, remember: bool = False) -> SignedIn:
        return self.authenticator.sign_in(
            username, password, remember=remember, device=this_device()
        )

    def resume(self, refresh_token: str) -> SignedIn:
        """Sign in with a remembered secret (raises SessionExpired when it is no good)."""
        return self.authenticator.resume(refresh_token, device=this_device())

    def session(self, signed_in: SignedIn | None = None) -> SignedInSession:
        return SignedInSession(self.authenticator, signed_in)

    def policy(self) -> SessionPolicy:
        return self.authenticator.policy()

    def change_password(self, session: SignedInSession, current: str, new: str) -> None:
        """The signed-in user's own password; their sessions elsewhere end."""
        session.change_password(current, new)

    # --- administration ---------------------------------------------------------------

    def managed_elsewhere(self, ctx: ServiceContext) -> str:
        """Why users are not managed on this computer ("" when they are): a desk that
        follows a server downloads them, so Settings ▸ Users says so before anyone acts."""
        try:
            _managed_here(ctx)
        except InvalidInput as exc:
            return str(exc)
        return ""

    def users(self, ctx: ServiceContext) -> list[UserAccount]:
        _require_admin(ctx, "see the list of users")
        return self.authenticator.users()

    def add_user(self, ctx: ServiceContext, new: NewUser) -> UserAccount:
        _require_admin(ctx, "add users")
        _managed_here(ctx)
        self._check_practitioner(new.role, new.practitioner_id)
        return self.authenticator.create_user(new)

    def update_user(
        self, ctx: ServiceContext, user_id: uuid.UUID, changes: UserChanges
    ) -> UserAccount:
        _require_admin(ctx, "change users")
        _managed_here(ctx)
        self._check_practitioner(changes.role, changes.practitioner_id)
        return self.authenticator.update_user(user_id, changes)

    def set_password(self, ctx: ServiceContext, user_id: uuid.UUID, password: str) -> UserAccount:
        """Reset someone's password: unlocks them and signs them out everywhere."""
        _require_admin(ctx, "set other users' passwords")
        _managed_here(ctx)
        return self.authenticator.set_password(user_id, password)

    def sign_out_everywhere(self, ctx: ServiceContext, user_id: uuid.UUID) -> int:
        """End every session and remembered sign-in of the user; returns how many."""
        _require_admin(ctx, "sign other users out")
        _managed_here(ctx)
        self.authenticator.user(user_id)  # NotFound for a stale list
        return self.authenticator.end_sessions_of(user_id)

    def unlock(self, ctx: ServiceContext, user_id: uuid.UUID) -> UserAccount:
        _require_admin(ctx, "unlock users")
        return self.authenticator.unlock(user_id)

    def set_policy(self, ctx: ServiceContext, policy: SessionPolicy) -> Changes:
        """Settings ▸ Sign-in; every open window's idle lock follows the returned change."""
        _require_admin(ctx, "change how long sign-ins last")
        self.authenticator.set_policy(policy)
        return Changes(sign_in_policy=True)

    def _check_practitioner(self, role: Role, practitioner_id: uuid.UUID | None) -> None:
        if role is not Role.PRACTITIONER or practitioner_id is None:
            return
        with self.database.reading() as session:
            if session.get(PractitionerRow, practitioner_id) is None:
                raise NotFound("That practitioner no longer exists.")


def _managed_here(ctx: ServiceContext) -> None:
    """A desk that follows a server downloads its users (desktop.sync.pulled_users)."""
    with ctx.database.reading() as session:
        if session.get(SyncStateRow, 1) is not None:
            raise InvalidInput(
                "This computer follows the clinic's server, which keeps the users: "
                "manage them on the server (frontdesk user … there). Changes reach this "
                "computer at its next sync."
            )


def _require_admin(ctx: ServiceContext, what: str) -> None:
    if not ctx.actor().is_admin:
        raise PermissionDenied(f"Only an administrator can {what}.")


def practitioner_named(database: Database, name: str) -> uuid.UUID:
    """The practitioner called `name` (for the command line), or NotFound."""
    from sqlalchemy import func, select

    with database.reading() as session:
        ids = (
            session.execute(
                select(PractitionerRow.id).where(
                    func.lower(PractitionerRow.name) == name.strip().lower()
                )
            )
            .scalars()
            .all()
        )
    if not ids:
        raise NotFound(f"There is no practitioner called “{name}”.")
    if len(ids) > 1:
        raise InvalidInput(f"More than one practitioner is called “{name}”.")
    return ids[0]

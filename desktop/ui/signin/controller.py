"""Everything about who is signed in, attached to the main window.

`SignInController(accounts, session, remembered).attach(window)` installs the
re-login handler for `run_operation`, puts an `IdleLock` on the window with the
clinic's idle timeout, ends the session when the screen locks (so nothing can be
done with it until someone signs in), and keeps the session alive while the user
is typing or clicking without calling any service. The main window binds its
menu actions to `lock_now`, `sign_out` and `change_password`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from desktop.auth import ExpiryReason, SignedInSession, UserAccount
from desktop.services.changes import Changes
from desktop.ui import operations
from desktop.ui.background_ops import BackgroundOp
from desktop.ui.change_bus import ChangeBus
from desktop.ui.signin.dialogs import ChangePasswordDialog, accepted
from desktop.ui.signin.idle_lock import IdleLock
from desktop.ui.signin.relogin import ModalRunner, Notifier, ReloginHandler, notify_box, run_modal

if TYPE_CHECKING:
    from desktop.auth.remembered import RememberedSignIn
    from desktop.services.accounts import Accounts

log = logging.getLogger(__name__)

ROLE_LABELS = {
    "receptionist": "reception",
    "practitioner": "practitioner",
    "admin": "administrator",
}


def _in_store(end: Callable[[], None]) -> None:
    """End a session in the store in the background; the lock holds even if the
    database cannot be reached (the session has already ended on this PC)."""

    def failed(exc: Exception) -> None:
        log.warning("could not end the session in the store", exc_info=exc)

    BackgroundOp(end, reports=(Exception,)).failure(failed).run()


def describe_user(user: UserAccount | None) -> str:
    if user is None:
        return "Nobody is signed in."
    return f"{user.display_name} ({ROLE_LABELS.get(user.role.value, user.role.value)})"


class SignInController:
    def __init__(
        self,
        accounts: Accounts,
        session: SignedInSession,
        remembered: RememberedSignIn,
        *,
        run: ModalRunner = run_modal,
        notify: Notifier = notify_box,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.accounts = accounts
        self.session = session
        self.remembered = remembered
        self.run = run
        self.notify = notify
        self.clock = clock
        self.handler = ReloginHandler(accounts, session, run_modal=run, notify=notify)
        self.idle_lock: IdleLock | None = None
        self.window: QWidget | None = None

    def attach(self, window: QWidget) -> IdleLock:
        """The idle timeout is the clinic's, read in the background (`_follow_policy`)."""
        self.window = window
        lock = IdleLock(window, None, lambda: self.handler.unlock(window), clock=self.clock)
        lock.locked.connect(self._locked)
        lock.active.connect(self._keep_alive)
        self.idle_lock = lock
        self.handler.idle_lock = lock
        self.session.subscribe(self._user_changed)
        self._user_changed(self.session.user)
        operations.set_session_handler(self.handler)
        bus = getattr(window, "bus", None)
        if isinstance(bus, ChangeBus):
            bus.changed.connect(self._policy_changed)
        self._follow_policy()
        return lock

    def _policy_changed(self, changes: Changes) -> None:
        """Settings ▸ Sign-in saved a new idle timeout: it applies at once, no restart."""
        if changes.sign_in_policy:
            self._follow_policy()

    def _follow_policy(self) -> None:
        """Read the clinic's idle timeout in the background and apply it when it arrives."""
        lock, accounts = self.idle_lock, self.accounts
        if lock is None:
            return
        BackgroundOp(
            lambda: accounts.policy().idle_timeout,
            parent=lock,
            key=f"sign-in-policy-{id(self)}",
            title="Sign-in",
        ).success(lock.set_timeout).run()

    def lock_now(self) -> None:
        """Lock the screen at once (stepping away from the desk)."""
        if self.idle_lock is not None:
            self.idle_lock.lock()

    def sign_out(self) -> None:
        """End the session, forget a remembered sign-in, and lock until someone signs in.

        Nothing runs with the session from the moment it is pressed; the store hears
        of it in the background."""
        _in_store(self.session.end_here(ExpiryReason.SIGNED_OUT, forget_user=True))
        self._forget_remembered()
        if self.idle_lock is not None:
            self.idle_lock.set_detail("Signed out.")
            self.idle_lock.lock()

    def change_password(self, parent: QWidget | None = None) -> bool:
        dialog = ChangePasswordDialog(parent or self.window, self.session.change_password)
        done = accepted(self.run(dialog))
        dialog.deleteLater()
        if done:
            self._forget_remembered()  # its refresh secret ended with the other sessions
            self.notify(parent or self.window, "Your password has been changed.")
        return done

    def _forget_remembered(self) -> None:
        """Forget a remembered sign-in in the background: a keyring call can wait as long
        as its unlock prompt does (it never raises: a refusal is logged)."""
        BackgroundOp(self.remembered.forget, title="Sign-in").run()

    def _locked(self) -> None:
        """The curtains are up: the session ends here at once, in the store in the background."""
        _in_store(self.session.end_here(ExpiryReason.IDLE))

    def _keep_alive(self) -> None:
        def failed(_exc: Exception) -> None:  # a lost connection shows at the next real action
            log.warning("could not note activity on the session", exc_info=_exc)

        BackgroundOp(
            self.session.keep_alive, key=f"keep-alive-{id(self)}", reports=(Exception,)
        ).failure(failed).run()

    def _user_changed(self, user: UserAccount | None) -> None:
        if self.idle_lock is not None:
            self.idle_lock.set_detail(
                f"{describe_user(user)} was signed in." if user is not None else "Signed out."
            )

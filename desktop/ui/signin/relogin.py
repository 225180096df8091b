"""Signing in again without losing work: the application's `SessionHandler`.

`run_operation` calls `reauthenticate` when a service call finds the session
ended. The sign-in dialog opens over the window the user is working in; the
window (a half-filled booking dialog, say) stays exactly as it was underneath,
because `run_operation` was called from inside it and simply has not returned.

* The same user signs in again: True, and `run_operation` retries the action once.
* Someone else signs in: the application switches to them, the interrupted action
  is dropped (it was someone else's), and a note says so. False.
* Cancelled: False; the window is still there and the user can try again later.

Showing dialogs goes through `run_modal` and notes through `notify`, both
injectable, so tests drive the dialogs without a blocking event loop.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

from desktop.ui.signin.dialogs import SignInDialog, accepted

if TYPE_CHECKING:
    from desktop.auth import SessionExpired, SignedIn, SignedInSession
    from desktop.services.accounts import Accounts
    from desktop.ui.signin.idle_lock import IdleLock

ModalRunner = Callable[[QDialog], int]
Notifier = Callable[[QWidget | None, str], None]

KEPT = "Nothing you entered has been lost."


def run_modal(dialog: QDialog) -> int:
    return dialog.exec()


def notify_box(parent: QWidget | None, text: str) -> None:
    """An information box that does not block (window-modal, closes itself on OK)."""
    # Imported here, not with the module: loading PySide6's Qt namespace builds all
    # its enums (30-50 ms), and the sign-in dialog at start-up needs none of them.
    from PySide6.QtCore import Qt

    box = QMessageBox(QMessageBox.Icon.Information, "Frontdesk", text, parent=parent)
    box.setObjectName("signInNotice")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


def host_window(parent: QWidget | None) -> QWidget | None:
    """The window a sign-in dialog should sit over: the caller's, or the active one."""
    if parent is not None:
        return parent.window()
    return QApplication.activeModalWidget() or QApplication.activeWindow()


class ReloginHandler:
    def __init__(
        self,
        accounts: Accounts,
        session: SignedInSession,
        *,
        run_modal: ModalRunner = run_modal,
        notify: Notifier = notify_box,
    ) -> None:
        self.accounts = accounts
        self.session = session
        self.run_modal = run_modal
        self.notify = notify
        self.idle_lock: IdleLock | None = None
        self._asking = False

    def reauthenticate(self, parent: QWidget | None, expired: SessionExpired) -> bool:
        if self._asking or (self.idle_lock is not None and self.idle_lock.is_locked):
            # Already asking, or the screen is locked and its curtain is the prompt:
            # this call (background work) is dropped and re-runs after sign-in.
            return False
        previous = self.session.user
        host = host_window(parent)
        signed_in = self._ask(host, f"{expired.message} {KEPT}")
        if signed_in is None:
            return False
        if previous is not None and signed_in.user.id == previous.id:
            return True
        self.notify(
            host,
            f"You are now signed in as {signed_in.user.display_name}. "
            + (
                f"What {previous.display_name} was doing was not saved; "
                "check it and try again if it is still needed."
                if previous is not None
                else "The interrupted action was not carried out; try it again."
            ),
        )
        return False

    def unlock(self, parent: QWidget | None) -> bool:
        """Sign in to lift the idle lock; any user may (the app switches to them)."""
        if self._asking:
            return False
        previous = self.session.user
        signed_in = self._ask(
            host_window(parent),
            "Frontdesk was locked to keep patient details private. "
            "Sign in to carry on where you left off.",
        )
        if signed_in is None:
            return False
        if previous is not None and signed_in.user.id != previous.id:
            self.notify(
                host_window(parent),
                f"You are now signed in as {signed_in.user.display_name} "
                f"(instead of {previous.display_name}).",
            )
        return True

    def _ask(self, host: QWidget | None, message: str) -> SignedIn | None:
        user = self.session.user
        dialog = SignInDialog(
            host,
            self._sign_in,
            message=message,
            username=user.username if user is not None else "",
        )
        self._asking = True
        try:
            result = self.run_modal(dialog)
        finally:
            self._asking = False
        signed_in = dialog.signed_in
        dialog.deleteLater()
        if not accepted(result) or signed_in is None:
            return None
        self.session.adopt(signed_in)
        if self.idle_lock is not None:
            self.idle_lock.unlock()
        return signed_in

    def _sign_in(self, username: str, password: str, remember: bool) -> SignedIn:  # noqa: ARG002
        return self.accounts.sign_in(username, password)

"""Who uses Frontdesk this time: first-run administrator, remembered sign-in, or the dialog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from PySide6.QtWidgets import QWidget

from desktop.auth import SessionExpired, SignedIn
from desktop.auth.remembered import RememberedSignIn
from desktop.services.accounts import Accounts
from desktop.ui.signin.dialogs import FirstAdminDialog, RememberChoice, SignInDialog, accepted
from desktop.ui.signin.relogin import ModalRunner, run_modal


@dataclass(frozen=True, slots=True)
class Startup:
    signed_in: SignedIn
    notice: str | None = None  # something to tell once the main window is up


def sign_in_at_startup(
    accounts: Accounts,
    remembered: RememberedSignIn,
    *,
    parent: QWidget | None = None,
    run: ModalRunner = run_modal,
) -> Startup | None:
    """Sign someone in before the main window opens; None when the user quits."""
    if accounts.needs_first_admin():
        first = FirstAdminDialog(parent, accounts.create_first_admin)
        if not accepted(run(first)) or first.signed_in is None:
            return None
        return Startup(first.signed_in)
    message = ""
    stored = remembered.load()
    if stored is not None:
        try:
            signed_in = accounts.resume(stored.refresh_token)
        except SessionExpired:
            remembered.forget()
            message = "Your remembered sign-in has ended. Please sign in again."
        else:
            if signed_in.refresh_token is not None:
                remembered.save(signed_in.user.username, signed_in.refresh_token)
            return Startup(signed_in)
    remember_offered = accounts.policy().remember_for > timedelta(0)
    dialog = SignInDialog(
        parent,
        lambda username, password, remember: accounts.sign_in(
            username, password, remember=remember
        ),
        message=message,
        username=stored.username if stored is not None else "",
        remember=RememberChoice(
            offered=remember_offered and remembered.available,
            note=remembered.problem if remember_offered else None,
        ),
        cancel_text="Quit",
    )
    if not accepted(run(dialog)) or dialog.signed_in is None:
        return None
    signed_in = dialog.signed_in
    notice = None
    if signed_in.refresh_token is not None:
        if not remembered.save(signed_in.user.username, signed_in.refresh_token):
            accounts.authenticator.end_session(signed_in.refresh_token)
            notice = remembered.problem
    else:
        remembered.forget()
    return Startup(signed_in, notice)
